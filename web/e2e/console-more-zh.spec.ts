import { expect, test, type Page } from '@playwright/test';
import { api, choose, expectAccessible, field, fillField, nav, openedDialog, PASSWORD, unique } from './helpers';

async function createCustomer(page: Page, input: Record<string, unknown>): Promise<string> {
  const r = await api<{ createCustomer: { customer: { id: string } } }>(
    page,
    'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }',
    { i: { kind: 'COMPANY', ...input } },
  );
  return r.createCustomer.customer.id;
}

/**
 * axe on the page once it is still: the pointer off the buttons (a hover
 * colour in transition) and no message fading in or out.
 */
async function expectSettledAccessible(page: Page): Promise<void> {
  await page.mouse.move(0, 0);
  await expect(page.locator('.ant-message-notice')).toHaveCount(0);
  await expectAccessible(page);
}

const row = (page: Page, name: string) => page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });

test('客户列表的列、视图、批量操作与合并，字段历史；产品、汇率、订单、销售报表（简体中文）', async ({ page }) => {
  // Seven screens in one journey: 70–90 s on a busy 2-core machine, at the edge of the default 90 s.
  test.slow();
  const slug = unique('suzhou');
  await page.goto('/sign-up');
  await choose(page, page.getByTestId('language-switch'), '简体中文');
  await fillField(page, '公司名称', '苏州丝绸');
  await fillField(page, '工作区地址', slug);
  await fillField(page, '您的姓名', '李娜');
  await fillField(page, '邮箱', `${slug}@example.com`);
  await field(page, '密码').locator('input').fill(PASSWORD);
  await choose(page, field(page, '本位币').locator('.ant-select'), 'CNY');
  await page.getByRole('button', { name: '创建工作区' }).click();
  await expect(page.getByRole('heading', { name: '客户' })).toBeVisible();

  const main = await createCustomer(page, { name: '苏州绣坊', email: 'a@xiu.example', tags: ['重点'], lifecycleStage: 'LEAD' });
  await createCustomer(page, { name: '苏州绣坊有限公司', phone: '+86 512 1234 5678' });
  await createCustomer(page, { name: '无锡茶行', tags: ['重点'] });
  await page.reload();
  await expect(page.getByTestId('customer-total')).toHaveText('共 3 条');

  // 列：显示电话，刷新后仍在。
  await page.getByRole('button', { name: '列' }).click();
  await page.getByRole('checkbox', { name: '电话' }).check();
  await page.keyboard.press('Escape');
  await page.reload();
  await expect(page.getByRole('columnheader', { name: '电话' })).toBeVisible();

  // 保存视图。
  await page.getByRole('textbox', { name: '标签' }).fill('重点');
  await page.getByRole('textbox', { name: '标签' }).press('Enter');
  await expect(page.getByTestId('customer-total')).toHaveText('共 2 条');
  await page.getByRole('button', { name: '保存视图' }).click();
  const naming = await openedDialog(page, '保存视图');
  await fillField(naming, '视图名称', '重点客户');
  await naming.getByRole('button', { name: /保\s*存/ }).click();
  await expect(naming).toBeHidden();
  await page.goto('/customers');
  await page.getByRole('navigation', { name: '已保存的视图' }).getByRole('link', { name: '重点客户' }).click();
  await expect(page.getByTestId('customer-total')).toHaveText('共 2 条');
  await page.goto('/customers');

  // 批量添加标签，然后合并两个重复客户。
  await row(page, '苏州绣坊').getByRole('checkbox').check();
  await row(page, '无锡茶行').getByRole('checkbox').check();
  const bulk = page.getByRole('group', { name: '对所选客户的操作' });
  await expect(bulk).toContainText('已选 2 个');
  await bulk.getByRole('button', { name: '添加标签' }).click();
  const tagging = await openedDialog(page, '添加标签');
  await fillField(tagging, '标签', '春季活动');
  await tagging.getByRole('button', { name: /应\s*用/ }).click();
  await expect(tagging).toBeHidden();
  await expect(row(page, '无锡茶行')).toContainText('春季活动');
  await row(page, '苏州绣坊').getByRole('checkbox').check();
  await row(page, '苏州绣坊有限公司').getByRole('checkbox').check();
  await bulk.getByRole('button', { name: /合\s*并/ }).click();
  const merging = await openedDialog(page, '合并两个客户');
  await merging.getByRole('radio', { name: '保留 苏州绣坊', exact: true }).check();
  await expectSettledAccessible(page);
  await merging.getByRole('button', { name: /合\s*并/ }).click();
  await expect(merging).toBeHidden();
  await expect(page.getByTestId('customer-total')).toHaveText('共 2 条');
  await expect(row(page, '苏州绣坊')).toContainText('+86 512 1234 5678');

  // 字段历史。
  await page.getByRole('link', { name: '苏州绣坊', exact: true }).click();
  await page.locator('.ant-segmented-item', { hasText: /^字段历史$/ }).click();
  const history = page.getByRole('region', { name: '字段历史' });
  await expect(history.getByTestId('history-entry').filter({ hasText: '标签' }).first()).toContainText('春季活动');
  await expect(history.getByTestId('history-entry').first()).toContainText('李娜');
  await expectSettledAccessible(page);

  // 汇率：设置美元汇率。
  await nav(page, '汇率').click();
  await expect(page.getByText('还没有汇率')).toBeVisible();
  await fillField(page, '币种', 'USD');
  await field(page, '汇率').locator('input').fill('7.1');
  await page.getByRole('button', { name: '设置汇率' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'USD' })).toContainText('7.1');
  await expectSettledAccessible(page);

  // 产品与价格。
  await nav(page, '产品').click();
  await page.getByRole('button', { name: '新建价目表' }).click();
  const listDialog = await openedDialog(page, '新建价目表');
  await fillField(listDialog, '价目表名称', '国内');
  await fillField(listDialog, '币种', 'CNY');
  await listDialog.getByRole('button', { name: /保\s*存/ }).click();
  await expect(listDialog).toBeHidden();
  const sku = unique('S');
  await page.getByRole('button', { name: '新建产品' }).click();
  const productDialog = await openedDialog(page, '新建产品');
  await fillField(productDialog, 'SKU', sku);
  await fillField(productDialog, '产品', '真丝围巾');
  await fillField(productDialog, '国内（CNY）中的价格', '388');
  await productDialog.getByRole('button', { name: /保\s*存/ }).click();
  await expect(productDialog).toBeHidden();
  await expect(page.getByRole('row').filter({ hasText: sku })).toContainText('388.00');
  await expectSettledAccessible(page);

  // 订单：通过 API 下单，在列表中打开并标记为已付款。
  const products = await api<{ products: { edges: { node: { id: string } }[] } }>(page, '{ products(first: 1) { edges { node { id } } } }', {});
  await api(page, 'mutation($i: CreateOrderInput!) { createOrder(input: $i) { order { id } } }', {
    i: { customerId: main, currency: 'CNY', externalId: 'SO-88', lines: [{ productId: products.products.edges[0].node.id, quantity: '3', unitPrice: '388' }] },
  });
  await nav(page, '订单').click();
  await expect(page.getByTestId('order-total')).toHaveText('共 1 条');
  await expectSettledAccessible(page);
  await page.getByRole('link', { name: 'SO-88' }).click();
  await expect(page.getByTestId('order-status')).toHaveText('已下单');
  await expect(page.getByRole('row').filter({ hasText: '真丝围巾' })).toContainText('1,164.00');
  await page.getByRole('button', { name: '标记为已付款' }).click();
  await expect(page.getByTestId('order-status')).toHaveText('已付款');
  await expectSettledAccessible(page);

  // 销售报表。
  await api(page, 'mutation($i: CreateDealInput!) { createDeal(input: $i) { deal { id } } }', {
    i: { name: '年度采购', customerId: main, amount: '20000', currency: 'CNY', expectedCloseDate: new Date(Date.now() + 20 * 86400000).toISOString().slice(0, 10) },
  });
  await api(page, 'mutation($i: LogInteractionInput!) { logInteraction(input: $i) { interaction { id } } }', {
    i: { customerId: main, kind: 'MEETING', subject: '拜访' },
  });
  await nav(page, '销售报表').click();
  await expect(page.getByTestId('forecast-chart')).toContainText('加权');
  await expect(page.getByTestId('activity-chart')).toContainText('李娜');
  await expectSettledAccessible(page);
});
