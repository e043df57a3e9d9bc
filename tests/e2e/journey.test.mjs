// Browser end-to-end tests for Usher: a real Chromium drives the real binary, which sends real
// mail through a real SMTP server; axe audits every page the journey visits.
//
//   cd tests/e2e && npm ci && npm test      (after `cargo build`; needs /usr/bin/chromium and
//                                            the python package aiosmtpd)
//
// Environment: USHER_BIN (default ../../target/debug/usher, relative to this folder).
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { chromium } from 'playwright-core';

import { CHROMIUM, E2E_DIR, Services, checkA11y, mailLinks, waitForMail } from './support.mjs';

const PASSWORD = 'correct horse battery staple 42';
const NEW_PASSWORD = 'another long passphrase 77';
const ACTION_TIMEOUT_MS = 15_000;
const NAVIGATION_TIMEOUT_MS = 30_000;

const services = new Services();
let browser;
let failed = false; // decides whether the server logs get printed and the temp files kept

before(async () => {
  try {
    await services.start();
    browser = await chromium.launch(CHROMIUM);
  } catch (error) {
    failed = true;
    throw error;
  }
});

after(async () => {
  await browser?.close();
  if (failed) {
    process.stderr.write(`\n${services.logs()}\n`);
    if (services.workDir) process.stderr.write(`Kept the run's files in ${services.workDir}\n`);
  }
  await services.stop({ keepFiles: failed });
});

/**
 * A test with its own browser contexts (made with `newPage`), closed when it ends. On failure it
 * saves a screenshot of each open page and prints where each page was and what it showed.
 */
function browserTest(name, options, body) {
  test(name, options, async () => {
    const contexts = [];
    const newPage = async (contextOptions = {}) => {
      const context = await browser.newContext({ baseURL: services.baseURL, ...contextOptions });
      context.setDefaultTimeout(ACTION_TIMEOUT_MS);
      context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
      contexts.push(context);
      return context.newPage();
    };
    try {
      await body({ newPage });
    } catch (error) {
      failed = true;
      await reportPages(name, contexts);
      throw error;
    } finally {
      await Promise.all(contexts.map((context) => context.close()));
    }
  });
}

async function reportPages(testName, contexts) {
  const dir = path.join(E2E_DIR, 'test-results');
  await fsp.mkdir(dir, { recursive: true });
  const pages = contexts.flatMap((context) => context.pages());
  for (const [i, page] of pages.entries()) {
    const file = path.join(dir, `${testName.replace(/\W+/g, '-')}-${i + 1}.png`);
    try {
      await page.screenshot({ path: file, fullPage: true });
      const text = await page.locator('body').innerText({ timeout: 2_000 });
      process.stderr.write(
        `\nPage ${i + 1} at ${page.url()} (screenshot ${file}):\n${text.slice(0, 2_000)}\n`,
      );
    } catch (error) {
      process.stderr.write(`\nPage ${i + 1} at ${page.url()}: no report (${error.message})\n`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Page helpers. Locators go by label and accessible name on purpose: if a label or a button's
// name is wrong, the test fails the way a screen reader user would.

const field = (page, label) => page.getByLabel(label, { exact: true });
const button = (page, name) => page.getByRole('button', { name, exact: true });
const heading = (page) => page.getByRole('heading', { level: 1 }).innerText();
const bodyText = (page) => page.locator('body').innerText();
const pathname = (page) => new URL(page.url()).pathname;

/** Loads `url` (relative to the server) and audits the page. */
async function visit(page, url, { audit = true } = {}) {
  const response = await page.goto(url);
  if (audit) await checkA11y(page);
  return response;
}

/**
 * Clicks a submit button or link and waits for the next document, then audits it. Waiting for
 * "a navigation" rather than for a URL matters: a rejected form is re-rendered at the same URL
 * it was posted to. Returns the final response (after redirects), e.g. to check its status.
 */
async function clickThrough(page, locator, { audit = true } = {}) {
  const [response] = await Promise.all([page.waitForNavigation(), locator.click()]);
  if (audit) await checkA11y(page);
  return response;
}

function assertOk(response, what) {
  assert.ok(response?.ok(), `${what}: expected a 2xx page, got ${response?.status()} at ${response?.url()}`);
}

async function assertOnAccount(page) {
  assert.equal(pathname(page), '/account');
  assert.match(await heading(page), /Your account/);
}

async function signOut(page) {
  // The sign-out button belongs in the site header (the banner landmark).
  const signOutButton = page.getByRole('banner').getByRole('button', { name: 'Sign out', exact: true });
  assertOk(await clickThrough(page, signOutButton), 'sign out');
  assert.equal(pathname(page), '/login');
}

/** Step one of sign-in, on /login: the email, then on to the password step. */
async function enterEmail(page, email) {
  await field(page, 'Email').fill(email);
  assertOk(await clickThrough(page, button(page, 'Continue')), 'continue to the password step');
  assert.ok(await field(page, 'Password').isVisible(), 'expected the password step');
}

/** Step two of sign-in. Returns the response, since a wrong password is an expected outcome. */
async function enterPassword(page, password) {
  await field(page, 'Password').fill(password);
  return clickThrough(page, button(page, 'Sign in'));
}

/** The link in a mail that goes to `expectedPath`, checked to point at this server. */
function linkIn(mail, expectedPath) {
  const links = mailLinks(mail);
  const link = links.find((candidate) => new URL(candidate).pathname === expectedPath);
  assert.ok(link, `no ${expectedPath} link in "${mail.subject}"; links found: ${links.join(', ') || 'none'}`);
  assert.equal(new URL(link).origin, services.baseURL, 'mail links must use the server address');
  assert.ok(new URL(link).searchParams.get('token'), `${link} has no token`);
  return link;
}

async function fillSignup(page, { name, email, password }) {
  await field(page, 'Name').fill(name);
  await field(page, 'Email').fill(email);
  await field(page, 'Password').fill(password);
}

/** The text of the elements an input's aria-describedby points at: its hint and its errors. */
async function accessibleDescription(input) {
  const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
  const texts = [];
  for (const id of ids) {
    const described = input.page().locator(`[id="${id}"]`);
    if ((await described.count()) === 1) texts.push(await described.innerText());
  }
  return texts.join(' ');
}

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

  // 4. Sign in (email first, then password).
  await enterEmail(page, email);
  assertOk(await enterPassword(page, PASSWORD), 'sign in');
  await assertOnAccount(page);

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
  assert.notEqual(pathname(page), '/account', 'the old password must not sign in');
  assert.ok(await field(page, 'Password').isVisible(), 'expected to stay on the password step');
  assert.match(await bodyText(page), /Incorrect email or password/);
  assertOk(await enterPassword(page, NEW_PASSWORD), 'sign in with the new password');
  await assertOnAccount(page);

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
  assert.match(await accessibleDescription(password), /at least 10 characters/);
  assert.ok(await page.getByText(/at least 10 characters/).first().isVisible(), 'the message is visible');

  // The same rejected form, audited.
  const auditedPage = await newPage();
  await visit(auditedPage, '/signup');
  await fillSignup(auditedPage, typed);
  const auditedResponse = await clickThrough(auditedPage, button(auditedPage, 'Create account'));
  assert.equal(auditedResponse.status(), 422);
});
