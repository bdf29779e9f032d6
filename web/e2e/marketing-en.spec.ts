import { expect, test, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { api, choose, closeSelect, csvFile, expectAccessible, field, fillField, invitationToken, nav, openedDialog, PASSWORD, signUp, unique, pickAll } from './helpers';

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
 * colour in transition), no message fading in or out and no dropdown closing.
 */
async function expectSettledAccessible(page: Page): Promise<void> {
  await page.mouse.move(0, 0);
  await expect(page.locator('.ant-message-notice')).toHaveCount(0);
  // No select's dropdown closing (its list has no name while it fades).
  await expect(page.locator('.ant-select-dropdown:visible')).toHaveCount(0);
  await expectAccessible(page);
}

/** A table's row of the customer or segment named `name`. */
const row = (scope: Page | Locator, name: string) => {
  const page = 'page' in scope && typeof scope.page === 'function' ? (scope as Locator).page() : (scope as Page);
  return scope.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
};

/** Closes an open select's dropdown in a dialog (Escape would close the dialog). */
const closeDropdown = async (dialog: Locator) => {
  await dialog.locator('.ant-modal-title').click();
  await expect(dialog.page().locator('.ant-select-dropdown:visible')).toHaveCount(0);
};

test('marketing segments: dynamic from conditions and from the list, a static list by hand and from CSV, the 360 tags, a sales member without (English)', async ({
  page,
  browser,
}) => {
  test.slow();
  await signUp(page, 'mkt', 'Market Makers');
  await createCustomer(page, { name: 'Acme Trading', email: 'info@acme.example', tags: ['vip'], lifecycleStage: 'LEAD' });
  await createCustomer(page, { name: 'Globex', email: 'sales@globex.example', tags: ['vip'], lifecycleStage: 'CUSTOMER' });
  await createCustomer(page, { name: 'Initech', email: 'hello@initech.example', lifecycleStage: 'LEAD' });
  await createCustomer(page, { name: 'Umbrella', tags: ['vip'], lifecycleStage: 'PROSPECT', region: 'East' });

  // Marketing → Segments: none yet.
  await nav(page, 'Segments').click();
  await expect(page.getByRole('heading', { name: 'Segments' })).toBeVisible();
  await expect(page.getByText('No segments yet')).toBeVisible();
  await expectSettledAccessible(page);

  // A dynamic segment without conditions: the API's error shows on the conditions.
  await page.getByRole('button', { name: 'New segment' }).click();
  let dialog = await openedDialog(page, 'New segment');
  await fillField(dialog, 'Name', 'VIP leads');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(field(dialog, 'Conditions')).toContainText('a dynamic segment needs a filter');
  // With conditions: leads tagged vip, counted as they are chosen.
  await choose(page, dialog.getByTestId('filter-stage'), 'Lead');
  await dialog.getByRole('textbox', { name: 'Tag' }).fill('vip');
  await dialog.getByRole('textbox', { name: 'Tag' }).press('Enter');
  await expect(dialog.getByTestId('segment-matching')).toHaveText('1 customer matches now');
  await expect(field(dialog, 'Conditions')).not.toContainText('needs a filter');
  await expectSettledAccessible(page);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(page).toHaveURL(/\/segments\/[0-9a-f-]+$/);
  const vipId = page.url().split('/').pop()!;
  await expect(page.getByTestId('segment-name')).toHaveText('VIP leads');
  await expect(page.getByTestId('segment-kind')).toHaveText('Dynamic');
  await expect(page.getByTestId('segment-members')).toHaveText('1');
  await expect(page.getByTestId('segment-conditions')).toContainText('Lifecycle stage: Lead');
  await expect(page.getByTestId('segment-conditions')).toContainText('Tag: vip');
  await expect(row(page, 'Acme Trading')).toBeVisible();
  await expect(page.getByTestId('member-total')).toHaveText('1 in total');
  await expect(page.getByTestId('segment-size-chart')).toBeVisible();
  await expectSettledAccessible(page);
  await page.screenshot({ path: 'test-results/segment-en.png', fullPage: true });

  // A name taken (ignoring case) is refused on the name field.
  await nav(page, 'Segments').click();
  await page.getByRole('button', { name: 'New segment' }).click();
  dialog = await openedDialog(page, 'New segment');
  await fillField(dialog, 'Name', 'vip LEADS');
  await dialog.getByText('Static list').click();
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(field(dialog, 'Name')).toContainText('a segment with this name already exists');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();

  // Edited while someone else changed it: a conflict, reloaded, then saved with customers too.
  await row(page, 'VIP leads').getByRole('link', { name: 'VIP leads' }).click();
  await page.getByRole('button', { name: 'Edit' }).click();
  dialog = await openedDialog(page, 'Edit segment');
  await api(page, 'mutation($i: UpdateSegmentInput!) { updateSegment(input: $i) { segment { version } } }', {
    i: { id: vipId, version: 1, description: 'Changed elsewhere' },
  });
  await field(dialog, 'Description').locator('textarea').fill('Leads tagged vip');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.getByRole('alert')).toContainText('Someone changed this segment');
  await dialog.getByTestId('reload-after-conflict').click();
  await expect(field(dialog, 'Description').locator('textarea')).toHaveValue('Changed elsewhere');
  await choose(page, dialog.getByTestId('filter-stage'), 'Customer');
  await closeDropdown(dialog);
  await expect(dialog.getByTestId('segment-matching')).toHaveText('2 customers match now');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText('Segment saved')).toBeVisible();
  await expect(page.getByTestId('member-total')).toHaveText('2 in total');
  await expect(row(page, 'Globex')).toBeVisible();
  await expect(page.getByText('Changed elsewhere')).toBeVisible();

  // Export members: the customer CSV export of the segment's members.
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export members' }).click();
  const csv = readFileSync((await (await downloading).path())!, 'utf8');
  expect(csv).toContain('Acme Trading');
  expect(csv).toContain('Globex');
  expect(csv).not.toContain('Initech');
  expect(csv).not.toContain('Umbrella');

  // The customer list's filters saved as a dynamic segment.
  await nav(page, 'Customers').click();
  await page.getByRole('textbox', { name: 'Tag' }).fill('vip');
  await page.getByRole('textbox', { name: 'Tag' }).press('Enter');
  await expect(page.getByTestId('customer-total')).toHaveText('3 in total');
  await page.getByRole('button', { name: 'More filters' }).click();
  await page.getByRole('textbox', { name: 'Region' }).fill('East');
  await page.getByRole('textbox', { name: 'Region' }).press('Enter');
  await expect(page).toHaveURL(/tag=vip&region=East/);
  await expect(page.getByTestId('customer-total')).toHaveText('1 in total');
  await page.getByRole('button', { name: 'Save as segment' }).click();
  dialog = await openedDialog(page, 'Save the filters as a segment');
  await expect(dialog.getByRole('textbox', { name: 'Tag' })).toHaveValue('vip');
  await expect(dialog.getByRole('textbox', { name: 'Region' })).toHaveValue('East');
  await expect(dialog.getByTestId('segment-matching')).toHaveText('1 customer matches now');
  await fillField(dialog, 'Name', 'East VIPs');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('segment-name')).toHaveText('East VIPs');
  await expect(page.getByTestId('segment-conditions')).toContainText('Region: East');
  await expect(row(page, 'Umbrella')).toBeVisible();
  await expect(page.getByTestId('member-total')).toHaveText('1 in total');

  // A static list: customers added by search, one removed, more from a CSV file with a bad row.
  await nav(page, 'Segments').click();
  await page.getByRole('button', { name: 'New segment' }).click();
  dialog = await openedDialog(page, 'New segment');
  await fillField(dialog, 'Name', 'Trade fair 2026');
  await dialog.getByText('Static list').click();
  await expect(dialog.getByText('A static list starts empty')).toBeVisible();
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('segment-name')).toHaveText('Trade fair 2026');
  await expect(page.getByTestId('segment-kind')).toHaveText('Static list');
  await expect(page.getByText('No members yet')).toBeVisible();
  await page.getByRole('button', { name: 'Add customers' }).click();
  dialog = await openedDialog(page, 'Add customers to “Trade fair 2026”');
  const picker = dialog.getByRole('combobox', { name: 'Customers to add' });
  await pickAll(page, picker, dialog.getByTestId('pick-customers'), [
    ['acme', 'Acme Trading · info@acme.example', 'Acme Trading'],
    ['initech', 'Initech · hello@initech.example', 'Initech'],
  ]);
  await closeDropdown(dialog);
  await expectSettledAccessible(page);
  await dialog.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText('2 customers added')).toBeVisible();
  await expect(page.getByTestId('member-total')).toHaveText('2 in total');
  await row(page, 'Initech').getByRole('checkbox', { name: 'Select Initech' }).check();
  const actions = page.getByRole('group', { name: 'Actions on the selected members' });
  await expect(actions).toContainText('1 selected');
  await actions.getByRole('button', { name: 'Remove from list' }).click();
  await expect(page.getByText('1 customer removed')).toBeVisible();
  await expect(page.getByTestId('member-total')).toHaveText('1 in total');
  await expect(row(page, 'Initech')).toHaveCount(0);
  await expectSettledAccessible(page);

  await page.getByRole('button', { name: 'Import CSV' }).click();
  dialog = await openedDialog(page, 'Import customers into “Trade fair 2026”');
  await dialog.locator('input[type=file]').setInputFiles(
    csvFile('fair.csv', ['email', 'sales@globex.example', 'nobody@nowhere.example', 'info@acme.example']),
  );
  await expect(dialog.getByTestId('import-file')).toHaveText('fair.csv');
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(dialog.getByRole('status')).toContainText('1 bad row');
  const counts = dialog.getByTestId('import-counts').locator('td');
  await expect(counts.nth(0)).toHaveText('1');
  await expect(counts.nth(1)).toHaveText('1');
  await expect(counts.nth(2)).toHaveText('1');
  await page.screenshot({ path: 'test-results/segment-import-en.png' });
  const errorRow = dialog.getByTestId('import-errors').locator('tbody tr');
  await expect(errorRow).toHaveCount(1);
  await expect(errorRow.locator('td').nth(0)).toHaveText('2');
  await expectSettledAccessible(page);
  await dialog.locator('.ant-modal-footer').getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('member-total')).toHaveText('2 in total');
  await expect(row(page, 'Globex')).toBeVisible();

  // The customer's segments on its 360 page, each a link to the segment.
  await row(page, 'Acme Trading').getByRole('link', { name: 'Acme Trading' }).click();
  await expect(page.getByTestId('customer-name')).toHaveText('Acme Trading');
  const tags = page.getByRole('group', { name: 'Segments' });
  await expect(tags.getByRole('link')).toHaveText(['Trade fair 2026', 'VIP leads']);
  await expectSettledAccessible(page);
  await page.screenshot({ path: 'test-results/customer360-segments-en.png' });
  await tags.getByRole('link', { name: 'VIP leads' }).click();
  await expect(page.getByTestId('segment-name')).toHaveText('VIP leads');

  // The list: filtered by kind and by name, sorted by name.
  await nav(page, 'Segments').click();
  await expect(page.getByTestId('segment-total')).toHaveText('3 in total');
  await choose(page, page.getByTestId('filter-segment-kind'), 'Static list');
  await expect(page).toHaveURL(/kind=STATIC/);
  await expect(page.getByTestId('segment-total')).toHaveText('1 in total');
  await expect(row(page, 'Trade fair 2026')).toContainText('Static list');
  await page.goto('/segments');
  await page.getByRole('textbox', { name: 'Name contains' }).fill('vip');
  await page.getByRole('textbox', { name: 'Name contains' }).press('Enter');
  await expect(page.getByTestId('segment-total')).toHaveText('2 in total');
  await page.getByRole('columnheader', { name: 'Name' }).click();
  await expect(page).toHaveURL(/name=vip&sort=name-desc/);
  await expect(page.locator('tbody tr.ant-table-row').first()).toContainText('VIP leads');
  await expect(row(page, 'VIP leads').getByTestId('segment-member-count')).toHaveText('2');
  await expectSettledAccessible(page);

  // Deleted after confirming.
  await row(page, 'East VIPs').getByRole('link', { name: 'East VIPs' }).click();
  await page.getByRole('button', { name: 'Delete' }).click();
  await page.locator('.ant-popconfirm').getByRole('button', { name: 'Delete' }).click();
  await expect(page).toHaveURL(/\/segments$/);
  await expect(page.getByText('Segment “East VIPs” deleted')).toBeVisible();
  await expect(page.getByTestId('segment-total')).toHaveText('2 in total');

  // A sales member has no marketing: no menu, no segment tags, no segment pages.
  const salesEmail = `${unique('sales')}@example.com`;
  await api(page, 'mutation($i: InviteMemberInput!) { inviteMember(input: $i) { __typename } }', { i: { email: salesEmail, role: 'SALES' } });
  const sales = await browser.newPage();
  await sales.goto(`/invitations/accept?token=${encodeURIComponent(invitationToken(salesEmail))}`);
  await sales.getByLabel('Your name').fill('Sol Sales');
  await sales.getByLabel('Password').fill(PASSWORD);
  await sales.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(sales.getByText(/Welcome!/)).toBeVisible();
  await sales.goto('/sign-in');
  await fillField(sales, 'Email', salesEmail);
  await field(sales, 'Password').locator('input').fill(PASSWORD);
  await sales.getByRole('button', { name: 'Sign in' }).click();
  await expect(sales.getByTestId('customer-total')).toHaveText('4 in total');
  await expect(nav(sales, 'Customers')).toBeVisible();
  await expect(sales.getByRole('complementary').getByText('Marketing')).toHaveCount(0);
  await expect(nav(sales, 'Segments')).toHaveCount(0);
  await expect(sales.getByRole('button', { name: 'Save as segment' })).toHaveCount(0);
  await sales.getByRole('link', { name: 'Acme Trading' }).click();
  await expect(sales.getByTestId('customer-name')).toHaveText('Acme Trading');
  await expect(sales.getByTestId('customer-segments')).toHaveCount(0);
  await sales.goto(`/segments/${vipId}`);
  await expect(sales.getByText('You do not have access to this')).toBeVisible();
  await sales.close();
});

/** Two products; `baskets[i]` names the products the i-th customer bought (one order each, a week ago). */
async function seedBaskets(page: Page, customerIds: string[], baskets: ('Lamp' | 'Shade')[][], currency: string): Promise<Record<'Lamp' | 'Shade', string>> {
  const product = async (name: string) =>
    (
      await api<{ createProduct: { product: { id: string } } }>(page, 'mutation($i: CreateProductInput!) { createProduct(input: $i) { product { id } } }', {
        i: { sku: unique(name), name, category: 'Lighting' },
      })
    ).createProduct.product.id;
  const ids = { Lamp: await product('Lamp'), Shade: await product('Shade') };
  const orderedAt = new Date(Date.now() - 7 * 24 * 3600 * 1000).toISOString();
  for (const [i, id] of customerIds.entries()) {
    await api(page, 'mutation($i: CreateOrderInput!) { createOrder(input: $i) { order { id } } }', {
      i: { customerId: id, currency, orderedAt, lines: baskets[i].map((p) => ({ productId: ids[p], quantity: '1', unitPrice: '100.00' })) },
    });
  }
  return ids;
}

test('marketing campaigns: planned with field errors and a conflict, a segment audience, started, members moved, a cost, results by model, a programme campaign; growth and cross-sell (English)', async ({
  page,
}) => {
  test.slow();
  await signUp(page, 'cmp', 'Campaign Makers');
  const acme = await createCustomer(page, { name: 'Acme Trading', email: 'info@acme.example' });
  const globex = await createCustomer(page, { name: 'Globex', email: 'sales@globex.example' });
  const initech = await createCustomer(page, { name: 'Initech', email: 'hello@initech.example' });
  const { me } = await api<{ me: { tenant: { baseCurrency: string } } }>(page, '{ me { tenant { baseCurrency } } }', {});
  const products = await seedBaskets(page, [acme, globex, initech], [['Lamp', 'Shade'], ['Lamp', 'Shade'], ['Lamp']], me.tenant.baseCurrency);
  const list = await api<{ createSegment: { segment: { id: string } } }>(
    page,
    'mutation($i: CreateSegmentInput!) { createSegment(input: $i) { segment { id } } }',
    { i: { name: 'Spring list', kind: 'STATIC' } },
  );
  await api(page, 'mutation($i: SegmentMembersInput!) { addSegmentMembers(input: $i) { changed } }', {
    i: { segmentId: list.createSegment.segment.id, customerIds: [acme, globex, initech] },
  });
  // A campaign whose code the new one will ask for.
  await api(page, 'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } } }', {
    i: { code: 'spring-2026', plan: { name: 'Spring teaser', kind: 'SOCIAL' } },
  });

  // Marketing → Campaigns: the list with its filters.
  await nav(page, 'Campaigns').click();
  await expect(page.getByRole('heading', { name: 'Campaigns' })).toBeVisible();
  await expect(row(page, 'Spring teaser')).toContainText('Planned');
  await choose(page, page.getByTestId('filter-campaign-kind'), 'Email');
  await closeSelect(page, page.getByTestId('filter-campaign-kind'));
  await expect(page).toHaveURL(/kind=EMAIL/);
  await expect(page.getByText('No campaigns match these filters')).toBeVisible();
  await expectSettledAccessible(page);
  await page.goto('/campaigns');

  // Planned: the end before the start and a code taken are refused on their fields.
  await page.getByRole('button', { name: 'New campaign' }).click();
  let dialog = await openedDialog(page, 'New campaign');
  await fillField(dialog, 'Name', 'Spring launch');
  await fillField(dialog, 'Code', 'spring-2026');
  for (const [label, day] of [
    ['Starts', '2026-03-10'],
    ['Ends', '2026-03-01'],
  ]) {
    await field(dialog, label).locator('input').fill(day);
    await field(dialog, label).locator('input').press('Enter');
  }
  await field(dialog, 'Budget').locator('input').fill('1000');
  await field(dialog, 'Expected revenue').locator('input').fill('5000');
  await field(dialog, 'Expected responses').locator('input').fill('2');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(field(dialog, 'Ends')).toContainText('must not be before startsOn');
  await field(dialog, 'Ends').locator('input').fill('2026-04-30');
  await field(dialog, 'Ends').locator('input').press('Enter');
  await expect(field(dialog, 'Ends')).not.toContainText('must not be before');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(field(dialog, 'Code')).toContainText('another campaign of this workspace has this code');
  await expectSettledAccessible(page);
  await fillField(dialog, 'Code', 'spring-launch');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(page).toHaveURL(/\/campaigns\/[0-9a-f-]+$/);
  const campaignId = page.url().split('/').pop()!;
  await expect(page.getByTestId('campaign-name')).toHaveText('Spring launch');
  await expect(page.getByTestId('campaign-status')).toHaveText('Planned');

  // Edited while someone else changed it: a conflict, reloaded, saved.
  await page.getByRole('button', { name: 'Edit' }).click();
  dialog = await openedDialog(page, 'Edit campaign');
  await api(page, 'mutation($i: UpdateCampaignInput!) { updateCampaign(input: $i) { campaign { version } } }', {
    i: { id: campaignId, version: 1, plan: { objective: 'Win spring buyers' } },
  });
  await fillField(dialog, 'Name', 'Spring launch 2026');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.getByRole('alert')).toContainText('Someone changed this campaign');
  await dialog.getByTestId('reload-after-conflict').click();
  await expect(field(dialog, 'Objective').locator('textarea')).toHaveValue('Win spring buyers');
  await fillField(dialog, 'Name', 'Spring launch 2026');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('campaign-name')).toHaveText('Spring launch 2026');

  // A segment as the audience; its members join when the campaign starts.
  await page.getByRole('button', { name: 'Choose segments' }).click();
  dialog = await openedDialog(page, 'Audience of “Spring launch 2026”');
  await choose(page, dialog.getByTestId('pick-segments'), 'Spring list');
  await closeDropdown(dialog);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('campaign-audience')).toContainText('Spring list');
  await expect(page.getByText('No members yet')).toBeVisible();
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByTestId('campaign-status')).toHaveText('Active');
  const members = page.getByTestId('campaign-members');
  await expect(members.getByTestId('member-status')).toHaveText(['Targeted', 'Targeted', 'Targeted']);

  // Two members responded.
  for (const name of ['Acme Trading', 'Globex']) await row(members, name).getByRole('checkbox', { name: `Select ${name}` }).check();
  const actions = page.getByRole('group', { name: 'Actions on the selected members' });
  await expect(actions).toContainText('2 selected');
  await choose(page, actions.getByTestId('move-to-status'), 'Responded');
  await closeSelect(page, actions.getByTestId('move-to-status'));
  await actions.getByRole('button', { name: 'Set status' }).click();
  await expect(page.getByText('2 members moved to Responded')).toBeVisible();
  await expect(row(members, 'Acme Trading').getByTestId('member-status')).toHaveText('Responded');
  await choose(page, page.getByTestId('filter-member-status'), 'Responded');
  await closeSelect(page, page.getByTestId('filter-member-status'));
  await expect(page).toHaveURL(/status=RESPONDED/);
  await expect(members.getByTestId('member-status')).toHaveText(['Responded', 'Responded']);
  await expect(page.getByTestId('campaign-member-total')).toHaveText('2 in total');
  await expect(page.getByTestId('overview-responses')).toHaveText('2 / 2');
  await expectSettledAccessible(page);

  // An actual cost against the budget.
  await page.getByRole('tab', { name: 'Costs' }).click();
  await page.getByRole('button', { name: 'Add cost' }).click();
  dialog = await openedDialog(page, 'A cost of “Spring launch 2026”');
  await fillField(dialog, 'Category', 'Email platform');
  await field(dialog, 'Amount').locator('input').fill('300');
  await dialog.getByRole('button', { name: 'Add cost' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('cost-actual')).toHaveText('$300.00');
  await expect(page.getByTestId('campaign-costs')).toContainText('Email platform');
  await expect(page.getByTestId('overview-budget')).toHaveText('$300.00 / $1,000.00');
  await expectSettledAccessible(page);

  // An order after the campaign reached Acme: results under each attribution model.
  await api(page, 'mutation($i: CreateOrderInput!) { createOrder(input: $i) { order { id } } }', {
    i: { customerId: acme, currency: me.tenant.baseCurrency, campaign: 'spring-launch', lines: [{ productId: products.Lamp, quantity: '1', unitPrice: '1200.00' }] },
  });
  await page.reload();
  await page.getByRole('tab', { name: 'Results' }).click();
  const results = page.getByTestId('campaign-results');
  await expect(results.getByTestId('result-attributedRevenue')).toHaveText('$1,200.00');
  await expect(results.getByTestId('result-roi')).toHaveText('300%');
  await expect(results.getByTestId('result-acquisitions')).toHaveText('1');
  await expect(results.getByTestId('result-costPerAcquisition')).toHaveText('$300.00');
  await results.getByRole('radiogroup', { name: 'Attribution model' }).getByText('Linear', { exact: true }).click();
  await expect(page).toHaveURL(/model=LINEAR/);
  await expect(results.getByText(/^Linear: each order/)).toBeVisible();
  await expect(results.getByTestId('result-attributedRevenue')).toHaveText('$1,200.00');
  await expect(page.getByTestId('chart-campaign-models').locator('svg path').first()).toBeAttached();
  await expect(page.getByTestId('chart-campaign-members').locator('svg path').first()).toBeAttached();
  await expect(page.getByTestId('overview-revenue')).toHaveText('$1,200.00 / $5,000.00');
  await expectSettledAccessible(page);
  await page.screenshot({ path: 'test-results/campaign-en.png', fullPage: true });

  // A campaign of this programme.
  await page.getByRole('tab', { name: 'Programme campaigns (0)' }).click();
  await page.getByRole('button', { name: 'Add a campaign' }).click();
  dialog = await openedDialog(page, 'New campaign in “Spring launch 2026”');
  await fillField(dialog, 'Name', 'Spring webinar');
  await choose(page, field(dialog, 'Channel').locator('.ant-select'), 'Webinar');
  await closeDropdown(dialog);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('campaign-name')).toHaveText('Spring webinar');
  await page.getByRole('navigation').getByRole('link', { name: 'Spring launch 2026' }).click();
  await page.getByRole('tab', { name: 'Programme campaigns (1)' }).click();
  await expect(page.getByTestId('campaign-children')).toContainText('Spring webinar');
  await expect(page.getByTestId('campaign-children')).toContainText('Webinar');

  // The list sorted by name, only programmes and single campaigns.
  await nav(page, 'Campaigns').click();
  await expect(page.getByTestId('campaign-total')).toHaveText('3 in total');
  // Checked once the address holds it (a plain check() looks before the page has read it back).
  await page.getByRole('checkbox', { name: 'Programmes and single campaigns only' }).click();
  await expect(page.getByRole('checkbox', { name: 'Programmes and single campaigns only' })).toBeChecked();
  await expect(page.getByTestId('campaign-total')).toHaveText('2 in total');
  await page.getByRole('columnheader', { name: 'Name' }).click();
  await expect(page).toHaveURL(/top=1&sort=name-asc/);
  await expect(page.locator('tbody tr.ant-table-row').first()).toContainText('Spring launch 2026');
  // Results side by side.
  await page.getByRole('checkbox', { name: 'Compare results (last touch, 90 days)' }).click();
  await expect(page).toHaveURL(/results=1/);
  await expect(row(page, 'Spring launch 2026').getByTestId('list-roi')).toHaveText('300%');
  await expect(row(page, 'Spring launch 2026').getByTestId('list-attributedRevenue')).toHaveText('$1,200.00');
  await expect(row(page, 'Spring teaser').getByTestId('list-roi')).toHaveText('—');
  await expectSettledAccessible(page);

  // Customer value: growth in three directions, and what to offer Initech.
  await nav(page, 'Customer value').click();
  const growth = page.getByTestId('growth-panel');
  await expect(growth.getByTestId('growth-activeCustomers')).toHaveText('3');
  await expect(growth.getByTestId('growth-newCustomers')).toHaveText('3');
  // Every order is this period's: nothing to compare with, so no chart of changes.
  await expect(growth.getByText('The previous period has no figures to compare with.')).toBeVisible();
  await expect(page.getByTestId('chart-growth')).toHaveCount(0);
  const crossSell = page.getByTestId('cross-sell-panel');
  await crossSell.getByRole('combobox', { name: 'Customer' }).fill('initech');
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: 'Initech' }).click();
  await expect(crossSell.getByTestId('cross-sell').locator('tbody tr.ant-table-row').first()).toContainText('Shade');
  await expect(crossSell.getByTestId('cross-sell').locator('tbody tr.ant-table-row').first()).toContainText('Lamp');
  await expectSettledAccessible(page);
  await page.screenshot({ path: 'test-results/growth-en.png', fullPage: true });
  await crossSell.getByRole('link', { name: 'Open Initech' }).click();
  await expect(page.getByTestId('customer-name')).toHaveText('Initech');
  await expect(page.getByTestId('cross-sell')).toContainText('Shade');
});
