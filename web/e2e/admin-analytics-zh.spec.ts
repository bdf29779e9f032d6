import { expect, test } from '@playwright/test';
import { api, choose, csvFile, expectAccessible, field, fillField, invitationToken, nav, openedDialog, PASSWORD, seedOrders, unique } from './helpers';

const HEADER = '名称,邮箱,生命周期阶段';

test('导入含错误行的 CSV、客户价值看板、API 密钥、邀请只读成员（简体中文）', async ({ page, browser }) => {
  const slug = unique('suzhou');
  await page.goto('/sign-up');
  await choose(page, page.getByTestId('language-switch'), '简体中文');
  await fillField(page, '公司名称', '苏州织造');
  await fillField(page, '工作区地址', slug);
  await fillField(page, '邮箱', `${slug}@example.com`);
  await field(page, '密码').locator('input').fill(PASSWORD);
  await choose(page, field(page, '本位币').locator('.ant-select'), 'CNY');
  await page.getByRole('button', { name: '创建工作区' }).click();
  await expect(page.getByRole('heading', { name: '客户' })).toBeVisible();

  // 导入：列名为中文，由用户对应到字段；检查报告第 2 行的错误，修正后导入。
  await page.getByRole('button', { name: /导\s*入/ }).click();
  let dialog = await openedDialog(page, '从 CSV 导入客户');
  const bad = csvFile('客户.csv', [HEADER, '苏州丝绸,silk@suzhou.example,CUSTOMER', '无锡纺织,wuxi@wuxi.example,某天']);
  await dialog.locator('input[type=file]').setInputFiles(bad);
  for (const [column, target] of [
    ['名称', '名称'],
    ['邮箱', '邮箱'],
    ['生命周期阶段', '生命周期阶段'],
  ]) {
    await choose(page, dialog.getByTestId(`map-${column}`), target);
  }
  await dialog.getByRole('button', { name: '检查文件' }).click();
  await expect(dialog.getByRole('status')).toContainText('1 行有错误');
  const errorRow = dialog.getByTestId('import-errors').locator('tbody tr');
  await expect(errorRow.locator('td').nth(0)).toHaveText('2');
  await expect(errorRow.locator('td').nth(1)).toHaveText(/lifecycleStage/i);
  await expect(dialog.getByRole('button', { name: /^导\s*入$/ })).toBeDisabled();
  await dialog.locator('input[type=file]').setInputFiles(
    csvFile('客户-已修正.csv', [HEADER, '苏州丝绸,silk@suzhou.example,CUSTOMER', '无锡纺织,wuxi@wuxi.example,LEAD']),
  );
  for (const [column, target] of [
    ['名称', '名称'],
    ['邮箱', '邮箱'],
    ['生命周期阶段', '生命周期阶段'],
  ]) {
    await choose(page, dialog.getByTestId(`map-${column}`), target);
  }
  await dialog.getByRole('button', { name: '检查文件' }).click();
  await expect(dialog.getByRole('status')).toHaveText('所有行均可导入。');
  await dialog.getByRole('button', { name: /^导\s*入$/ }).click();
  await expect(dialog.getByRole('status')).toHaveText('已导入。');
  await expect(dialog.getByTestId('import-counts').locator('td').nth(1)).toHaveText('2');
  await dialog.locator('.ant-modal-footer').getByRole('button', { name: /关\s*闭/ }).click();
  await expect(page.getByTestId('customer-total')).toHaveText('共 2 条');

  // 客户价值：有购买记录后重新计算，图表显示数据。
  const { customers } = await api<{ customers: { edges: { node: { id: string } }[] } }>(
    page,
    '{ customers(first: 10, orderBy: [{ field: NAME, direction: ASC }]) { edges { node { id } } } }',
    {},
  );
  await seedOrders(page, customers.edges.map((e) => e.node.id), [[3000, 2600, 4100], [500]], 'CNY');
  await nav(page, '客户价值').click();
  await expect(page.getByText('暂无数据。重新计算')).toBeVisible();
  await page.getByRole('button', { name: '重新计算' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('成功', { timeout: 60_000 });
  await expect(page.getByTestId('stat-customers')).toContainText('2');
  for (const chart of ['chart-tiers', 'chart-pareto', 'chart-rfm', 'chart-segments', 'chart-clv']) {
    await expect(page.getByTestId(chart).locator('svg path').first()).toBeAttached();
  }
  await expect(page.getByTestId('chart-segments').locator('svg text', { hasText: /客户/ }).first()).toBeAttached();
  await expect(page.getByTestId('pivot-total-REVENUE')).toContainText('10,200');
  // 三个方向的增长：两位购买客户。
  await expect(page.getByTestId('growth-panel').getByTestId('growth-activeCustomers')).toHaveText('2');
  // 最近 30 天对比之前 30 天：之前一位购买客户，现在两位。
  await page.getByTestId('growth-panel').getByText('最近 30 天').click();
  await expect(page.getByTestId('growth-panel').getByTestId('growth-activeCustomers')).toHaveText('2');
  await expect(page.getByTestId('growth-table').getByRole('row', { name: /购买客户/ })).toContainText('100%');
  await expect(page.getByTestId('chart-growth').locator('svg path').first()).toBeAttached();
  await expect(page.getByTestId('cross-sell-panel')).toContainText('选择一位客户');
  await expectAccessible(page);

  // API 密钥：只显示一次。
  await nav(page, '系统管理').click();
  await page.getByRole('tab', { name: 'API 密钥' }).click();
  await fillField(page, '名称', '仓库同步');
  await choose(page, field(page, '权限范围').locator('.ant-select'), 'orders:read');
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: '创建密钥' }).click();
  dialog = await openedDialog(page, 'API 密钥“仓库同步”已创建');
  const secret = (await dialog.getByTestId('api-key-secret').innerText()).trim();
  expect(secret.length).toBeGreaterThan(20);
  await dialog.getByRole('button', { name: '我已保存密钥' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('api-keys').getByRole('row', { name: /仓库同步/ })).toContainText('有效');
  await expect(page.getByText(secret)).toHaveCount(0);

  // 工作区设置：客户价值、服务水平和请求配额。
  await page.getByRole('tab', { name: '工作区设置' }).click();
  await expect(field(page.getByTestId('value-settings'), 'A 级覆盖').locator('input')).toHaveValue('80');
  await field(page.getByTestId('value-settings'), '年折现率').locator('input').fill('8');
  await page.getByTestId('value-settings').getByRole('button', { name: /保\s*存/ }).click();
  await expect(page.getByText('设置已保存')).toBeVisible();
  await expect(page.getByTestId('service-level-settings').getByRole('row', { name: /紧急/ })).toContainText('默认');
  await expect(page.getByTestId('rate-limit-limit')).toHaveText('每分钟 100,000 次请求');
  await expect(page.locator('.ant-message-notice')).toHaveCount(0);
  await expectAccessible(page);

  // 邀请只读成员：接受邀请后登录，看不到新建和导入按钮，也进不了系统管理。
  const email = `${unique('zhviewer')}@example.com`;
  await page.getByRole('tab', { name: '邀请' }).click();
  const form = page.locator('form[id="invite"]');
  await fillField(form, '邮箱', email);
  await choose(page, field(form, '角色').locator('.ant-select'), '只读成员');
  await form.getByRole('button', { name: '发送邀请' }).click();
  await expect(page.getByTestId('invitations').getByRole('row', { name: new RegExp(email.replace(/[.]/g, '\\.')) })).toContainText('待接受');

  const viewer = await browser.newPage();
  await viewer.goto(`/invitations/accept?token=${encodeURIComponent(invitationToken(email))}`);
  await viewer.getByLabel('Password').fill(PASSWORD);
  await viewer.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(viewer.getByText(/Welcome!/)).toBeVisible();
  await viewer.goto('/sign-in');
  await choose(viewer, viewer.getByTestId('language-switch'), '简体中文');
  await fillField(viewer, '邮箱', email);
  await field(viewer, '密码').locator('input').fill(PASSWORD);
  await viewer.getByRole('button', { name: /登\s*录/ }).click();
  // The new member's profile language is English (the invitation page's): switched back, and saved.
  await expect(viewer.getByTestId('customer-total')).toBeVisible();
  await choose(viewer, viewer.getByTestId('language-switch'), '简体中文');
  await expect(viewer.getByTestId('customer-total')).toHaveText('共 2 条');
  await expect(viewer.getByRole('button', { name: '导出 CSV' })).toBeVisible();
  await expect(viewer.getByRole('button', { name: '新建客户' })).toHaveCount(0);
  await expect(viewer.getByRole('button', { name: /导\s*入/ })).toHaveCount(0);
  await expect(nav(viewer, '系统管理')).toHaveCount(0);
  await viewer.goto('/admin');
  await expect(viewer.getByText('无权访问')).toBeVisible();
  await viewer.close();
});
