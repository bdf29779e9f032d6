import { expect, test, type Page } from '@playwright/test';
import { expectAccessible, PASSWORD, unique } from './helpers';

/** Presses Tab until `isTarget` holds for the focused element (at most `max` times; none when it already does). */
async function tabTo(page: Page, describe: string, isTarget: (el: Element) => boolean, max = 60): Promise<void> {
  const focused = () => page.evaluate(`(${isTarget.toString()})(document.activeElement)`);
  if (await focused()) return;
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await focused()) return;
  }
  throw new Error(`Tab never reached ${describe}`);
}

test('sign-in and sign-up pages are accessible; sign in and create a customer with the keyboard only', async ({ page, request }) => {
  const slug = unique('keys');
  const email = `${slug}@example.com`;
  const signUp = await request.post('/graphql', {
    data: {
      query: 'mutation($i: SignUpInput!) { signUp(input: $i) { __typename } }',
      variables: { i: { tenantName: 'Keyboard Co', tenantSlug: slug, email, password: PASSWORD, displayName: 'Kim Keys', locale: 'en' } },
    },
  });
  expect((await signUp.json()).errors).toBeUndefined();

  await page.goto('/sign-up');
  await expect(page.getByRole('heading', { name: 'Create your workspace' })).toBeVisible();
  await expectAccessible(page);

  await page.goto('/sign-in');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expectAccessible(page);

  // The email field has the focus on arrival; Tab moves through the form, Enter submits.
  await expect(page.getByRole('textbox', { name: 'Email' })).toBeFocused();
  await page.keyboard.type(email);
  await tabTo(page, 'the password', (el) => el instanceof HTMLInputElement && el.autocomplete === 'current-password');
  await page.keyboard.type(PASSWORD);
  await tabTo(page, 'the workspace', (el) => el instanceof HTMLInputElement && el.autocomplete === 'organization');
  await page.keyboard.type(slug);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/customers$/);
  await expect(page.getByText('No customers yet')).toBeVisible();

  // To "New customer", open it, fill name and email, save: Tab, typing and Enter only.
  await tabTo(page, 'New customer', (el) => el instanceof HTMLButtonElement && el.textContent?.trim() === 'New customer');
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'New customer' });
  await expect(dialog).toBeVisible();
  await tabTo(page, 'the name field', (el) => el instanceof HTMLInputElement && el.id.endsWith('name') && !!el.closest('[role="dialog"]'));
  await page.keyboard.type('Keyed In Ltd');
  await tabTo(page, 'the email field', (el) => el instanceof HTMLInputElement && el.id.endsWith('email') && !!el.closest('[role="dialog"]'));
  await page.keyboard.type('hello@keyed.example');
  await tabTo(page, 'Save', (el) => el instanceof HTMLButtonElement && el.type === 'submit' && !!el.closest('[role="dialog"]'));
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('link', { name: 'Keyed In Ltd' })).toBeVisible();
  await expect(page.getByTestId('customer-total')).toHaveText('1 in total');
});
