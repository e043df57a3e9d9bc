// The browser side of the suite: launching Chromium, the per-file harness (e2eSuite and its
// browserTest wrapper, which report the open pages of a failed test), and the page helpers the
// tests use (field, button, visit, clickThrough, the sign-in steps and the like).
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { chromium } from 'playwright-core';

import { checkA11y } from './a11y.mjs';
import { E2E_DIR, Services } from './services.mjs';

/** Debian's Chromium, run headless in a container as root, with nothing phoning home. */
export const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

// ---------------------------------------------------------------------------------------------
// The harness a test file runs in

const ACTION_TIMEOUT_MS = 15_000;
const NAVIGATION_TIMEOUT_MS = 30_000;

/**
 * Registers before/after hooks that start the services and a browser for the whole file, and
 * stop them at its end. Returns `services` (ready once the before hook has run) and
 * `browserTest`, to declare tests that get their own browser contexts.
 *
 * `startOptions` go to `Services.start` (`{ dns: true }` adds the DNS server). On any failure
 * the after hook prints the server logs and keeps the run's files.
 */
export function e2eSuite(startOptions = {}) {
  const services = new Services();
  let browser;
  let failed = false;

  before(async () => {
    try {
      await services.start(startOptions);
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
   * A test with its own browser contexts (made with `newPage(contextOptions)`, e.g. with a
   * `storageState` to start signed in), closed when it ends. On failure it saves a screenshot of
   * each open page and prints where each page was and what it showed.
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

  return { services, browserTest };
}

async function reportPages(testName, contexts) {
  const dir = path.join(E2E_DIR, 'test-results');
  await fsp.mkdir(dir, { recursive: true });
  const pages = contexts.flatMap((context) => context.pages());
  for (const [i, page] of pages.entries()) {
    const file = path.join(dir, `${testName.replace(/\W+/g, '-').slice(0, 80)}-${i + 1}.png`);
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

/** A tag unique to this run, for emails and names that must not collide with earlier runs. */
export function runTag() {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

// ---------------------------------------------------------------------------------------------
// Page helpers. Locators go by label and accessible name on purpose: if a label or a button's
// name is wrong, the test fails the way a screen reader user would.

export const field = (page, label) => page.getByLabel(label, { exact: true });
export const button = (page, name) => page.getByRole('button', { name, exact: true });
export const link = (page, name) => page.getByRole('link', { name, exact: true });
export const heading = (page) => page.getByRole('heading', { level: 1 }).innerText();
export const bodyText = (page) => page.locator('body').innerText();
export const pathname = (page) => new URL(page.url()).pathname;
/** The page's own content, without the header (whose nav has links of the same names). */
export const main = (page) => page.getByRole('main');
/** The site header (the banner landmark). */
export const banner = (page) => page.getByRole('banner');

/** Loads `url` (relative to the server) and audits the page. */
export async function visit(page, url, { audit = true } = {}) {
  const response = await page.goto(url);
  if (audit) await checkA11y(page);
  return response;
}

/**
 * Clicks a submit button or link and waits for the next document, then audits it. Waiting for
 * "a navigation" rather than for a URL matters: a rejected form is re-rendered at the same URL
 * it was posted to. Returns the final response (after redirects), e.g. to check its status.
 */
export async function clickThrough(page, locator, { audit = true } = {}) {
  const [response] = await Promise.all([page.waitForNavigation(), locator.click()]);
  if (audit) await checkA11y(page);
  return response;
}

export function assertOk(response, what) {
  assert.ok(response?.ok(), `${what}: expected a 2xx page, got ${response?.status()} at ${response?.url()}`);
}

/** The header of a signed-in page: its nav links and the sign-out button. */
export async function assertSignedInHeader(page) {
  const header = banner(page);
  for (const name of ['Organizations', 'Account']) {
    assert.ok(await link(header, name).isVisible(), `the header has a "${name}" link`);
  }
  assert.ok(await button(header, 'Sign out').isVisible(), 'the header has a "Sign out" button');
}

/** Signs out with the header's button, which leads to /login. */
export async function signOut(page) {
  assertOk(await clickThrough(page, button(banner(page), 'Sign out')), 'sign out');
  assert.equal(pathname(page), '/login');
}

/** Step one of sign-in, on /login or /o/<slug>/login: the email, then on to the password step. */
export async function enterEmail(page, email) {
  await field(page, 'Email').fill(email);
  assertOk(await clickThrough(page, button(page, 'Continue')), 'continue to the password step');
  assert.ok(await field(page, 'Password').isVisible(), 'expected the password step');
}

/** Step two of sign-in. Returns the response, since a wrong password is an expected outcome. */
export async function enterPassword(page, password) {
  await field(page, 'Password').fill(password);
  return clickThrough(page, button(page, 'Sign in'));
}

/** Both steps of sign-in, from a sign-in page, expecting success. */
export async function signIn(page, { email, password }) {
  await enterEmail(page, email);
  assertOk(await enterPassword(page, password), `sign in as ${email}`);
}

export async function fillSignup(page, { name, email, password }) {
  await field(page, 'Name').fill(name);
  await field(page, 'Email').fill(email);
  await field(page, 'Password').fill(password);
}

/** The text of the elements an input's aria-describedby points at: its hint and its errors. */
export async function accessibleDescription(input) {
  const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
  const texts = [];
  for (const id of ids) {
    const described = input.page().locator(`[id="${id}"]`);
    if ((await described.count()) === 1) texts.push(await described.innerText());
  }
  return texts.join(' ');
}
