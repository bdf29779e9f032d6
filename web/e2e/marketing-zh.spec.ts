import { expect, test, type Locator, type Page } from '@playwright/test';
import { api, choose, csvFile, expectAccessible, field, fillField, invitationToken, nav, openedDialog, PASSWORD, unique, pickAll } from './helpers';

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
  await expect(page.locator('.ant-select-dropdown:visible')).toHaveCount(0);
  await expectAccessible(page);
}

const row = (page: Page, name: string) => page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });

/** Closes an open select's dropdown in a dialog (Escape would close the dialog). */
const closeDropdown = async (dialog: Locator) => {
  await dialog.locator('.ant-modal-title').click();
  await expect(dialog.page().locator('.ant-select-dropdown:visible')).toHaveCount(0);
};

test('营销细分：按条件和从客户列表创建动态细分，静态名单的添加、移出与 CSV 导入，客户页的细分标签，只读成员看不到营销（简体中文）', async ({
  page,
  browser,
}) => {
  test.slow();
  const slug = unique('hangzhou');
  await page.goto('/sign-up');
  await choose(page, page.getByTestId('language-switch'), '简体中文');
  await fillField(page, '公司名称', '杭州茶庄');
  await fillField(page, '工作区地址', slug);
  await fillField(page, '您的姓名', '王芳');
  await fillField(page, '邮箱', `${slug}@example.com`);
  await field(page, '密码').locator('input').fill(PASSWORD);
  await choose(page, field(page, '本位币').locator('.ant-select'), 'CNY');
  await page.getByRole('button', { name: '创建工作区' }).click();
  await expect(page.getByRole('heading', { name: '客户' })).toBeVisible();

  await createCustomer(page, { name: '苏州绣坊', email: 'a@xiu.example', tags: ['重点'], lifecycleStage: 'LEAD' });
  await createCustomer(page, { name: '无锡茶行', email: 'b@tea.example', tags: ['重点'], lifecycleStage: 'CUSTOMER' });
  await createCustomer(page, { name: '杭州丝绸', email: 'c@silk.example', lifecycleStage: 'LEAD' });

  // 营销 → 细分：还没有细分。
  await nav(page, '细分').click();
  await expect(page.getByRole('heading', { name: '细分' })).toBeVisible();
  await expect(page.getByText('还没有细分')).toBeVisible();

  // 动态细分：生命周期阶段为线索。
  await page.getByRole('button', { name: '新建细分' }).click();
  let dialog = await openedDialog(page, '新建细分');
  await fillField(dialog, '名称', '潜在线索');
  await dialog.getByRole('button', { name: /保\s*存/ }).click();
  await expect(field(dialog, '条件')).toContainText('动态细分需要筛选条件');
  await choose(page, dialog.getByTestId('filter-stage'), '线索');
  await closeDropdown(dialog);
  await expect(dialog.getByTestId('segment-matching')).toHaveText('当前有 2 位客户符合');
  await expectSettledAccessible(page);
  await dialog.getByRole('button', { name: /保\s*存/ }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('segment-name')).toHaveText('潜在线索');
  await expect(page.getByTestId('segment-kind')).toHaveText('动态');
  await expect(page.getByTestId('segment-conditions')).toContainText('生命周期阶段：线索');
  await expect(page.getByTestId('member-total')).toHaveText('共 2 条');
  await expect(row(page, '苏州绣坊')).toBeVisible();
  await expect(row(page, '杭州丝绸')).toBeVisible();
  await expectSettledAccessible(page);
  await page.screenshot({ path: 'test-results/segment-zh-CN.png', fullPage: true });

  // 客户列表的筛选条件保存为细分。
  await nav(page, '客户').click();
  await page.getByRole('textbox', { name: '标签' }).fill('重点');
  await page.getByRole('textbox', { name: '标签' }).press('Enter');
  await expect(page.getByTestId('customer-total')).toHaveText('共 2 条');
  await page.getByRole('button', { name: '保存为细分' }).click();
  dialog = await openedDialog(page, '将筛选条件保存为细分');
  await expect(dialog.getByRole('textbox', { name: '标签' })).toHaveValue('重点');
  await fillField(dialog, '名称', '重点客户');
  await dialog.getByRole('button', { name: /保\s*存/ }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('segment-name')).toHaveText('重点客户');
  await expect(page.getByTestId('segment-conditions')).toContainText('标签：重点');
  await expect(page.getByTestId('member-total')).toHaveText('共 2 条');
  await expect(row(page, '无锡茶行')).toBeVisible();

  // 静态名单：搜索添加两位客户，移出一位，再从含一行错误的 CSV 导入。
  await nav(page, '细分').click();
  await page.getByRole('button', { name: '新建细分' }).click();
  dialog = await openedDialog(page, '新建细分');
  await fillField(dialog, '名称', '展会名单');
  await dialog.getByText('静态名单').click();
  await dialog.getByRole('button', { name: /保\s*存/ }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('segment-kind')).toHaveText('静态名单');
  await expect(page.getByText('还没有成员')).toBeVisible();
  await page.getByRole('button', { name: '添加客户' }).click();
  dialog = await openedDialog(page, '向“展会名单”添加客户');
  const picker = dialog.getByRole('combobox', { name: '要添加的客户' });
  await pickAll(page, picker, dialog.getByTestId('pick-customers'), [
    ['苏州', '苏州绣坊 · a@xiu.example', '苏州绣坊'],
    ['杭州', '杭州丝绸 · c@silk.example', '杭州丝绸'],
  ]);
  await closeDropdown(dialog);
  await dialog.getByRole('button', { name: /^添\s*加$/ }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText('已添加 2 位客户')).toBeVisible();
  await expect(page.getByTestId('member-total')).toHaveText('共 2 条');
  await row(page, '杭州丝绸').getByRole('checkbox', { name: '选择 杭州丝绸' }).check();
  await page.getByRole('group', { name: '对所选成员的操作' }).getByRole('button', { name: '移出名单' }).click();
  await expect(page.getByText('已移出 1 位客户')).toBeVisible();
  await expect(page.getByTestId('member-total')).toHaveText('共 1 条');
  await expectSettledAccessible(page);

  await page.getByRole('button', { name: '导入 CSV' }).click();
  dialog = await openedDialog(page, '向“展会名单”导入客户');
  await dialog.locator('input[type=file]').setInputFiles(csvFile('名单.csv', ['email', 'b@tea.example', 'nobody@nowhere.example']));
  await expect(dialog.getByTestId('import-file')).toHaveText('名单.csv');
  await dialog.getByRole('button', { name: /^导\s*入$/ }).click();
  await expect(dialog.getByRole('status')).toContainText('1 行有错误');
  const counts = dialog.getByTestId('import-counts').locator('td');
  await expect(counts.nth(0)).toHaveText('1');
  await expect(counts.nth(1)).toHaveText('0');
  await expect(counts.nth(2)).toHaveText('1');
  await expect(dialog.getByTestId('import-errors').locator('tbody tr td').first()).toHaveText('2');
  await expectSettledAccessible(page);
  await dialog.locator('.ant-modal-footer').getByRole('button', { name: /关\s*闭/ }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('member-total')).toHaveText('共 2 条');

  // 客户页：所属细分的标签链接到细分。
  await row(page, '苏州绣坊').getByRole('link', { name: '苏州绣坊' }).click();
  await expect(page.getByTestId('customer-name')).toHaveText('苏州绣坊');
  const tags = page.getByRole('group', { name: '所属细分' });
  for (const name of ['潜在线索', '重点客户', '展会名单']) await expect(tags.getByRole('link', { name })).toBeVisible();
  await expectSettledAccessible(page);
  await tags.getByRole('link', { name: '重点客户' }).click();
  await expect(page.getByTestId('segment-name')).toHaveText('重点客户');

  // 细分列表：按类型筛选。
  await nav(page, '细分').click();
  await expect(page.getByTestId('segment-total')).toHaveText('共 3 条');
  await choose(page, page.getByTestId('filter-segment-kind'), '静态名单');
  await expect(page.getByTestId('segment-total')).toHaveText('共 1 条');
  await expect(row(page, '展会名单')).toContainText('静态名单');
  await expectSettledAccessible(page);

  // 只读成员：没有营销菜单，客户页上也没有细分。
  const email = `${unique('zhviewer')}@example.com`;
  await api(page, 'mutation($i: InviteMemberInput!) { inviteMember(input: $i) { __typename } }', { i: { email, role: 'VIEWER' } });
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
  await expect(viewer.getByTestId('customer-total')).toBeVisible();
  await choose(viewer, viewer.getByTestId('language-switch'), '简体中文');
  await expect(viewer.getByTestId('customer-total')).toHaveText('共 3 条');
  await expect(nav(viewer, '客户')).toBeVisible();
  await expect(viewer.getByRole('complementary').getByText('营销')).toHaveCount(0);
  await expect(nav(viewer, '细分')).toHaveCount(0);
  await expect(viewer.getByRole('button', { name: '保存为细分' })).toHaveCount(0);
  await viewer.getByRole('link', { name: '苏州绣坊' }).click();
  await expect(viewer.getByTestId('customer-name')).toHaveText('苏州绣坊');
  await expect(viewer.getByTestId('customer-segments')).toHaveCount(0);
  await viewer.close();
});

test('营销活动：创建活动、以细分为受众、启动、记录成本、查看效果（简体中文）', async ({ page }) => {
  test.slow();
  const slug = unique('ningbo');
  await page.goto('/sign-up');
  await choose(page, page.getByTestId('language-switch'), '简体中文');
  await fillField(page, '公司名称', '宁波灯具');
  await fillField(page, '工作区地址', slug);
  await fillField(page, '您的姓名', '李娜');
  await fillField(page, '邮箱', `${slug}@example.com`);
  await field(page, '密码').locator('input').fill(PASSWORD);
  await choose(page, field(page, '本位币').locator('.ant-select'), 'CNY');
  await page.getByRole('button', { name: '创建工作区' }).click();
  await expect(page.getByRole('heading', { name: '客户' })).toBeVisible();

  const first = await createCustomer(page, { name: '苏州绣坊', email: 'a@xiu.example' });
  const second = await createCustomer(page, { name: '无锡茶行', email: 'b@tea.example' });
  const list = await api<{ createSegment: { segment: { id: string } } }>(
    page,
    'mutation($i: CreateSegmentInput!) { createSegment(input: $i) { segment { id } } }',
    { i: { name: '春季名单', kind: 'STATIC' } },
  );
  await api(page, 'mutation($i: SegmentMembersInput!) { addSegmentMembers(input: $i) { changed } }', {
    i: { segmentId: list.createSegment.segment.id, customerIds: [first, second] },
  });

  // 营销 → 营销活动：还没有活动；新建一个。
  await nav(page, '营销活动').click();
  await expect(page.getByRole('heading', { name: '营销活动' })).toBeVisible();
  await expect(page.getByText('还没有营销活动')).toBeVisible();
  await page.getByRole('button', { name: '新建活动' }).click();
  let dialog = await openedDialog(page, '新建活动');
  await dialog.getByRole('button', { name: /保\s*存/ }).click();
  await expect(field(dialog, '名称')).toContainText('必填');
  await fillField(dialog, '名称', '春季新品');
  await fillField(dialog, '代码', 'spring-cn');
  await field(dialog, '预算').locator('input').fill('2000');
  await dialog.getByRole('button', { name: /保\s*存/ }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('campaign-name')).toHaveText('春季新品');
  await expect(page.getByTestId('campaign-status')).toHaveText('计划中');

  // 受众：春季名单；启动后成员加入。
  await page.getByRole('button', { name: '选择细分' }).click();
  dialog = await openedDialog(page, '“春季新品”的受众');
  await choose(page, dialog.getByTestId('pick-segments'), '春季名单');
  await closeDropdown(dialog);
  await dialog.getByRole('button', { name: /保\s*存/ }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('campaign-audience')).toContainText('春季名单');
  await page.getByRole('button', { name: /启\s*动/ }).click();
  await expect(page.getByTestId('campaign-status')).toHaveText('进行中');
  await expect(page.getByTestId('campaign-members').getByTestId('member-status')).toHaveText(['已选定', '已选定']);
  await expectSettledAccessible(page);

  // 成本：实际 500 元。
  await page.getByRole('tab', { name: '成本' }).click();
  await page.getByRole('button', { name: '添加成本' }).click();
  dialog = await openedDialog(page, '“春季新品”的成本');
  await fillField(dialog, '类别', '短信平台');
  await field(dialog, '金额').locator('input').fill('500');
  await dialog.getByRole('button', { name: '添加成本' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('cost-actual')).toHaveText('¥500.00');
  await expect(page.getByTestId('overview-budget')).toHaveText('¥500.00 / ¥2,000.00');

  // 效果：实际成本、归因模型切换和图表。
  await page.getByRole('tab', { name: '效果' }).click();
  const results = page.getByTestId('campaign-results');
  await expect(results.getByTestId('result-actualCost')).toHaveText('¥500.00');
  await expect(results.getByTestId('result-reached')).toHaveText('0 / 2');
  await results.getByRole('radiogroup', { name: '归因模型' }).getByText('首次接触', { exact: true }).click();
  await expect(page).toHaveURL(/model=FIRST_TOUCH/);
  await expect(results.getByText(/^首次接触：/)).toBeVisible();
  await expect(page.getByTestId('chart-campaign-models').locator('svg path').first()).toBeAttached();
  await expectSettledAccessible(page);
  await page.screenshot({ path: 'test-results/campaign-zh-CN.png', fullPage: true });
});
