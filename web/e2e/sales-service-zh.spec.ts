import { expect, test } from '@playwright/test';
import { api, choose, dealCard, expectAccessible, field, fillField, nav, openedDialog, PASSWORD, stageColumn, unique } from './helpers';

test('线索转化、拖动商机赢单、解决工单（简体中文）', async ({ page }) => {
  const slug = unique('hangzhou');
  await page.goto('/sign-up');
  await choose(page, page.getByTestId('language-switch'), '简体中文');
  await fillField(page, '公司名称', '杭州云帆');
  await fillField(page, '工作区地址', slug);
  await fillField(page, '邮箱', `${slug}@example.com`);
  await field(page, '密码').locator('input').fill(PASSWORD);
  await choose(page, field(page, '本位币').locator('.ant-select'), 'CNY');
  await page.getByRole('button', { name: '创建工作区' }).click();
  await expect(page.getByRole('heading', { name: '客户' })).toBeVisible();

  // 线索：新建、转化（同时创建商机），然后打开客户。
  await nav(page, '线索').click();
  await expect(page.getByText('还没有线索')).toBeVisible();
  await page.getByRole('button', { name: '新建线索' }).click();
  let dialog = await openedDialog(page, '新建线索');
  await fillField(dialog, '姓名', '王芳');
  await fillField(dialog, '公司', '宁波港务');
  await dialog.getByRole('button', { name: /保\s*存/ }).click();
  await expect(dialog).toBeHidden();
  const row = page.locator('tr', { hasText: '王芳' });
  await expect(row.getByTestId('lead-status')).toHaveText('新建');
  await page.getByRole('button', { name: '转化线索 王芳' }).click();
  dialog = await openedDialog(page, '转化线索 王芳');
  await fillField(dialog, '金额', '88000');
  await expect(field(dialog, '币种').locator('input')).toHaveValue('CNY');
  await dialog.getByRole('button', { name: /转\s*化/ }).click();
  await expect(dialog.getByText('已转化：新客户“宁波港务”')).toBeVisible();
  await dialog.getByRole('button', { name: '打开客户' }).click();
  await expect(page.getByTestId('customer-name')).toHaveText('宁波港务');
  const customerId = page.url().split('/').pop()!;

  // 看板：金额按中文格式显示，用鼠标拖到 Won（阶段名称是工作区的数据）。
  await nav(page, '销售管道').click();
  await expect(page.getByRole('heading', { name: '销售管道' })).toBeVisible();
  const first = stageColumn(page, 'Qualification');
  const won = stageColumn(page, 'Won');
  await expect(dealCard(first, '宁波港务').getByTestId('deal-amount')).toHaveText('¥88,000.00');
  await dealCard(first, '宁波港务').dragTo(won);
  await expect(dealCard(won, '宁波港务')).toBeVisible();
  await expect(page.getByText('“宁波港务”已移动到 Won')).toBeVisible();
  await page.screenshot({ path: 'test-results/pipeline-zh-CN.png', fullPage: true });
  await won.getByRole('link', { name: '宁波港务' }).click();
  await expect(page.getByTestId('deal-status')).toHaveText('赢单');
  await expect(page.getByText('阶段历史')).toBeVisible();

  // 工单：打开、开始处理、解决。
  await api(page, 'mutation($i: CreateCaseInput!) { createCase(input: $i) { case { id } } }', {
    i: { customerId, subject: '发票抬头错误', kind: 'REQUEST', channel: 'PHONE', priority: 'URGENT' },
  });
  await nav(page, '服务工单').click();
  const caseRow = page.locator('tr', { hasText: '发票抬头错误' });
  await expect(caseRow.getByTestId('case-status')).toHaveText('新建');
  await expect(caseRow).toContainText('紧急');
  await caseRow.getByRole('link', { name: '发票抬头错误' }).click();
  await expect(page.getByTestId('case-subject')).toHaveText('#1 发票抬头错误');
  await page.getByRole('button', { name: /解\s*决/ }).click();
  dialog = await openedDialog(page, '解决');
  await dialog.getByRole('button', { name: /解\s*决/ }).click();
  await expect(dialog.getByText('请说明工单是如何解决的')).toBeVisible();
  await field(dialog, '解决方案').locator('textarea').fill('已重新开具发票');
  await dialog.getByRole('button', { name: /解\s*决/ }).click();
  await expect(page.getByTestId('case-status')).toHaveText('已解决');
  await expect(page.getByTestId('case-event').filter({ hasText: '新建 → 已解决' })).toBeVisible();
  await page.screenshot({ path: 'test-results/case-zh-CN.png', fullPage: true });

  // 服务概览：本期间新开并已解决一张工单。
  await nav(page, '服务概览').click();
  await expect(page.getByRole('heading', { name: '服务概览' })).toBeVisible();
  await expect(page.getByTestId('summary-opened')).toHaveText('1');
  await expect(page.getByTestId('summary-resolved')).toHaveText('1');
  await expect(page.getByTestId('summary-overdueNow')).toHaveText('0');
  await expect(page.getByTestId('service-levels')).toContainText('紧急');
  await expect(page.getByTestId('chart-service-volume').locator('svg path').first()).toBeAttached();
  await expectAccessible(page);
});
