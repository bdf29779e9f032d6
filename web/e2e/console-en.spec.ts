import { expect, test } from '@playwright/test';
import { api, choose, commitFiltersInOneTask, expectAccessible, field, fillField, PASSWORD, storedSession, unique, closeSelect } from './helpers';

test('sign up, create, search, filter, 360, edit, sessions (English)', async ({ page }) => {
  // The server's Content-Security-Policy must not block anything the console does.
  const blocked: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) blocked.push(m.text());
  });
  const slug = unique('acme');
  const email = `${slug}@example.com`;

  // Sign up.
  await page.goto('/sign-up');
  await expect(page.getByRole('heading', { name: 'Create your workspace' })).toBeVisible();
  await fillField(page, 'Company name', 'Acme Holdings');
  await fillField(page, 'Workspace address', slug);
  await fillField(page, 'Your name', 'Ann Example');
  await fillField(page, 'Email', email);
  await field(page, 'Password').locator('input').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page).toHaveURL(/\/customers$/);
  await expect(page.getByRole('heading', { name: 'Customers' })).toBeVisible();
  await expect(page.getByText('No customers yet')).toBeVisible();

  // Create customers.
  const customers = [
    { name: 'Acme Trading', email: 'info@acme-trading.example', stage: 'Lead', tag: 'vip', country: 'DE' },
    { name: 'Globex Corporation', email: 'sales@globex.example', stage: 'Customer', tag: 'enterprise', country: 'US' },
    { name: 'Initech', email: 'hello@initech.example', stage: 'Prospect', tag: 'vip', country: 'US' },
  ];
  for (const c of customers) {
    await page.getByRole('button', { name: 'New customer' }).click();
    const dialog = page.getByRole('dialog', { name: 'New customer' });
    await fillField(dialog, 'Name', c.name);
    await fillField(dialog, 'Email', c.email);
    await choose(page, field(dialog, 'Lifecycle stage').locator('.ant-select'), c.stage);
    await field(dialog, 'Tags').locator('input').fill(c.tag);
    await field(dialog, 'Tags').locator('input').press('Enter');
    await fillField(dialog, 'Country', c.country);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('link', { name: c.name })).toBeVisible();
  }
  await expect(page.getByTestId('customer-total')).toHaveText('3 in total');
  await expectAccessible(page);

  // Search, typo tolerated.
  await page.getByRole('searchbox', { name: /Search by name/ }).fill('globx');
  await page.getByRole('searchbox', { name: /Search by name/ }).press('Enter');
  await expect(page.getByText('Best matches for “globx”')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Globex Corporation' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Initech' })).toBeHidden();
  await page.getByRole('button', { name: 'Clear search' }).click();

  // Filter by stage, then by tag and country; sort by name.
  await choose(page, page.getByTestId('filter-stage'), 'Lead');
  await closeSelect(page, page.getByTestId('filter-stage'));
  await expect(page.getByRole('link', { name: 'Acme Trading' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Globex Corporation' })).toBeHidden();
  await expect(page).toHaveURL(/stage=LEAD/);
  // Keyboard: Backspace removes the chosen stage.
  await page.getByRole('combobox', { name: 'Lifecycle stage' }).focus();
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Escape');
  await expect(page).not.toHaveURL(/stage=/);
  await page.getByRole('textbox', { name: 'Tag' }).fill('vip');
  await page.getByRole('textbox', { name: 'Tag' }).press('Enter');
  await expect(page).toHaveURL(/tag=vip/);
  await page.getByRole('textbox', { name: 'Country' }).fill('us');
  await page.getByRole('textbox', { name: 'Country' }).press('Enter');
  await expect(page).toHaveURL(/tag=vip&country=US/);
  await expect(page.getByTestId('customer-total')).toHaveText('1 in total');
  await expect(page.getByRole('link', { name: 'Initech' })).toBeVisible();
  await page.goto('/customers');
  // Two filters committed before React renders the first change (both in one
  // task, as a quick typist can): the second must not undo the first. The
  // router shows the address in a transition, so the page re-renders late.
  await expect(page.getByTestId('customer-total')).toHaveText('3 in total');
  await commitFiltersInOneTask(page, [
    ['Tag', 'vip'],
    ['Country', 'us'],
  ]);
  await expect(page).toHaveURL(/\?tag=vip&country=US$/);
  await expect(page.getByTestId('customer-total')).toHaveText('1 in total');
  await expect(page.getByRole('link', { name: 'Initech' })).toBeVisible();
  await page.goto('/customers');
  const firstRow = page.locator('tbody tr.ant-table-row').first();
  await page.getByRole('columnheader', { name: 'Name' }).click();
  await expect(page).toHaveURL(/sort=name-asc/);
  await expect(firstRow).toContainText('Acme Trading');
  await page.getByRole('columnheader', { name: 'Name' }).click();
  await expect(firstRow).toContainText('Initech');

  // The 360 page.
  await page.getByRole('link', { name: 'Acme Trading' }).click();
  await expect(page.getByTestId('customer-name')).toHaveText('Acme Trading');
  await expect(page.getByTestId('customer-stage')).toHaveText('Lead');
  // A contact and interactions, logged through the API, show on reload.
  const customerId = page.url().split('/').pop();
  await api(page, 'mutation($i: CreateContactInput!) { createContact(input: $i) { contact { id } } }', {
    i: { customerId, name: 'Maria Schmidt', title: 'Head of Purchasing', email: 'maria@acme-trading.example' },
  });
  for (const [kind, subject] of [
    ['CALL', 'Discovery call'],
    ['MEETING', 'Product demo'],
  ]) {
    await api(page, 'mutation($i: LogInteractionInput!) { logInteraction(input: $i) { interaction { id } } }', {
      i: { customerId, kind, subject, direction: 'OUTBOUND', body: `${subject} with Maria` },
    });
  }
  await page.reload();
  await expect(page.getByText('Contacts (1)')).toBeVisible();
  await expect(page.getByTestId('timeline-entry').getByText('Meeting · Product demo')).toBeVisible();
  await expect(page.getByTestId('timeline-entry').getByText('Customer created')).toBeVisible();
  await expect(page.getByText('info@acme-trading.example')).toBeVisible();
  await expectAccessible(page);
  const customerUrl = page.url();
  await page.screenshot({ path: 'test-results/customer360-en.png', fullPage: true });

  // Edit: the API's validation error appears on its field; then a valid save.
  await page.getByRole('button', { name: 'Edit' }).click();
  let dialog = page.getByRole('dialog', { name: 'Edit customer' });
  await fillField(dialog, 'Email', 'not-an-email');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(field(dialog, 'Email').locator('.ant-form-item-explain-error')).toBeVisible();
  await fillField(dialog, 'Email', 'contact@acme-trading.example');
  await expect(field(dialog, 'Email').locator('.ant-form-item-explain-error')).toBeHidden();
  await choose(page, field(dialog, 'Lifecycle stage').locator('.ant-select'), 'Customer');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('customer-stage')).toHaveText('Customer');
  await expect(page.getByTestId('timeline-entry').getByText('Lifecycle stage changed')).toBeVisible();

  // A change made elsewhere meanwhile: the stale save is a conflict to reload.
  await page.getByRole('button', { name: 'Edit' }).click();
  dialog = page.getByRole('dialog', { name: 'Edit customer' });
  const session = await storedSession(page);
  const id = customerUrl.split('/').pop();
  const other = await page.request.post('/graphql', {
    headers: { Authorization: `Bearer ${session.accessToken}`, 'Content-Type': 'application/json' },
    data: {
      query: 'query($id: ID!) { c: customer(id: $id) { version } }',
      variables: { id },
    },
  });
  const version = (await other.json()).data.c.version;
  const changed = await page.request.post('/graphql', {
    headers: { Authorization: `Bearer ${session.accessToken}`, 'Content-Type': 'application/json' },
    data: {
      query: 'mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { version } } }',
      variables: { input: { id, version, industry: 'Logistics' } },
    },
  });
  expect((await changed.json()).data.updateCustomer.customer.version).toBe(version + 1);
  await fillField(dialog, 'Website', 'https://acme-trading.example');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.getByText(/Someone changed this customer/)).toBeVisible();
  await dialog.getByTestId('reload-after-conflict').click();
  await expect(field(dialog, 'Industry').locator('input')).toHaveValue('Logistics');
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // A token about to expire is renewed silently.
  await page.evaluate(() => {
    const s = JSON.parse(sessionStorage.getItem('crm.session')!);
    s.expiresAt = Date.now();
    sessionStorage.setItem('crm.session', JSON.stringify(s));
  });
  await page.reload();
  await expect(page.getByTestId('customer-name')).toHaveText('Acme Trading');
  expect((await storedSession(page)).refreshToken).not.toBe(session.refreshToken);

  // Sign out, and back in.
  await page.getByTestId('user-menu').click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await fillField(page, 'Email', email);
  await field(page, 'Password').locator('input').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Customers' })).toBeVisible();

  // An expired session returns to sign-in, and then to the page.
  await page.goto(customerUrl);
  await expect(page.getByTestId('customer-name')).toHaveText('Acme Trading');
  await page.evaluate(() => {
    const s = JSON.parse(sessionStorage.getItem('crm.session')!);
    s.accessToken = 'expired';
    s.refreshToken = 'revoked';
    sessionStorage.setItem('crm.session', JSON.stringify(s));
  });
  await page.reload();
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  await expect(page.getByText('Your session has expired')).toBeVisible();
  await fillField(page, 'Email', email);
  await field(page, 'Password').locator('input').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(customerUrl);
  await expect(page.getByTestId('customer-name')).toHaveText('Acme Trading');
  expect(blocked).toEqual([]);
});
