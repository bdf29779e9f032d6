import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import {
  api,
  choose,
  csvFile,
  expectAccessible,
  field,
  fillField,
  invitationToken,
  nav,
  openedDialog,
  PASSWORD,
  seedOrders,
  signUp,
  unique,
} from './helpers';

const HEADER = 'name,email,lifecycleStage,country,externalId';

test('import with a bad row, export, customer value dashboard, API key, a viewer invited (English)', async ({ page, browser }) => {
  await signUp(page, 'imp', 'Import Works');

  // Import: a dry run reports the bad row; nothing is written.
  await page.getByRole('button', { name: 'Import' }).click();
  let dialog = await openedDialog(page, 'Import customers from CSV');
  await dialog.locator('input[type=file]').setInputFiles(
    csvFile('customers.csv', [
      HEADER,
      'Alpha Imports,alpha@imports.example,CUSTOMER,DE,ext-1',
      'Beta Imports,beta@imports.example,SOMETIMES,US,ext-2',
      'Gamma Imports,gamma@imports.example,PROSPECT,FR,ext-3',
    ]),
  );
  await expect(dialog.getByTestId('import-file')).toHaveText('customers.csv');
  // The file's columns, each with the field it fills.
  await expect(dialog.getByRole('combobox', { name: 'Field of column lifecycleStage' })).toBeVisible();
  await dialog.getByRole('button', { name: 'Check file' }).click();
  await expect(dialog.getByRole('status')).toContainText('1 bad row');
  const errorRow = dialog.getByTestId('import-errors').locator('tbody tr');
  await expect(errorRow).toHaveCount(1);
  await expect(errorRow.locator('td').nth(0)).toHaveText('2');
  await expect(errorRow.locator('td').nth(1)).toHaveText(/lifecycleStage/i);
  await expect(dialog.getByRole('button', { name: 'Import', exact: true })).toBeDisabled();
  await expectAccessible(page);

  // Fixed, checked again, imported.
  await dialog.locator('input[type=file]').setInputFiles(
    csvFile('customers-fixed.csv', [
      HEADER,
      'Alpha Imports,alpha@imports.example,CUSTOMER,DE,ext-1',
      'Beta Imports,beta@imports.example,LEAD,US,ext-2',
      'Gamma Imports,gamma@imports.example,PROSPECT,FR,ext-3',
    ]),
  );
  await expect(dialog.getByTestId('import-errors')).toBeHidden();
  await dialog.getByRole('button', { name: 'Check file' }).click();
  await expect(dialog.getByRole('status')).toHaveText('Every row can be imported.');
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(dialog.getByRole('status')).toHaveText('Imported.');
  const counts = dialog.getByTestId('import-counts');
  await expect(counts.locator('td').nth(0)).toHaveText('3');
  await expect(counts.locator('td').nth(1)).toHaveText('3');
  await dialog.locator('.ant-modal-footer').getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('customer-total')).toHaveText('3 in total');

  // Export the filtered list: the file holds what the filter shows.
  await page.getByRole('textbox', { name: 'Country' }).fill('de');
  await page.getByRole('textbox', { name: 'Country' }).press('Enter');
  await expect(page.getByTestId('customer-total')).toHaveText('1 in total');
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const download = await downloading;
  const csv = readFileSync((await download.path())!, 'utf8');
  expect(csv.split(/\r?\n/)[0]).toMatch(/^\uFEFF?id,/);
  expect(csv).toContain('Alpha Imports');
  expect(csv).not.toContain('Beta Imports');

  // Purchase history, then a recompute from the dashboard.
  const { customers, me } = await api<{
    customers: { edges: { node: { id: string; name: string } }[] };
    me: { tenant: { baseCurrency: string } };
  }>(page, '{ customers(first: 10, orderBy: [{ field: NAME, direction: ASC }]) { edges { node { id name } } } me { tenant { baseCurrency } } }', {});
  const ids = customers.edges.map((e) => e.node.id);
  await seedOrders(page, ids, [[900, 1200, 800, 1500], [120, 80], [40]], me.tenant.baseCurrency);
  await nav(page, 'Customer value').click();
  await expect(page.getByRole('heading', { name: 'Customer value' })).toBeVisible();
  await expect(page.getByText('No figures yet')).toBeVisible();
  await page.getByRole('button', { name: 'Recompute' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('Succeeded', { timeout: 60_000 });
  for (const chart of ['chart-tiers', 'chart-pareto', 'chart-rfm', 'chart-segments', 'chart-clv', 'chart-churn']) {
    await expect(page.getByTestId(chart).locator('svg path').first()).toBeAttached();
  }
  // Figures as the API gives them.
  const { customerValueSummary: summary } = await api<{
    customerValueSummary: { customerCount: number; tiers: { tier: string; customers: number }[] };
  }>(page, '{ customerValueSummary { customerCount tiers { tier customers } } }', {});
  expect(summary.customerCount).toBe(3);
  await expect(page.getByTestId('stat-customers')).toContainText(String(summary.customerCount));
  const tierA = summary.tiers.find((x) => x.tier === 'A')!;
  await expect(page.getByTestId('tier-table').getByRole('row', { name: /Tier A/ }).locator('td').nth(1)).toHaveText(
    String(tierA.customers),
  );
  // The RFM grid's cells add up to the customers scored.
  const cells = await page.getByTestId('chart-rfm').locator('svg text').allTextContents();
  expect(cells.length).toBeGreaterThan(0);
  // The pivot: revenue by value tier.
  await choose(page, page.getByTestId('pivot-dimensions'), 'Value tier');
  await expect(page).toHaveURL(/by=MONTH%2CVALUE_TIER|by=MONTH,VALUE_TIER/);
  await expect(page.getByTestId('chart-analyze').locator('svg path').first()).toBeAttached();
  await expect(page.getByTestId('pivot-total-REVENUE')).toContainText('4,640');
  await expectAccessible(page);
  await page.screenshot({ path: 'test-results/analytics-en.png', fullPage: true });

  // An API key: the secret once, then only its prefix; it works as a bearer token.
  await nav(page, 'Administration').click();
  await page.getByRole('tab', { name: 'API keys' }).click();
  await fillField(page, 'Name', 'Warehouse sync');
  await choose(page, field(page, 'Scopes').locator('.ant-select'), 'customers:read');
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Create key' }).click();
  dialog = await openedDialog(page, 'API key “Warehouse sync” created');
  const secret = (await dialog.getByTestId('api-key-secret').innerText()).trim();
  expect(secret.length).toBeGreaterThan(20);
  await expect(dialog.getByRole('button', { name: 'Copy' })).toBeVisible();
  await dialog.getByRole('button', { name: 'I have stored the key' }).click();
  await expect(dialog).toBeHidden();
  const keyRow = page.getByTestId('api-keys').getByRole('row', { name: /Warehouse sync/ });
  await expect(keyRow).toContainText('customers:read');
  await expect(keyRow).toContainText('Active');
  await expect(page.getByText(secret)).toHaveCount(0);
  // The list shows the key's visible part (the API masks the rest).
  const visible = (await keyRow.locator('code').innerText()).split('…').filter((part) => part.length > 4);
  expect(visible.length).toBeGreaterThan(0);
  for (const part of visible) expect(secret).toContain(part.replace(/^_/, ''));
  const viaKey = await page.request.post('/graphql', {
    headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' },
    data: { query: '{ me { apiKey { name } } }' },
  });
  expect((await viaKey.json()).data.me.apiKey.name).toBe('Warehouse sync');
  await expectAccessible(page);

  // Workspace settings: customer value, a service level, the request allowance.
  await page.getByRole('tab', { name: 'Settings' }).click();
  const valueSettings = page.getByTestId('value-settings');
  await expect(field(valueSettings, 'Tier A covers').locator('input')).toHaveValue('80');
  await field(valueSettings, 'Tier A covers').locator('input').fill('70');
  await field(valueSettings, 'Tier B covers').locator('input').fill('35');
  await valueSettings.getByRole('button', { name: 'Save' }).click();
  // Shares over 100 % together: the API's error, on its field.
  await expect(field(valueSettings, 'Tier B covers')).toContainText('tier A and tier B shares together must not exceed 1');
  await field(valueSettings, 'Tier B covers').locator('input').fill('20');
  await valueSettings.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Settings saved')).toBeVisible();
  const { customerValueSettings } = await api<{ customerValueSettings: { tierAShare: string; tierBShare: string } }>(
    page,
    '{ customerValueSettings { tierAShare tierBShare } }',
    {},
  );
  expect(Number(customerValueSettings.tierAShare)).toBe(0.7);
  expect(Number(customerValueSettings.tierBShare)).toBe(0.2);
  const levels = page.getByTestId('service-level-settings');
  const urgent = levels.getByRole('row', { name: /Urgent/ });
  await expect(urgent).toContainText('default');
  await urgent.getByRole('spinbutton', { name: 'First response minutes, Urgent' }).fill('30');
  await urgent.getByRole('button', { name: 'Save Urgent' }).click();
  await expect(page.getByText('Service level of Urgent saved')).toBeVisible();
  await expect(urgent).not.toContainText('default');
  await expect(page.getByTestId('rate-limit-limit')).toHaveText('100,000 requests per minute');
  await expect(page.locator('.ant-message-notice')).toHaveCount(0);
  await expectAccessible(page);
  await page.screenshot({ path: 'test-results/settings-en.png', fullPage: true });

  // A viewer invited, joining through the invitation link, sees no create buttons and no administration.
  const viewerEmail = `${unique('viewer')}@example.com`;
  await page.getByRole('tab', { name: 'Invitations' }).click();
  const inviteForm = page.locator('form[id="invite"]');
  await fillField(inviteForm, 'Email', viewerEmail);
  await choose(page, field(inviteForm, 'Role').locator('.ant-select'), 'Viewer');
  await inviteForm.getByRole('button', { name: 'Send invitation' }).click();
  const invitation = page.getByTestId('invitations').getByRole('row', { name: new RegExp(viewerEmail.replace(/[.]/g, '\\.')) });
  await expect(invitation).toContainText('Pending');
  await expect(invitation).toContainText('Viewer');

  const viewer = await browser.newPage();
  await viewer.goto(`/invitations/accept?token=${encodeURIComponent(invitationToken(viewerEmail))}`);
  await viewer.getByLabel('Your name').fill('Vera Viewer');
  await viewer.getByLabel('Password').fill(PASSWORD);
  await viewer.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(viewer.getByText(/Welcome!/)).toBeVisible();
  await viewer.goto('/sign-in');
  await fillField(viewer, 'Email', viewerEmail);
  await field(viewer, 'Password').locator('input').fill(PASSWORD);
  await viewer.getByRole('button', { name: 'Sign in' }).click();
  await expect(viewer).toHaveURL(/\/customers$/);
  await expect(viewer.getByTestId('customer-total')).toHaveText('3 in total');
  await expect(viewer.getByRole('button', { name: 'Export CSV' })).toBeVisible();
  await expect(viewer.getByRole('button', { name: 'New customer' })).toHaveCount(0);
  await expect(viewer.getByRole('button', { name: 'Import' })).toHaveCount(0);
  await expect(nav(viewer, 'Administration')).toHaveCount(0);
  await viewer.getByRole('link', { name: 'Alpha Imports' }).click();
  await expect(viewer.getByTestId('customer-name')).toHaveText('Alpha Imports');
  await expect(viewer.getByRole('button', { name: 'Edit' })).toHaveCount(0);
  await nav(viewer, 'Customer value').click();
  await expect(viewer.getByTestId('stat-customers')).toContainText('3');
  await expect(viewer.getByRole('button', { name: 'Recompute' })).toHaveCount(0);
  await viewer.goto('/admin?tab=apiKeys');
  await expect(viewer.getByText('No access')).toBeVisible();
  // The API refuses the viewer's write all the same: FORBIDDEN, shown as no access.
  const { accessToken } = await viewer.evaluate(() => JSON.parse(sessionStorage.getItem('crm.session') ?? 'null'));
  const refused = await viewer.request.post('/graphql', {
    headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json' },
    data: { query: 'mutation { recomputeCustomerValue { id } }' },
  });
  expect((await refused.json()).errors[0].extensions.code).toBe('FORBIDDEN');
  await viewer.close();

  // The owner sees the invitation accepted and the viewer among the members.
  await page.reload();
  await expect(invitation).toContainText('Accepted');
  await page.getByRole('tab', { name: 'Members' }).click();
  await expect(page.getByRole('row', { name: /Vera Viewer/ })).toBeVisible();
  await page.getByRole('tab', { name: 'Audit log' }).click();
  await expect(page.getByTestId('audit-log').getByText('api_key.created').first()).toBeVisible();
});
