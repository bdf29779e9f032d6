import { expect, test, type Page } from '@playwright/test';
import { api, choose, expectAccessible, field, fillField, nav, openedDialog, signUp, unique } from './helpers';

async function createCustomer(page: Page, input: Record<string, unknown>): Promise<string> {
  const r = await api<{ createCustomer: { customer: { id: string } } }>(
    page,
    'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }',
    { i: { kind: 'COMPANY', ...input } },
  );
  return r.createCustomer.customer.id;
}

/** The list's row of the customer named `name`. */
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

test('customer list columns, saved views, bulk actions, merge, field history; products, rates, orders, reports (English)', async ({ page }) => {
  // Seven screens in one journey: 70–90 s on a busy 2-core machine, at the edge of the default 90 s.
  test.slow();
  await signUp(page, 'power', 'Power Users Inc');
  const acme = await createCustomer(page, { name: 'Acme Trading', email: 'info@acme.example', tags: ['vip'], lifecycleStage: 'LEAD' });
  await createCustomer(page, { name: 'Acme Trading Ltd', phone: '+49 30 1234567', tags: ['import'] });
  await createCustomer(page, { name: 'Globex', email: 'sales@globex.example', tags: ['vip'], lifecycleStage: 'CUSTOMER' });
  await page.reload();
  await expect(page.getByTestId('customer-total')).toHaveText('3 in total');

  // Columns: hide Email, show Phone; the choice outlives a reload.
  await page.getByRole('button', { name: 'Columns' }).click();
  await page.getByRole('checkbox', { name: 'Email' }).uncheck();
  await page.getByRole('checkbox', { name: 'Phone' }).check();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('columnheader', { name: 'Email' })).toBeHidden();
  await expect(page.getByRole('columnheader', { name: 'Phone' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('columnheader', { name: 'Phone' })).toBeVisible();
  await expect(page.getByRole('columnheader', { name: 'Email' })).toBeHidden();
  await expect(row(page, 'Acme Trading Ltd')).toContainText('+49 30 1234567');

  // A saved view: the tag filter and a sort, listed as a link.
  await page.getByRole('textbox', { name: 'Tag' }).fill('vip');
  await page.getByRole('textbox', { name: 'Tag' }).press('Enter');
  await page.getByRole('columnheader', { name: 'Name' }).click();
  await expect(page).toHaveURL(/tag=vip&sort=name-asc/);
  await page.getByRole('button', { name: 'Save view' }).click();
  const naming = await openedDialog(page, 'Save view');
  await fillField(naming, 'View name', 'VIPs by name');
  await naming.getByRole('button', { name: 'Save' }).click();
  await expect(naming).toBeHidden();
  await page.goto('/customers');
  await expect(page.getByTestId('customer-total')).toHaveText('3 in total');
  await page.getByRole('navigation', { name: 'Saved views' }).getByRole('link', { name: 'VIPs by name' }).click();
  await expect(page).toHaveURL(/tag=vip&sort=name-asc/);
  await expect(page.getByTestId('customer-total')).toHaveText('2 in total');
  await expectSettledAccessible(page);
  await page.goto('/customers');

  // Bulk: add a tag to two customers, then assign them an owner.
  await row(page, 'Acme Trading').getByRole('checkbox').check();
  await row(page, 'Globex').getByRole('checkbox').check();
  const bulk = page.getByRole('group', { name: 'Actions on the selected customers' });
  await expect(bulk).toContainText('2 selected');
  await bulk.getByRole('button', { name: 'Add tag' }).click();
  const tagging = await openedDialog(page, 'Add tag');
  await fillField(tagging, 'Tag', 'q3-campaign');
  await tagging.getByRole('button', { name: 'Apply' }).click();
  await expect(tagging).toBeHidden();
  await expect(page.getByText('2 customers updated')).toBeVisible();
  await expect(row(page, 'Acme Trading')).toContainText('q3-campaign');
  await expect(row(page, 'Globex')).toContainText('q3-campaign');
  await expect(bulk).toBeHidden();
  await row(page, 'Globex').getByRole('checkbox').check();
  await bulk.getByRole('button', { name: 'Remove tag' }).click();
  const untagging = await openedDialog(page, 'Remove tag');
  await fillField(untagging, 'Tag', 'vip');
  await untagging.getByRole('button', { name: 'Apply' }).click();
  await expect(untagging).toBeHidden();
  await expect(row(page, 'Globex')).not.toContainText('vip');
  await row(page, 'Globex').getByRole('checkbox').check();
  await bulk.getByRole('button', { name: 'Assign owner' }).click();
  const owning = await openedDialog(page, 'Assign owner');
  await choose(page, field(owning, 'Owner').locator('.ant-select'), 'Sam Seller');
  await owning.getByRole('button', { name: 'Apply' }).click();
  await expect(owning).toBeHidden();
  const owner = await api<{ customers: { edges: { node: { name: string; owner: { displayName: string } | null } }[] } }>(
    page,
    '{ customers(filter: { name: { eq: "Globex" } }) { edges { node { name owner { displayName } } } } }',
    {},
  );
  expect(owner.customers.edges[0].node.owner?.displayName).toBe('Sam Seller');

  // Merge the two Acme records, keeping the first.
  await row(page, 'Acme Trading').getByRole('checkbox').check();
  await row(page, 'Acme Trading Ltd').getByRole('checkbox').check();
  await bulk.getByRole('button', { name: 'Merge' }).click();
  const merging = await openedDialog(page, 'Merge two customers');
  await expect(merging).toContainText('+49 30 1234567');
  await expectSettledAccessible(page);
  await merging.getByRole('radio', { name: 'Keep Acme Trading', exact: true }).check();
  await merging.getByRole('button', { name: 'Merge' }).click();
  await expect(merging).toBeHidden();
  await expect(page.getByText('Merged into Acme Trading')).toBeVisible();
  await expect(page.getByTestId('customer-total')).toHaveText('2 in total');
  await expect(row(page, 'Acme Trading')).toContainText('+49 30 1234567');

  // Field history on the 360 page: who changed the tags.
  await page.getByRole('link', { name: 'Acme Trading', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/customers/${acme}`));
  await page.locator('.ant-segmented-item', { hasText: /^Field history$/ }).click();
  const history = page.getByRole('region', { name: 'Field history' });
  await expect(history.getByTestId('history-entry').filter({ hasText: 'Tags' }).first()).toContainText('q3-campaign');
  await expect(history.getByTestId('history-entry').first()).toContainText('by Sam Seller');
  await choose(page, page.getByTestId('history-field'), 'Lifecycle stage');
  await expect(page.locator('.ant-select-dropdown:visible')).toHaveCount(0);
  await expect(history.getByTestId('history-entry')).toHaveCount(1);
  await expect(history.getByTestId('history-entry')).toContainText('Lead');
  await expectSettledAccessible(page);

  // Exchange rates: none yet, then EUR set.
  await nav(page, 'Exchange rates').click();
  await expect(page.getByRole('heading', { name: 'Exchange rates' })).toBeVisible();
  await expect(page.getByText('No exchange rates yet')).toBeVisible();
  await fillField(page, 'Currency', 'eur');
  await field(page, 'Rate').locator('input').fill('1.08');
  await page.getByRole('button', { name: 'Set rate' }).click();
  await expect(page.getByText('Rate saved')).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'EUR' })).toContainText('1.08');
  await expectSettledAccessible(page);

  // Products: a EUR price list, a product with its price, then the price edited.
  await nav(page, 'Products').click();
  await expect(page.getByText('No products yet')).toBeVisible();
  await page.getByRole('button', { name: 'New price list' }).click();
  const listDialog = await openedDialog(page, 'New price list');
  await fillField(listDialog, 'Price list name', 'Europe');
  await fillField(listDialog, 'Currency', 'EUR');
  await listDialog.getByRole('button', { name: 'Save' }).click();
  await expect(listDialog).toBeHidden();
  await expect(page.getByTestId('price-lists')).toContainText('Europe (EUR)');
  const sku = unique('W');
  await page.getByRole('button', { name: 'New product' }).click();
  const productDialog = await openedDialog(page, 'New product');
  await fillField(productDialog, 'SKU', sku);
  await fillField(productDialog, 'Product', 'Widget Pro');
  await fillField(productDialog, 'Category', 'Hardware');
  await fillField(productDialog, 'Price in Europe (EUR)', '99.5');
  await productDialog.getByRole('button', { name: 'Save' }).click();
  await expect(productDialog).toBeHidden();
  await expect(page.getByRole('row').filter({ hasText: sku })).toContainText('€99.50');
  await page.getByRole('button', { name: 'Widget Pro' }).click();
  const editDialog = await openedDialog(page, 'Edit product');
  await fillField(editDialog, 'Price in Europe (EUR)', '120');
  await editDialog.getByRole('button', { name: 'Save' }).click();
  await expect(editDialog).toBeHidden();
  await expect(page.getByRole('row').filter({ hasText: sku })).toContainText('€120.00');
  await expectSettledAccessible(page);

  // Orders: one placed through the API, found by status, opened and paid.
  const products = await api<{ products: { edges: { node: { id: string } }[] } }>(page, '{ products(first: 1) { edges { node { id } } } }', {});
  await api(page, 'mutation($i: CreateOrderInput!) { createOrder(input: $i) { order { id } } }', {
    i: {
      customerId: acme,
      currency: 'EUR',
      externalId: 'PO-1001',
      orderedAt: new Date(Date.now() - 86400000).toISOString(),
      lines: [{ productId: products.products.edges[0].node.id, quantity: '2', unitPrice: '120' }],
    },
  });
  await nav(page, 'Orders').click();
  await expect(page.getByRole('link', { name: 'PO-1001' })).toBeVisible();
  await choose(page, page.getByTestId('filter-order-status'), 'Paid');
  await page.keyboard.press('Escape');
  await expect(page).toHaveURL(/status=PAID/);
  await expect(page.getByText('No orders match these filters')).toBeVisible();
  await page.goto('/orders?status=PLACED');
  await expect(page.getByTestId('order-total')).toHaveText('1 in total');
  await expectSettledAccessible(page);
  await page.getByRole('link', { name: 'PO-1001' }).click();
  await expect(page.getByRole('heading', { name: 'PO-1001' })).toBeVisible();
  await expect(page.getByTestId('order-status')).toHaveText('Placed');
  await expect(page.getByRole('row').filter({ hasText: 'Widget Pro' })).toContainText('€240.00');
  // Ordered yesterday: the EUR rate set above starts today.
  await expect(page.getByText('No exchange rate in force on the order’s date')).toBeVisible();
  await page.getByRole('button', { name: 'Mark paid' }).click();
  await expect(page.getByTestId('order-status')).toHaveText('Paid');
  await expect(page.getByRole('button', { name: 'Mark shipped' })).toBeVisible();
  await expectSettledAccessible(page);

  // Sales reports: a deal closing next month and a call logged.
  await api(page, 'mutation($i: CreateDealInput!) { createDeal(input: $i) { deal { id } } }', {
    i: { name: 'Big deal', customerId: acme, amount: '5000', currency: 'USD', expectedCloseDate: new Date(Date.now() + 30 * 86400000).toISOString().slice(0, 10) },
  });
  await api(page, 'mutation($i: LogInteractionInput!) { logInteraction(input: $i) { interaction { id } } }', {
    i: { customerId: acme, kind: 'CALL', subject: 'Intro call' },
  });
  await nav(page, 'Sales reports').click();
  await expect(page.getByRole('heading', { name: 'Sales reports' })).toBeVisible();
  await expect(page.getByTestId('forecast-chart')).toBeVisible();
  await expect(page.getByTestId('forecast-chart')).toContainText('Weighted');
  await expect(page.getByTestId('activity-chart')).toContainText('Sam Seller');
  await expectSettledAccessible(page);
});
