import { expect, test } from '@playwright/test';
import { choose, field, fillField, PASSWORD, unique, closeSelect } from './helpers';

test('the core journey in Simplified Chinese, switched live', async ({ page }) => {
  const slug = unique('shanghai');
  const email = `${slug}@example.com`;

  await page.goto('/sign-up');
  await expect(page.getByRole('heading', { name: 'Create your workspace' })).toBeVisible();
  // Switch live to Chinese on the sign-up page.
  await choose(page, page.getByTestId('language-switch'), '简体中文');
  await expect(page.getByRole('heading', { name: '创建您的工作区' })).toBeVisible();
  await fillField(page, '公司名称', '上海贸易');
  await fillField(page, '工作区地址', slug);
  await fillField(page, '邮箱', email);
  await field(page, '密码').locator('input').fill(PASSWORD);
  await expect(field(page, '语言')).toContainText('简体中文');
  await page.getByRole('button', { name: '创建工作区' }).click();
  await expect(page.getByRole('heading', { name: '客户' })).toBeVisible();
  await expect(page.getByText('还没有客户')).toBeVisible();

  for (const [name, stage] of [
    ['上海星辰科技有限公司', '线索'],
    ['北京远航物流', '客户'],
  ]) {
    await page.getByRole('button', { name: '新建客户' }).click();
    const dialog = page.getByRole('dialog', { name: '新建客户' });
    await fillField(dialog, '名称', name);
    await choose(page, field(dialog, '生命周期阶段').locator('.ant-select'), stage);
    await fillField(dialog, '国家/地区', 'CN');
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('link', { name })).toBeVisible();
  }
  await expect(page.getByTestId('customer-total')).toHaveText('共 2 条');

  await page.getByRole('searchbox').fill('上海');
  await page.getByRole('searchbox').press('Enter');
  await expect(page.getByRole('link', { name: '上海星辰科技有限公司' })).toBeVisible();
  await expect(page.getByRole('link', { name: '北京远航物流' })).toBeHidden();
  await page.getByRole('button', { name: '清除搜索' }).click();
  await choose(page, page.getByTestId('filter-stage'), '客户');
  await closeSelect(page, page.getByTestId('filter-stage'));
  await expect(page.getByRole('link', { name: '上海星辰科技有限公司' })).toBeHidden();
  await page.getByRole('link', { name: '北京远航物流' }).click();

  await expect(page.getByTestId('customer-name')).toHaveText('北京远航物流');
  await expect(page.getByText('时间线', { exact: true })).toBeVisible();
  await expect(page.getByText('详细信息')).toBeVisible();
  await expect(page.locator('#main').getByText('客户价值')).toBeVisible();
  await expect(page.getByTestId('timeline-entry').getByText('客户已创建')).toBeVisible();
  await page.screenshot({ path: 'test-results/customer360-zh-CN.png', fullPage: true });

  // The API's validation error on its field, in Chinese.
  await page.getByRole('button', { name: /编\s*辑/ }).click();
  const dialog = page.getByRole('dialog', { name: '编辑客户' });
  await fillField(dialog, '邮箱', 'not-an-email');
  await dialog.getByRole('button', { name: /保\s*存/ }).click();
  await expect(field(dialog, '邮箱').locator('.ant-form-item-explain-error')).toBeVisible();
  await dialog.getByRole('button', { name: /取\s*消/ }).click();

  // Live switch to English and back.
  await choose(page, page.getByTestId('language-switch'), 'English');
  await expect(page.getByText('Timeline', { exact: true })).toBeVisible();
  await choose(page, page.getByTestId('language-switch'), '简体中文');
  await expect(page.getByText('时间线', { exact: true })).toBeVisible();

  // Sign out and back in, in Chinese.
  await page.getByTestId('user-menu').click();
  await page.getByRole('menuitem', { name: '退出登录' }).click();
  await expect(page.getByRole('heading', { name: '登录您的工作区' })).toBeVisible();
  await fillField(page, '邮箱', email);
  await field(page, '密码').locator('input').fill(PASSWORD);
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await expect(page.getByRole('heading', { name: '客户' })).toBeVisible();
});
