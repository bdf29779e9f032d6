import { expect, type Locator, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { execFileSync } from 'node:child_process';

export const PASSWORD = 'correct horse battery staple 42';

export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** Picks `option` in the Ant Design select `select`. */
export async function choose(page: Page, select: Locator, option: string): Promise<void> {
  const exact = new RegExp(`^${option.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  const item = page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: exact }).first();
  // What the select shows as chosen: its items carry their label as title.
  const chosen = () => select.locator('[title]').evaluateAll((els) => els.map((e) => e.getAttribute('title')));
  // Again if a click met the dropdown while it was opening or closing.
  await expect(async () => {
    if (!(await chosen()).includes(option)) {
      if (!(await item.isVisible())) await select.click();
      await item.click({ timeout: 2_000 });
    }
    expect(await chosen()).toContain(option);
  }).toPass({ timeout: 15_000 });
}

/**
 * Closes the dropdown of the select `select` as a keyboard user does: Escape
 * in its own input (a page-wide Escape is lost when the click on an option
 * moved the focus elsewhere, and the open list then covers the page).
 */
export async function closeSelect(page: Page, select: Locator): Promise<void> {
  await select.locator('input').first().press('Escape');
  await expect(page.locator('.ant-select-dropdown:visible')).toHaveCount(0);
}

/**
 * Picks several options of the searching multi-select `picker` (whose chosen
 * items show in `picked`): each `[typed, option, shown]` types `typed` and
 * clicks `option`, until every `shown` is among the chosen. A click that met
 * the list of an earlier search takes off an option already chosen, so the
 * picks are checked together and made again until all hold.
 */
export async function pickAll(
  page: Page,
  picker: Locator,
  picked: Locator,
  picks: [typed: string, option: string, shown: string][],
): Promise<void> {
  await expect(async () => {
    for (const [typed, option, shown] of picks) {
      if (!((await picked.textContent()) ?? '').includes(shown)) {
        await picker.fill(typed);
        await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: option }).click({ timeout: 2_000 });
      }
    }
    for (const [, , shown] of picks) await expect(picked).toContainText(shown, { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
}

/** The form item (label, control and messages) labelled `label`. */
export function field(scope: Page | Locator, label: string): Locator {
  // `has` is relative to each form item, so it comes from the page.
  const page = 'page' in scope && typeof scope.page === 'function' ? (scope as Locator).page() : (scope as Page);
  return scope.locator('.ant-form-item').filter({ has: page.locator(`label:text-is("${label}")`) });
}

export async function fillField(scope: Page | Locator, label: string, value: string): Promise<void> {
  await field(scope, label).locator('input').first().fill(value);
}

/**
 * No serious or critical accessibility violations on the page at rest: the
 * pointer off every control and its finite animations and transitions
 * ended (colours caught half-way through a transition fail the contrast
 * rule although neither end does).
 */
export async function expectAccessible(page: Page): Promise<void> {
  // The page as it rests: no control under the pointer (hover colours).
  await page.mouse.move(0, 0);
  await page.waitForFunction(() =>
    document
      .getAnimations()
      .every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity),
  );
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map((v) => `${v.id}: ${v.help}: ${v.nodes.map((n) => `${n.target.join(' ')} ${n.failureSummary ?? ''}`).join('; ')}`),
  ).toEqual([]);
}

/** The session the console keeps in sessionStorage. */
export async function storedSession(page: Page): Promise<{ accessToken: string; refreshToken: string; expiresAt: number }> {
  return page.evaluate(() => JSON.parse(sessionStorage.getItem('crm.session') ?? 'null'));
}

/** Calls the public API as the signed-in user (for what this slice has no screen for yet). */
export async function api<T = Record<string, unknown>>(page: Page, query: string, variables: Record<string, unknown>): Promise<T> {
  const { accessToken } = await storedSession(page);
  const response = await page.request.post('/graphql', {
    headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json' },
    data: { query, variables },
  });
  const body = await response.json();
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data as T;
}

/**
 * Types into text filters (by accessible name) and presses Enter in each, all
 * in one task of the page: nothing renders between them except what React
 * flushes synchronously, as when someone types faster than the page renders.
 */
export async function commitFiltersInOneTask(page: Page, filters: [label: string, value: string][]): Promise<void> {
  await page.evaluate((items) => {
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
    for (const [label, value] of items) {
      const input = document.querySelector<HTMLInputElement>(`input[aria-label="${label}"]`);
      if (!input) throw new Error(`no input labelled ${label}`);
      input.focus();
      setValue.call(input, value);
      input.dispatchEvent(new Event('input', { bubbles: true }));
      for (const type of ['keydown', 'keyup']) {
        input.dispatchEvent(new KeyboardEvent(type, { key: 'Enter', code: 'Enter', keyCode: 13, bubbles: true }));
      }
    }
  }, filters);
}

/** Signs up a new workspace in English and lands on the customer list. */
export async function signUp(page: Page, prefix: string, company: string): Promise<string> {
  const slug = unique(prefix);
  await page.goto('/sign-up');
  await fillField(page, 'Company name', company);
  await fillField(page, 'Workspace address', slug);
  await fillField(page, 'Your name', 'Sam Seller');
  await fillField(page, 'Email', `${slug}@example.com`);
  await field(page, 'Password').locator('input').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page).toHaveURL(/\/customers$/);
  return slug;
}

/** The board's column of the stage named `stage`. */
export function stageColumn(page: Page, stage: string): Locator {
  return page.getByRole('region', { name: stage, exact: true }).and(page.getByTestId('stage-column'));
}

/** A deal's card on the board, by the deal's name. */
export function dealCard(scope: Locator, name: string): Locator {
  return scope.getByTestId('deal-card').filter({ has: scope.page().getByRole('link', { name, exact: true }) });
}

/** A link of the main menu. */
export function nav(page: Page, name: string): Locator {
  return page.getByRole('complementary').getByRole('navigation').getByRole('link', { name, exact: true });
}

/**
 * The dialog named `name`, once its opening animation has ended (a click on
 * its buttons while it zooms in was sometimes lost: the qualify dialog stayed
 * open with nothing sent, in about one run in three).
 */
export async function openedDialog(page: Page, name: string): Promise<Locator> {
  const dialog = page.getByRole('dialog', { name });
  await expect(dialog).toBeVisible();
  await expect(dialog).not.toHaveClass(/-(appear|enter)\b/);
  return dialog;
}

/**
 * The token of the latest invitation sent to `email`, read from the message
 * the server queued (as the server's own tests do): the run's database only.
 */
export function invitationToken(email: string): string {
  const url = process.env.CRM_E2E_DATABASE_OWNER_URL;
  if (!url) throw new Error('CRM_E2E_DATABASE_OWNER_URL is not set: invitations need the run started by the global setup');
  const out = execFileSync('psql', ['-X', '-q', '-A', '-t', '-d', url], {
    input: `SELECT body FROM outbound_messages WHERE recipient = '${email.replace(/'/g, "''")}' ORDER BY created_at DESC LIMIT 1;`,
  }).toString();
  const token = /crm_inv_\S+/.exec(out)?.[0];
  if (!token) throw new Error(`no invitation message to ${email}`);
  return token;
}

/** A CSV file for an upload control. */
export function csvFile(name: string, lines: string[]): { name: string; mimeType: string; buffer: Buffer } {
  return { name, mimeType: 'text/csv', buffer: Buffer.from(lines.join('\r\n') + '\r\n', 'utf8') };
}

/**
 * Gives each customer orders through the API (a product first), so customer
 * value has purchase history: `orders[i]` amounts for the i-th customer,
 * a month apart and ending a week ago.
 */
export async function seedOrders(page: Page, customerIds: string[], orders: number[][], currency: string): Promise<void> {
  const product = await api<{ createProduct: { product: { id: string } } }>(
    page,
    'mutation($i: CreateProductInput!) { createProduct(input: $i) { product { id } } }',
    { i: { sku: unique('SKU'), name: 'Widget', category: 'Hardware' } },
  );
  const productId = product.createProduct.product.id;
  const day = 24 * 3600 * 1000;
  for (const [i, id] of customerIds.entries()) {
    for (const [n, amount] of orders[i].entries()) {
      const orderedAt = new Date(Date.now() - 7 * day - (orders[i].length - 1 - n) * 30 * day - i * day).toISOString();
      await api(page, 'mutation($i: CreateOrderInput!) { createOrder(input: $i) { order { id } } }', {
        i: { customerId: id, currency, orderedAt, lines: [{ productId, quantity: '1', unitPrice: amount.toFixed(2) }] },
      });
    }
  }
}
