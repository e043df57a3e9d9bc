// Browser end-to-end tests for Usher: a real Chromium drives the real binary, which sends real
// mail through a real SMTP server; axe audits every page the journey visits.
//
//   cd tests/e2e && npm ci && npm test      (after `cargo build`; needs /usr/bin/chromium and
//                                            the python package aiosmtpd)
//
// Environment: USHER_BIN (default ../../target/debug/usher, relative to this folder).
import assert from 'node:assert/strict';

import {
  accessibleDescription,
  assertOk,
  assertSignedInHeader,
  bodyText,
  button,
  clickThrough,
  e2eSuite,
  enterEmail,
  enterPassword,
  field,
  fillSignup,
  heading,
  link,
  linkIn as linkInMail,
  main,
  pathname,
  signOut,
  visit,
  waitForMail,
} from './support/index.mjs';

const PASSWORD = 'correct horse battery staple 42';
const NEW_PASSWORD = 'another long passphrase 77';

const { services, browserTest } = e2eSuite();

async function assertOnAccount(page) {
  assert.equal(pathname(page), '/account');
  assert.match(await heading(page), /Your account/);
  await assertSignedInHeader(page);
}

/**
 * Where a password sign-in lands a user who belongs to no organization: the organization
 * picker, which says so and offers to create one.
 */
async function assertOnEmptyPicker(page) {
  assert.equal(pathname(page), '/orgs');
  assert.match(await heading(page), /Your organizations/);
  assert.match(await bodyText(page), /You are not a member of any organization yet/);
  assert.ok(await link(main(page), 'Create an organization').isVisible(), 'the picker offers to create one');
  await assertSignedInHeader(page);
}

/** The link in a mail that goes to `expectedPath`, checked to point at this server. */
const linkIn = (mail, expectedPath) => linkInMail(mail, expectedPath, services.baseURL);

// ---------------------------------------------------------------------------------------------

browserTest('a new user signs up, verifies, signs in and out, and resets the password', {
  timeout: 180_000,
}, async ({ newPage }) => {
  const email = `e2e-${Date.now()}@example.com`;
  const page = await newPage();

  // 1. Sign up.
  await visit(page, '/signup');
  await fillSignup(page, { name: 'E2E Tester', email, password: PASSWORD });
  assertOk(await clickThrough(page, button(page, 'Create account')), 'sign up');
  assert.match(await heading(page), /Check your email/);

  // 2. Verify the address with the link from the mail. Opening the link only shows a button, so
  //    that mail scanners which prefetch links cannot use the token up.
  const verifyMail = await waitForMail(services.maildir, { to: email, subject: 'Verify your email' });
  assertOk(await visit(page, linkIn(verifyMail, '/verify-email')), 'open the verification link');
  assertOk(await clickThrough(page, button(page, 'Confirm email')), 'confirm the email');
  await assertOnAccount(page);
  assert.match(await bodyText(page), /verified/i);

  // 3. Sign out.
  await signOut(page);

  // 4. Sign in (email first, then password). Belonging to no organization, the user lands on
  //    the organization picker rather than on the account page.
  await enterEmail(page, email);
  assertOk(await enterPassword(page, PASSWORD), 'sign in');
  await assertOnEmptyPicker(page);

  // 5. Forgot the password: asked for from the password step of sign-in.
  await signOut(page);
  await enterEmail(page, email);
  const forgotLink = page.getByRole('link', { name: 'Forgot your password?', exact: true });
  assertOk(await clickThrough(page, forgotLink), 'open the forgot-password page');
  assert.equal(pathname(page), '/forgot-password');
  const prefilled = await field(page, 'Email').inputValue();
  if (prefilled) assert.equal(prefilled, email, 'a prefilled email must be the one entered');
  await field(page, 'Email').fill(email);
  assertOk(await clickThrough(page, button(page, 'Send reset link')), 'request a reset link');
  assert.match(await heading(page), /Check your email/);

  // 6. Set a new password with the link from the mail.
  const resetMail = await waitForMail(services.maildir, { to: email, subject: 'Reset your password' });
  const resetLink = linkIn(resetMail, '/reset-password');
  assertOk(await visit(page, resetLink), 'open the reset link');
  await field(page, 'New password').fill(NEW_PASSWORD);
  assertOk(await clickThrough(page, button(page, 'Set new password')), 'set the new password');
  assert.equal(pathname(page), '/login');
  assert.match(await bodyText(page), /password was changed/i);

  // 7. The old password no longer works; the new one does.
  await enterEmail(page, email);
  await enterPassword(page, PASSWORD);
  assert.notEqual(pathname(page), '/orgs', 'the old password must not sign in');
  assert.ok(await field(page, 'Password').isVisible(), 'expected to stay on the password step');
  assert.match(await bodyText(page), /Incorrect email or password/);
  assertOk(await enterPassword(page, NEW_PASSWORD), 'sign in with the new password');
  await assertOnEmptyPicker(page);

  // 8. A reset link works once. Opened in a fresh browser (no session), as from another device,
  //    so the answer depends on the token alone.
  const otherPage = await newPage();
  await visit(otherPage, resetLink);
  assert.match(await bodyText(otherPage), /expired|no longer valid/i);
  assert.equal(await field(otherPage, 'New password').count(), 0, 'a used link must not offer the form');
});

browserTest('sign-in and sign-up work without JavaScript, and sign-up validates on the server', {
  timeout: 60_000,
}, async ({ newPage }) => {
  const email = `e2e-${Date.now()}-nojs@example.com`;
  const typed = { name: 'No Script', email, password: 'short' };

  // axe runs as a script in the page, so it cannot audit with JavaScript off; these pages are
  // audited in the journey, and the error state is audited below with JavaScript on.
  const page = await newPage({ javaScriptEnabled: false });
  assertOk(await visit(page, '/login', { audit: false }), 'GET /login');
  assert.ok(await field(page, 'Email').isVisible(), '/login has an Email field');
  assert.ok(await button(page, 'Continue').isVisible(), '/login has a Continue button');

  assertOk(await visit(page, '/signup', { audit: false }), 'GET /signup');
  await fillSignup(page, typed);
  const response = await clickThrough(page, button(page, 'Create account'), { audit: false });
  assert.equal(response.status(), 422);
  assert.equal(await field(page, 'Name').inputValue(), typed.name, 'the typed name is kept');
  assert.equal(await field(page, 'Email').inputValue(), typed.email, 'the typed email is kept');
  // "Beside the field" for every user: the message is tied to the input (aria-describedby),
  // and the input says it is invalid, so a screen reader announces both together.
  const password = field(page, 'Password');
  assert.equal(await password.getAttribute('aria-invalid'), 'true', 'the password input is marked invalid');
  assert.match(await accessibleDescription(password), /at least 15 characters/);
  assert.ok(await page.getByText(/at least 15 characters/).first().isVisible(), 'the message is visible');

  // The same rejected form, audited.
  const auditedPage = await newPage();
  await visit(auditedPage, '/signup');
  await fillSignup(auditedPage, typed);
  const auditedResponse = await clickThrough(auditedPage, button(auditedPage, 'Create account'));
  assert.equal(auditedResponse.status(), 422);
});
