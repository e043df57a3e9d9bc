// Browser journeys for organizations: the self-signup portal for a new company, the operator
// creating organizations and provisioning their administrators by invitation, one person in
// two shared organizations (the picker and switching), and one address in two isolated
// organizations (separate accounts, separate passwords); and an invitation accepted by signing
// in to an existing account. axe audits every page visited (WCAG 2 A and AA).
//
// The whole file shares one usher and one SMTP sink (started by e2eSuite's hooks). Tests do not
// depend on each other's order: each makes its own organizations and addresses, tagged with a
// per-run tag, and the operator account is created by whichever test needs it first.
import assert from 'node:assert/strict';

import {
  acceptByCreatingAccount,
  assertInOrg,
  assertOk,
  banner,
  bodyText,
  button,
  clickThrough,
  createOrg,
  e2eSuite,
  enterEmail,
  enterPassword,
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
  signIn,
  signOut,
  visit,
  waitForMail,
} from './support/index.mjs';

const { services, browserTest } = e2eSuite();

const RUN = runTag();
const PASSWORD = 'correct horse battery staple 42';
const INVITATION_SUBJECT = 'You are invited to join an organization on Usher';
const INVITATION_PATH = /^\/invitations\/[^/]+$/;

/** An address unique to this run (whole addresses are compared, so prefixes cannot clash). */
const emailFor = (who) => `${who}.${RUN}@example.com`;

const OPERATOR = {
  name: 'Olive Operator',
  email: emailFor('operator'),
  password: 'operator passphrase for e2e 11',
};

const operatorPage = operatorOf(services, OPERATOR);

/** The link in a mail that goes to `expectedPath`, checked to point at this server. */
const linkIn = (mail, expectedPath) => linkInMail(mail, expectedPath, services.baseURL);

/** Finds an organization with the list's search, as an operator among many would, and opens it. */
async function openOrgFromList(page, { name, slug }) {
  assertOk(await visit(page, '/admin/orgs'), 'open the organization list');
  await field(page, 'Search by name or address').fill(name);
  assertOk(await clickThrough(page, button(page, 'Search')), `search for ${name}`);
  assertOk(await clickThrough(page, link(main(page), name)), `open ${name} from the list`);
  assert.equal(pathname(page), `/admin/orgs/${slug}`);
  assert.equal(await heading(page), name);
}

// ---------------------------------------------------------------------------------------------
// Invitations, organizations, the picker

/** The invitation link from the mail inviting `to` into `orgName`, its wording checked. */
async function invitationLink({ to, orgName }) {
  const textOf = (mail) => (mail.text ?? mail.html ?? '').replace(/\s+/g, ' ');
  // Several invitations can go to one address; they differ by the organization they name.
  const mail = await waitForMail(services.maildir, {
    to,
    subject: INVITATION_SUBJECT,
    match: (candidate) => textOf(candidate).includes(` join ${orgName} `),
  });
  const expected = `${OPERATOR.name} invited you to join ${orgName} as owner`;
  assert.ok(textOf(mail).includes(expected), `the invitation says "${expected}"; it says:\n${textOf(mail)}`);
  return linkIn(mail, INVITATION_PATH);
}

/** Opens the branded sign-in page of an organization and signs in there. */
async function signInAtOrg(page, { slug, name }, credentials) {
  assertOk(await visit(page, `/o/${slug}/login`), `open /o/${slug}/login`);
  assert.ok((await banner(page).innerText()).includes(name), `the sign-in page's top bar names ${name}`);
  await signIn(page, credentials);
}

/** The picker's entries in order: the organization name (in <strong>) and its whole text. */
async function pickerEntries(page) {
  assert.equal(pathname(page), '/orgs');
  assert.equal(await heading(page), 'Your organizations');
  return main(page).getByRole('listitem').evaluateAll((items) =>
    items.map((item) => ({ name: item.querySelector('strong')?.textContent.trim(), text: item.innerText })),
  );
}

/** Signs up on an organization's own sign-up page and confirms the address from the mail. */
async function signUpAtOrg(page, { slug, name }, person, { seenMails }) {
  assertOk(await visit(page, `/o/${slug}/signup`), `open /o/${slug}/signup`);
  assert.ok((await banner(page).innerText()).includes(name), `the sign-up page's top bar names ${name}`);
  await fillSignup(page, person);
  assertOk(await clickThrough(page, button(page, 'Create account')), `sign up at ${name}`);
  assert.match(await heading(page), /Check your email/);
  // The same address may already have had a verification mail (from another organization):
  // take one not used before.
  const mail = await waitForMail(services.maildir, {
    to: person.email,
    subject: 'Verify your email',
    match: (candidate) => !seenMails.has(candidate.file),
  });
  seenMails.add(mail.file);
  assertOk(await visit(page, linkIn(mail, '/verify-email')), 'open the verification link');
  assertOk(await clickThrough(page, button(page, 'Confirm email')), 'confirm the email');
}

// ---------------------------------------------------------------------------------------------

browserTest('a company signs up at /signup/organization and lands in its organization as owner', {
  timeout: 120_000,
}, async ({ newPage }) => {
  const org = { name: `Selfmade ${RUN}` };
  const owner = { name: 'Ada Founder', email: emailFor('founder'), password: PASSWORD };
  const page = await newPage();

  assertOk(await visit(page, '/signup/organization'), 'open the organization sign-up');
  await field(page, 'Organization name').fill(org.name);
  // Address left empty on purpose: the app makes one from the name.
  await field(page, 'Your name').fill(owner.name);
  await field(page, 'Work email').fill(owner.email);
  await field(page, 'Password').fill(owner.password);
  assertOk(await clickThrough(page, button(page, 'Create organization')), 'create the organization');
  assert.match(await heading(page), /Check your email/);

  // Nothing exists for the owner until the address is confirmed.
  const mail = await waitForMail(services.maildir, { to: owner.email, subject: 'Verify your email' });
  assertOk(await visit(page, linkIn(mail, '/verify-email')), 'open the verification link');
  assertOk(await clickThrough(page, button(page, 'Confirm email')), 'confirm the email');

  const landed = /^\/o\/([a-z0-9-]+)$/.exec(pathname(page));
  assert.ok(landed, `verifying lands in the new organization, not on ${pathname(page)}`);
  org.slug = landed[1];
  assert.ok(org.slug.includes(RUN), `the address "${org.slug}" is derived from the name "${org.name}"`);
  await assertInOrg(page, org, 'owner');
});

browserTest('the operator creates an isolated and a shared organization and provisions their admins', {
  timeout: 240_000,
}, async ({ newPage }) => {
  const operator = await operatorPage(newPage);
  const orgs = [
    // An explicit address for one, a derived one for the other; self sign-up on the shared one.
    { name: `Isolated Corp ${RUN}`, slug: `iso-corp-${RUN}`, mode: 'isolated', selfSignup: false },
    { name: `Shared Corp ${RUN}`, slug: '', mode: 'shared', selfSignup: true },
  ];
  const admins = [
    { name: 'Ivy Isolated', email: emailFor('iso-admin'), password: 'isolated admin passphrase 1' },
    { name: 'Sid Shared', email: emailFor('shared-admin'), password: 'shared admin passphrase 2' },
  ];

  for (const [i, org] of orgs.entries()) {
    org.slug = await createOrg(operator, org);
    if (!org.slug.startsWith('iso-')) {
      assert.ok(org.slug.includes(RUN), `the address "${org.slug}" is derived from the name "${org.name}"`);
    }
    await openOrgFromList(operator, org);
    const status = operator.getByRole('main');
    assert.ok(await field(status, 'Reason shown to its members').isVisible(), 'the org page has a suspension reason');
    assert.ok(await button(status, 'Suspend organization').isVisible(), 'the org page can suspend it');
    await provisionAdmin(operator, admins[i].email);
  }

  for (const [i, org] of orgs.entries()) {
    const admin = admins[i];
    // A browser of the admin's own: no session, as when opening the mail on another machine.
    const page = await newPage();
    const invitation = await invitationLink({ to: admin.email, orgName: org.name });
    await acceptByCreatingAccount(page, invitation, { orgName: org.name, ...admin });
    await assertInOrg(page, org, 'owner');

    // The account is real: signing out and in again on the organization's own sign-in page.
    await signOut(page);
    await signInAtOrg(page, org, admin);
    await assertInOrg(page, org, 'owner');

    // The operator sees the new owner in the organization's member table.
    assertOk(await visit(operator, `/admin/orgs/${org.slug}`), `open /admin/orgs/${org.slug}`);
    const row = main(operator).getByRole('row').filter({ hasText: admin.email });
    assert.equal(await row.count(), 1, `${admin.email} is in the member table of ${org.name}`);
    assert.match(await row.innerText(), /owner/i);
  }

  // Self sign-up is open only where the operator allowed it.
  const visitor = await newPage();
  await visit(visitor, `/o/${orgs[0].slug}/signup`);
  assert.equal(await button(visitor, 'Create account').count(), 0, `${orgs[0].name} does not allow sign-up`);
  assertOk(await visit(visitor, `/o/${orgs[1].slug}/signup`), `open /o/${orgs[1].slug}/signup`);
  assert.ok(await button(visitor, 'Create account').isVisible(), `${orgs[1].name} allows sign-up`);
});

browserTest('a user in two shared organizations chooses in the picker and switches between them', {
  timeout: 240_000,
}, async ({ newPage }) => {
  const operator = await operatorPage(newPage);
  const first = { name: `Northwind ${RUN}`, mode: 'shared' };
  const second = { name: `Southwind ${RUN}`, mode: 'shared' };
  const person = { name: 'Pat Twice', email: emailFor('two-shared'), password: PASSWORD };
  for (const org of [first, second]) {
    org.slug = await createOrg(operator, org);
    await provisionAdmin(operator, person.email);
  }

  // The first invitation creates the account.
  const page = await newPage();
  const firstInvitation = await invitationLink({ to: person.email, orgName: first.name });
  await acceptByCreatingAccount(page, firstInvitation, { orgName: first.name, ...person });
  await assertInOrg(page, first, 'owner');

  // The second is accepted while signed in as that address: one button, no password.
  const secondInvitation = await invitationLink({ to: person.email, orgName: second.name });
  assertOk(await visit(page, secondInvitation), 'open the second invitation');
  assert.equal(await heading(page), `Join ${second.name}`);
  assert.equal(await field(page, 'Password').count(), 0, 'a signed-in invitee is not asked for a password');
  assertOk(await clickThrough(page, button(page, `Join ${second.name}`)), `join ${second.name}`);
  await assertInOrg(page, second, 'owner');

  // With two organizations, sign-in lands on the picker, the one chosen last first.
  await signOut(page);
  await signIn(page, person);
  let entries = await pickerEntries(page);
  assert.deepEqual(entries.map((entry) => entry.name), [second.name, first.name], 'the last choice is listed first');
  for (const entry of entries) assert.match(entry.text, /owner/i, `${entry.name} shows the role`);

  // Open the other one: it becomes the current organization, named in the header.
  assertOk(await clickThrough(page, button(page, `Open ${first.name}`)), `open ${first.name}`);
  await assertInOrg(page, first, 'owner');

  // Back to the picker from the header: the choice just made now comes first. Switch back.
  assertOk(await clickThrough(page, link(banner(page), 'Organizations')), 'open the picker from the header');
  entries = await pickerEntries(page);
  assert.deepEqual(entries.map((entry) => entry.name), [first.name, second.name], 'the last choice is listed first');
  assertOk(await clickThrough(page, button(page, `Open ${second.name}`)), `open ${second.name}`);
  await assertInOrg(page, second, 'owner');
});

browserTest('one address signs up in two isolated organizations, each with its own password', {
  timeout: 240_000,
}, async ({ newPage }) => {
  const operator = await operatorPage(newPage);
  const orgs = [
    { name: `Island A ${RUN}`, mode: 'isolated', selfSignup: true, password: 'island A passphrase 1001' },
    { name: `Island B ${RUN}`, mode: 'isolated', selfSignup: true, password: 'island B passphrase 2002' },
  ];
  for (const org of orgs) org.slug = await createOrg(operator, org);

  const email = emailFor('islander');
  const seenMails = new Set();
  const page = await newPage();
  for (const org of orgs) {
    await signUpAtOrg(page, org, { name: 'Isa Lander', email, password: org.password }, { seenMails });
    await assertInOrg(page, org, 'member');
    await signOut(page);
  }

  // Each organization knows only the account made in it: the other one's password is wrong.
  for (const [i, org] of orgs.entries()) {
    const other = orgs[1 - i];
    assertOk(await visit(page, `/o/${org.slug}/login`), `open /o/${org.slug}/login`);
    await enterEmail(page, email);
    await enterPassword(page, other.password);
    assert.notEqual(pathname(page), `/o/${org.slug}`, `${other.name}'s password must not sign in to ${org.name}`);
    assert.ok(await field(page, 'Password').isVisible(), 'expected to stay on the password step');
    assert.match(await bodyText(page), /Incorrect email or password/);
    assertOk(await enterPassword(page, org.password), `sign in to ${org.name} with its own password`);
    await assertInOrg(page, org, 'member');
    await signOut(page);
  }
});

browserTest('an invited address that already has an account signs in to join', {
  timeout: 180_000,
}, async ({ newPage }) => {
  // Not one of the four journeys, but the third form of the invitation page: the address already
  // has an account on the deployment's shared connection, made through plain /signup.
  const person = { name: 'Eve Existing', email: emailFor('existing'), password: PASSWORD };
  const page = await newPage();
  assertOk(await visit(page, '/signup'), 'open /signup');
  await fillSignup(page, person);
  assertOk(await clickThrough(page, button(page, 'Create account')), 'sign up');
  const verifyMail = await waitForMail(services.maildir, { to: person.email, subject: 'Verify your email' });
  assertOk(await visit(page, linkIn(verifyMail, '/verify-email')), 'open the verification link');
  assertOk(await clickThrough(page, button(page, 'Confirm email')), 'confirm the email');
  assert.equal(pathname(page), '/account');
  await signOut(page);

  const operator = await operatorPage(newPage);
  const org = { name: `Existing Ltd ${RUN}`, mode: 'shared' };
  org.slug = await createOrg(operator, org);
  await provisionAdmin(operator, person.email);

  // Signed out: the page asks only for the existing account's password.
  const invitation = await invitationLink({ to: person.email, orgName: org.name });
  assertOk(await visit(page, invitation), 'open the invitation');
  assert.equal(await heading(page), `Join ${org.name}`);
  assert.equal(await field(page, 'Name').count(), 0, 'an existing account is not asked for a name');
  await field(page, 'Password').fill(person.password);
  assertOk(await clickThrough(page, button(page, 'Sign in and join')), `join ${org.name}`);
  await assertInOrg(page, org, 'owner');
});
