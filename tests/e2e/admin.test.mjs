// Browser journeys through the organization admin portal: an admin invites a colleague who
// accepts from the email as a new user; an existing user opens an invitation while signed in as
// someone else and switches; an admin bulk-invites from a CSV file and reads the per-row
// results; an admin uploads a logo and sets the primary colour, previews them and saves, and the
// organization's sign-in page shows both; an admin removes a member, who then cannot open the
// organization. axe audits every page visited (WCAG 2 A and AA).
//
// One usher and one SMTP sink for the file; each test makes its own organization and addresses.
import assert from 'node:assert/strict';

import {
  acceptByCreatingAccount,
  assertInOrg,
  assertOk,
  bodyText,
  button,
  clickThrough,
  createOrg,
  e2eSuite,
  field,
  fillSignup,
  heading,
  link,
  linkIn as linkInMail,
  main,
  operatorOf,
  pathname,
  provisionAdmin,
  runTag,
  signOut,
  visit,
  waitForMail,
} from './support/index.mjs';

const { services, browserTest } = e2eSuite();

const RUN = runTag();
const PASSWORD = 'correct horse battery staple 42';
const INVITATION_SUBJECT = 'You are invited to join an organization on Usher';
const INVITATION_PATH = /^\/invitations\/[^/]+$/;
const emailFor = (who) => `${who}.${RUN}@example.com`;
const operatorPage = operatorOf(services, {
  name: 'Olive Operator',
  email: emailFor('operator'),
  password: 'operator passphrase for e2e 11',
});

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/** The invitation link mailed to `to` for `org`, naming who invited them and as what. */
async function invitationLink({ to, org, inviter, role }) {
  const textOf = (mail) => (mail.text ?? mail.html ?? '').replace(/\s+/g, ' ');
  const mail = await waitForMail(services.maildir, {
    to,
    subject: INVITATION_SUBJECT,
    match: (candidate) => textOf(candidate).includes(` join ${org.name} `),
  });
  const expected = `${inviter} invited you to join ${org.name} as ${role}`;
  assert.ok(textOf(mail).includes(expected), `the invitation says "${expected}"; it says:\n${textOf(mail)}`);
  return linkInMail(mail, INVITATION_PATH, services.baseURL);
}

/**
 * A new organization whose owner accepted the operator's invitation in a browser of their own.
 * Returns the organization and the owner's page, signed in, at the organization's home.
 */
async function orgWithOwner(newPage, label) {
  const operator = await operatorPage(newPage);
  const org = { name: `${label} ${RUN}`, mode: 'shared' };
  org.slug = await createOrg(operator, org);
  const owner = { name: `Owen ${label}`, email: emailFor(`owner-${label.toLowerCase()}`), password: PASSWORD };
  await provisionAdmin(operator, owner.email);
  const page = await newPage();
  const invitation = await invitationLink({ to: owner.email, org, inviter: 'Olive Operator', role: 'owner' });
  await acceptByCreatingAccount(page, invitation, { orgName: org.name, ...owner });
  await assertInOrg(page, org, 'owner');
  return { org, owner, page };
}

/** From the organization's home, into the portal, then to one of its sections. */
async function openSection(page, org, section) {
  assertOk(await visit(page, `/o/${org.slug}`), `open /o/${org.slug}`);
  assertOk(await clickThrough(page, link(main(page), 'Administration')), 'open the administration');
  assert.equal(pathname(page), `/o/${org.slug}/admin/members`, 'the portal opens on its members');
  const tabs = page.getByRole('navigation', { name: 'Administration' });
  assertOk(await clickThrough(page, link(tabs, section)), `open ${section}`);
  assert.equal(await tabs.locator('[aria-current="page"]').innerText(), section);
}

/** On the invitations section: invites `email` as `role` (a label of the Role list). */
async function inviteOne(page, email, role) {
  await field(page, 'Email').fill(email);
  await field(page, 'Role').selectOption({ label: role });
  assertOk(await clickThrough(page, button(page, 'Send invitation')), `invite ${email}`);
  assert.match(await bodyText(page), /The invitation was sent\./);
}

/** The invitations table's row for `email`. */
const invitationRow = (page, email) => main(page).getByRole('row').filter({ hasText: email });

browserTest('an admin invites a colleague, who accepts from the email as a new user', {
  timeout: 180_000,
}, async ({ newPage }) => {
  const { org, owner, page } = await orgWithOwner(newPage, 'Invitco');
  const colleague = { name: 'Cleo Colleague', email: emailFor('colleague'), password: 'colleague passphrase 77' };

  await openSection(page, org, 'Invitations');
  await inviteOne(page, colleague.email, 'Admin');
  assert.match(await invitationRow(page, colleague.email).innerText(), /pending/i);

  const invited = await newPage();
  const invitation = await invitationLink({ to: colleague.email, org, inviter: owner.name, role: 'admin' });
  await acceptByCreatingAccount(invited, invitation, { orgName: org.name, ...colleague });
  await assertInOrg(invited, org, 'admin');

  // The inviter sees the invitation answered, and the colleague among the members.
  assertOk(await visit(page, `/o/${org.slug}/admin/invitations`), 'reload the invitations');
  assert.match(await invitationRow(page, colleague.email).innerText(), /accepted/i);
  assertOk(await visit(page, `/o/${org.slug}/admin/members`), 'open the members');
  assert.match(await main(page).getByRole('row').filter({ hasText: colleague.email }).innerText(), /admin/);
  // A second click on the used link takes the new member into the organization.
  assertOk(await visit(invited, invitation), 'open the used invitation again');
  assert.equal(pathname(invited), `/o/${org.slug}`);
});

browserTest('an existing user opens an invitation while signed in as someone else and switches', {
  timeout: 180_000,
}, async ({ newPage }) => {
  const { org, owner, page } = await orgWithOwner(newPage, 'Switchco');
  const existing = { name: 'Eddie Existing', email: emailFor('existing'), password: 'existing passphrase 88' };
  const own = await newPage();
  assertOk(await visit(own, '/signup'), 'open /signup');
  await fillSignup(own, existing);
  assertOk(await clickThrough(own, button(own, 'Create account')), 'sign up');
  const verification = await waitForMail(services.maildir, { to: existing.email, subject: 'Verify your email address' });
  assertOk(await visit(own, linkInMail(verification, '/verify-email', services.baseURL)), 'open the verification link');
  assertOk(await clickThrough(own, button(own, 'Confirm email')), 'confirm the email');

  await openSection(page, org, 'Invitations');
  await inviteOne(page, existing.email, 'Member');
  const invitation = await invitationLink({ to: existing.email, org, inviter: owner.name, role: 'member' });

  // Opened in the owner's browser: the page names both addresses and burns nothing.
  assertOk(await visit(page, invitation), 'open the invitation as the owner');
  const warning = main(page).getByRole('alert');
  assert.match(await warning.innerText(), new RegExp(`signed in as ${owner.email}.*for ${existing.email}`));
  assertOk(await clickThrough(page, button(page, 'Sign out and continue')), 'sign out and continue');
  assert.equal(new URL(page.url()).href, invitation, 'back on the invitation, signed out');
  await field(page, 'Password').fill(existing.password);
  assertOk(await clickThrough(page, button(page, 'Sign in and join')), `join ${org.name}`);
  await assertInOrg(page, org, 'member');
});

browserTest('an admin bulk-invites from a CSV file and reads what became of each row', {
  timeout: 180_000,
}, async ({ newPage }) => {
  const { org, owner, page } = await orgWithOwner(newPage, 'Bulkco');
  const csv = [
    'email,role',
    `${emailFor('bulk-one')},member`,
    `${emailFor('bulk-two')},admin`,
    'not-an-address,member',
    `${emailFor('bulk-three')},emperor`,
    `${owner.email},member`,
    `${emailFor('bulk-one')},admin`,
  ].join('\n');

  await openSection(page, org, 'Invitations');
  await field(page, 'CSV file').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  assertOk(await clickThrough(page, button(page, 'Upload and invite')), 'upload the file');
  assert.equal(await heading(page), `${org.name} · administration`);
  assert.match(await main(page).getByRole('status').innerText(), /2 of 6 rows were invited/);
  const results = await main(page).getByRole('row').evaluateAll((rows) =>
    rows.slice(1).map((row) => [...row.cells].map((cell) => cell.innerText.trim())),
  );
  assert.deepEqual(
    results.map(([line, email, , result]) => [line, email, result]),
    [
      ['2', emailFor('bulk-one'), 'invited'],
      ['3', emailFor('bulk-two'), 'invited'],
      ['4', 'not-an-address', 'invalid email'],
      ['5', emailFor('bulk-three'), 'unknown role (use member, admin or owner)'],
      ['6', owner.email, 'already a member'],
      ['7', emailFor('bulk-one'), 'listed twice in the file'],
    ],
  );
  // The two invited get their mail; the list shows them pending.
  for (const [who, role] of [['bulk-one', 'member'], ['bulk-two', 'admin']]) {
    await invitationLink({ to: emailFor(who), org, inviter: owner.name, role });
  }
  assertOk(await clickThrough(page, link(main(page), 'Back to invitations')), 'back to the invitations');
  assert.match(await invitationRow(page, emailFor('bulk-two')).innerText(), /pending/i);
});

browserTest('an admin sets a logo and a colour, previews them, and the sign-in page shows both', {
  timeout: 180_000,
}, async ({ newPage }) => {
  const { org, page } = await orgWithOwner(newPage, 'Brandco');
  await openSection(page, org, 'Branding');
  await field(page, 'Upload a logo').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: PNG });
  await field(page, 'Primary colour').fill('#7b1fa2');

  // Preview works without script: the form posts and comes back with the preview and the file.
  assertOk(await clickThrough(page, button(page, 'Preview')), 'preview');
  const preview = page.getByRole('region', { name: 'Preview of your sign-in page' });
  assert.ok(await preview.isVisible(), 'the preview is shown');
  assert.equal(await preview.locator('.button').evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(123, 31, 162)');
  assert.ok(await page.getByRole('img', { name: 'The new logo' }).isVisible(), 'the uploaded logo is carried over');
  assertOk(await clickThrough(page, button(page, 'Save')), 'save');
  assert.ok(await page.getByRole('img', { name: 'The current logo' }).isVisible(), 'the logo is saved');

  const visitor = await newPage();
  assertOk(await visit(visitor, `/o/${org.slug}/login`), `open /o/${org.slug}/login`);
  const logo = visitor.locator('header .brand-logo');
  assert.match(await logo.getAttribute('src'), new RegExp(`^/o/${org.slug}/logo`));
  assert.equal(await logo.evaluate((img) => img.complete && img.naturalWidth), 1, 'the logo loads');
  const continueButton = button(visitor, 'Continue');
  assert.equal(await continueButton.evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(123, 31, 162)');
});

browserTest('an admin removes a member, who then cannot open the organization', {
  timeout: 180_000,
}, async ({ newPage }) => {
  const { org, owner, page } = await orgWithOwner(newPage, 'Removeco');
  const leaver = { name: 'Rory Removed', email: emailFor('removed'), password: 'removed passphrase 99' };
  await openSection(page, org, 'Invitations');
  await inviteOne(page, leaver.email, 'Member');
  const theirs = await newPage();
  const invitation = await invitationLink({ to: leaver.email, org, inviter: owner.name, role: 'member' });
  await acceptByCreatingAccount(theirs, invitation, { orgName: org.name, ...leaver });
  await assertInOrg(theirs, org, 'member');

  await openSection(page, org, 'Members');
  assertOk(await clickThrough(page, button(page, `Remove ${leaver.email}`)), 'remove the member');
  assert.match(await bodyText(page), /The member was removed\. Their access ended at once\./);
  assert.equal(await main(page).getByRole('row').filter({ hasText: leaver.email }).count(), 0);

  // Their very next request to the organization finds nothing there.
  const response = await visit(theirs, `/o/${org.slug}`);
  assert.equal(response.status(), 404);
  assertOk(await visit(theirs, '/orgs'), 'open the picker');
  assert.ok(!(await bodyText(theirs)).includes(org.name), 'the organization is gone from their picker');
  await signOut(theirs);
});
