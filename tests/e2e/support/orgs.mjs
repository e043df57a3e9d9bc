// Journeys' shared steps around organizations: the platform operator (one account per test
// file's server, made through the setup link once), creating an organization and provisioning
// its owner, accepting an invitation by creating an account, and checking where a person landed.
import assert from 'node:assert/strict';

import {
  assertOk,
  assertSignedInHeader,
  banner,
  bodyText,
  button,
  clickThrough,
  field,
  heading,
  link,
  main,
  pathname,
  visit,
} from './page.mjs';

const SELF_SIGNUP_LABEL = 'Let people sign up on its own sign-up page (they join as members)';

/**
 * The operator of a test file's server. The setup link works once per data directory: the first
 * test that asks for the operator creates the account through it, later ones reuse its cookies.
 * Returns `operatorPage(newPage)`, a page signed in as the operator on the caller's context.
 */
export function operatorOf(services, operator) {
  let session = null;
  return async function operatorPage(newPage) {
    session ??= createOperator(services, operator, newPage);
    return newPage({ storageState: await session });
  };
}

async function createOperator(services, operator, newPage) {
  const page = await newPage();
  const setupLink = await services.operatorSetupLink();
  assert.equal(new URL(setupLink).origin, services.baseURL, 'the setup link must use the server address');
  assertOk(await visit(page, setupLink), 'open the operator setup link');
  await field(page, 'Name').fill(operator.name);
  await field(page, 'Email').fill(operator.email);
  await field(page, 'Password').fill(operator.password);
  assertOk(await clickThrough(page, button(page, 'Create operator account')), 'create the operator');
  assert.equal(pathname(page), '/admin');
  assert.equal(await heading(page), 'Operator portal');
  // In <main>: the header's nav has an "Organizations" link of its own (to the picker).
  for (const name of ['Organizations', 'Users', 'Audit log']) {
    assert.ok(await link(main(page), name).isVisible(), `the operator portal links to "${name}"`);
  }
  return page.context().storageState();
}

/**
 * Creates an organization from the operator's list page and returns its address (slug). An
 * empty `slug` leaves the Address field empty, for the app to derive one from the name.
 */
export async function createOrg(page, { name, slug = '', mode, selfSignup = false }) {
  assertOk(await visit(page, '/admin/orgs'), 'open the organization list');
  assert.equal(await heading(page), 'Organizations');
  assertOk(await clickThrough(page, link(main(page), 'Create organization')), 'open the new-organization form');
  assert.equal(pathname(page), '/admin/orgs/new');

  await field(page, 'Name').fill(name);
  await field(page, 'Address').fill(slug);
  await page.getByRole('radio', { name: mode === 'shared' ? /^Shared:/ : /^Isolated:/ }).check();
  await page.getByRole('checkbox', { name: SELF_SIGNUP_LABEL, exact: true }).setChecked(selfSignup);
  assertOk(await clickThrough(page, button(page, 'Create organization')), `create ${name}`);

  const match = /^\/admin\/orgs\/([^/]+)$/.exec(pathname(page));
  assert.ok(match, `creating an organization lands on /admin/orgs/{slug}, not ${pathname(page)}`);
  const created = decodeURIComponent(match[1]);
  if (slug) {
    assert.equal(created, slug, 'the address given is the one used');
  } else {
    assert.match(created, /^[a-z0-9-]+$/, 'a derived address is lowercase letters, digits and hyphens');
  }
  assert.equal(await heading(page), name);
  return created;
}

/** On /admin/orgs/{slug}: invites `email` to become an owner. */
export async function provisionAdmin(page, email) {
  const section = page.getByRole('region', { name: 'Provision an administrator' });
  await field(section, 'Email').fill(email);
  assertOk(await clickThrough(page, button(section, 'Send invitation')), `invite ${email}`);
  assert.match(await bodyText(page), /The invitation was sent\./);
}

/** Accepts an invitation for an address with no account yet: the page creates one. */
export async function acceptByCreatingAccount(page, invitation, { orgName, name, password }) {
  assertOk(await visit(page, invitation), 'open the invitation');
  assert.equal(await heading(page), `Join ${orgName}`);
  await field(page, 'Name').fill(name);
  await field(page, 'Password').fill(password);
  assertOk(await clickThrough(page, button(page, 'Create account and join')), `join ${orgName}`);
}

/** The organization's home, /o/<slug>, as seen by someone with `role` in it. */
export async function assertInOrg(page, { slug, name }, role) {
  assert.equal(pathname(page), `/o/${slug}`);
  assert.equal(await heading(page), name);
  assert.match(await bodyText(page), new RegExp(`You are ${role} of this organization\\.`));
  const membersLinks = await link(main(page), 'Members').count();
  assert.equal(membersLinks, role === 'member' ? 0 : 1, `a ${role} ${role === 'member' ? 'does not see' : 'sees'} "Members"`);
  assert.ok(await link(main(page), 'Switch organization').isVisible(), 'the home links to the picker');
  await assertCurrentOrg(page, name);
  await assertSignedInHeader(page);
}

export async function assertCurrentOrg(page, name) {
  const current = banner(page).locator('.current-org');
  assert.equal(await current.count(), 1, 'the header shows the current organization');
  assert.equal((await current.innerText()).trim(), name, 'the header names the current organization');
}
