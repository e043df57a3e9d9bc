// Helpers for the browser end-to-end suite: the services it runs (a real SMTP sink and the usher
// binary), reading the mail they exchange, and the accessibility audit run on every page.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { AxeBuilder } from '@axe-core/playwright';
import { chromium } from 'playwright-core';

export const E2E_DIR = path.dirname(fileURLToPath(import.meta.url));

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

const SMTP_START_TIMEOUT_MS = 20_000;
const USHER_START_TIMEOUT_MS = 60_000; // first start creates the SQLite file and runs migrations
const STOP_TIMEOUT_MS = 5_000;
const POLL_INTERVAL_MS = 100;

// ---------------------------------------------------------------------------------------------
// Polling

/**
 * Calls `probe` until it returns something truthy, and returns that. Fails at the deadline with
 * the last error the probe threw, or at once when `fatal()` names a reason to stop waiting (a
 * server process that has died will never start answering).
 */
export async function waitFor(what, probe, { timeoutMs, fatal = () => null }) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    const reason = fatal();
    if (reason) throw new Error(`Gave up waiting for ${what}: ${reason}`);
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError ? ` (last error: ${lastError.message})` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await sleep(POLL_INTERVAL_MS);
  }
}

/** A port that was free a moment ago on 127.0.0.1 (the OS picks it, so parallel runs don't clash). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function acceptsConnections(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

// ---------------------------------------------------------------------------------------------
// Child processes

/** A child process whose stdout and stderr go to a log file, so a failing run can show them. */
class Service {
  constructor(name, command, args, { env, logPath }) {
    this.name = name;
    this.logPath = logPath;
    // Writing straight to a file descriptor (not a pipe) means a chatty child can never block
    // on a full pipe that nobody reads.
    const fd = fs.openSync(logPath, 'a');
    try {
      this.child = spawn(command, args, { env, stdio: ['ignore', fd, fd] });
    } finally {
      fs.closeSync(fd);
    }
    this.exit = null;
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exit = signal ? `killed by ${signal}` : `exited with code ${code}`;
        resolve();
      });
      this.child.once('error', (error) => {
        this.exit = `could not start ${command}: ${error.message}`;
        resolve();
      });
    });
  }

  /** Why the process is gone, or null while it runs. */
  deathReason() {
    return this.exit && `${this.name} ${this.exit}; its log:\n${this.log()}`;
  }

  log() {
    try {
      return fs.readFileSync(this.logPath, 'utf8');
    } catch {
      return '(no log)';
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within the grace period. */
  async stop() {
    if (this.exit) return;
    this.child.kill('SIGTERM');
    const stopped = await Promise.race([
      this.exited.then(() => true),
      sleep(STOP_TIMEOUT_MS).then(() => false),
    ]);
    if (!stopped) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }

  /** Last resort when node itself is exiting: no time left for a graceful stop. */
  killNow() {
    if (!this.exit) this.child.kill('SIGKILL');
  }
}

/** USHER_BIN (relative to the working directory), else the debug build of this checkout. */
function usherBinary() {
  const bin = process.env.USHER_BIN
    ? path.resolve(process.env.USHER_BIN)
    : path.resolve(E2E_DIR, '../../target/debug/usher');
  try {
    fs.accessSync(bin, fs.constants.X_OK);
  } catch {
    throw new Error(`No executable usher binary at ${bin}: run \`cargo build\` or set USHER_BIN`);
  }
  return bin;
}

/**
 * Everything the suite runs besides the browser: an SMTP sink writing a Maildir and the usher
 * server, each on a free port, under one fresh temporary directory.
 */
export class Services {
  services = [];
  workDir = null;
  baseURL = null;
  maildir = null;
  usher = null;
  #onExit = () => this.services.forEach((service) => service.killNow());

  async start() {
    // If the runner is interrupted the after hooks may never run; don't leave servers behind.
    process.once('exit', this.#onExit);
    const bin = usherBinary();
    this.workDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'usher-e2e-'));
    const smtpPort = await this.#startSmtp();
    await this.#startUsher(bin, smtpPort);
  }

  async #startSmtp() {
    const port = await freePort();
    this.maildir = path.join(this.workDir, 'maildir');
    // -n: don't try to drop privileges to "nobody", which fails when run as root.
    const smtp = this.#spawn('aiosmtpd', 'python3', [
      '-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`,
      '-c', 'aiosmtpd.handlers.Mailbox', this.maildir,
    ], process.env);
    await waitFor(`the SMTP sink on 127.0.0.1:${port}`, () => acceptsConnections(port), {
      timeoutMs: SMTP_START_TIMEOUT_MS,
      fatal: () => smtp.deathReason(),
    });
    return port;
  }

  async #startUsher(bin, smtpPort) {
    const port = await freePort();
    this.baseURL = `http://127.0.0.1:${port}`;
    // Start from the caller's environment minus every setting usher reads, so a developer's
    // shell (a DATABASE_URL, a USHER_PUBLIC_URL) cannot leak into the run.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) => !name.startsWith('USHER_') && name !== 'DATABASE_URL' && name !== 'RUST_LOG',
      ),
    );
    Object.assign(env, {
      USHER_LISTEN: `127.0.0.1:${port}`,
      USHER_DATA_DIR: path.join(this.workDir, 'data'),
      USHER_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      RUST_LOG: 'warn',
    });
    await fsp.mkdir(env.USHER_DATA_DIR);
    const usher = this.#spawn('usher', bin, ['serve'], env);
    this.usher = usher;
    await waitFor(`GET ${this.baseURL}/healthz to return 200`, async () => {
      const response = await fetch(`${this.baseURL}/healthz`, { signal: AbortSignal.timeout(2_000) });
      return response.status === 200;
    }, { timeoutMs: USHER_START_TIMEOUT_MS, fatal: () => usher.deathReason() });
  }

  /**
   * The one-time link usher prints (on stderr) when it starts on an empty data directory, for
   * creating the first platform operator. Read from the captured output, since the token exists
   * nowhere else; polled because the line may be written after /healthz first answers.
   */
  async operatorSetupLink({ timeoutMs = USHER_START_TIMEOUT_MS } = {}) {
    const line = /Create the first platform operator \(one-time link\): (http:\/\/\S+)/;
    const [, link] = await waitFor('usher to print the operator setup link', () => line.exec(this.usher.log()), {
      timeoutMs,
      fatal: () => this.usher.deathReason(),
    });
    return link;
  }

  #spawn(name, command, args, env) {
    const service = new Service(name, command, args, {
      env,
      logPath: path.join(this.workDir, `${name}.log`),
    });
    this.services.push(service);
    return service;
  }

  /** The logs of every service, for a failure report. */
  logs() {
    return this.services
      .map((s) => `----- ${s.name} (${s.logPath}) -----\n${s.log() || '(empty)'}`)
      .join('\n');
  }

  /** Stops whatever was started, newest first; keeps the files for inspection when asked. */
  async stop({ keepFiles = false } = {}) {
    for (const service of [...this.services].reverse()) await service.stop();
    process.removeListener('exit', this.#onExit);
    if (this.workDir && !keepFiles) await fsp.rm(this.workDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Mail

const MAIL_TIMEOUT_MS = 20_000;

/**
 * Waits until the Maildir holds a message to `to` whose subject contains `subject` and which
 * `match` accepts (e.g. to tell apart two mails with the same subject), and returns it parsed:
 * the newest one, should there be several. The result carries `file`, the message's path.
 */
export async function waitForMail(maildir, { to, subject, match = () => true, timeoutMs = MAIL_TIMEOUT_MS }) {
  const newDir = path.join(maildir, 'new');
  const wanted = to.toLowerCase();
  return waitFor(`a mail to ${to} with subject "${subject}"`, async () => {
    const names = await fsp.readdir(newDir).catch(() => []);
    const matches = [];
    for (const name of names) {
      const file = path.join(newDir, name);
      const [raw, stat] = await Promise.all([fsp.readFile(file), fsp.stat(file)]);
      const mail = { ...parseMail(raw), file, mtime: stat.mtimeMs };
      // Compare whole addresses: a plain substring test would let a@x.com match b-a@x.com.
      const recipients = addresses([mail.header('to'), mail.header('x-rcptto')].join(','));
      if (recipients.includes(wanted) && mail.subject.includes(subject) && match(mail)) {
        matches.push(mail);
      }
    }
    return matches.sort((a, b) => b.mtime - a.mtime)[0];
  }, { timeoutMs });
}

/** The lower-cased email addresses in an address-list header ("Name <a@b>, c@d"). */
function addresses(header) {
  return [...header.matchAll(/[^\s<>,;"]+@[^\s<>,;"]+/g)].map(([address]) => address.toLowerCase());
}

/**
 * The http://127.0.0.1:PORT/... links of a mail, in order: from the plain-text part, or from the
 * HTML part when there is no text part.
 */
export function mailLinks(mail) {
  const source = mail.text ?? mail.html?.replaceAll('&amp;', '&') ?? '';
  return [...source.matchAll(/http:\/\/127\.0\.0\.1:\d+\/[^\s<>"'()[\]]*/g)].map(([link]) =>
    link.replace(/[.,;:!?]+$/, ''), // sentence punctuation after a link is not part of it
  );
}

/**
 * A minimal RFC 5322 / MIME reader: enough for the mail usher sends (multipart/alternative with
 * text and HTML parts in quoted-printable, base64 or 7bit). The file is read as latin1 so that
 * one char is one byte; bytes are turned into text only once a part is decoded, per its charset.
 */
export function parseMail(raw) {
  const entity = parseEntity(Buffer.isBuffer(raw) ? raw.toString('latin1') : raw);
  const leaves = [];
  collectLeaves(entity, leaves);
  const firstOf = (type) => leaves.find((leaf) => leaf.type === type)?.content;
  return {
    header: (name) => decodeHeader(entity.headers.get(name.toLowerCase()) ?? ''),
    subject: decodeHeader(entity.headers.get('subject') ?? ''),
    text: firstOf('text/plain'),
    html: firstOf('text/html'),
  };
}

function parseEntity(source) {
  const separator = /\r?\n\r?\n/.exec(source);
  const head = separator ? source.slice(0, separator.index) : source;
  const body = separator ? source.slice(separator.index + separator[0].length) : '';
  const headers = new Map();
  // Unfold continuation lines first, then the first occurrence of each header wins.
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function parseContentType(value) {
  const [type, ...rest] = (value || 'text/plain').split(';');
  const params = {};
  for (const [, name, raw] of rest.join(';').matchAll(/([\w-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]+)/g)) {
    params[name.toLowerCase()] = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
  }
  return { type: type.trim().toLowerCase(), params };
}

function collectLeaves(entity, leaves) {
  const { type, params } = parseContentType(entity.headers.get('content-type'));
  if (type.startsWith('multipart/') && params.boundary) {
    for (const part of splitMultipart(entity.body, params.boundary)) {
      collectLeaves(parseEntity(part), leaves);
    }
    return;
  }
  const encoding = (entity.headers.get('content-transfer-encoding') || '7bit').toLowerCase();
  const bytes = decodeTransferEncoding(entity.body, encoding);
  leaves.push({ type, content: decodeCharset(bytes, params.charset) });
}

function splitMultipart(body, boundary) {
  const delimiter = `--${boundary}`;
  const parts = [];
  let current = null; // null before the first delimiter (the preamble) and after the last
  for (const line of body.split(/\r?\n/)) {
    if (line.startsWith(delimiter)) {
      if (current) parts.push(current.join('\r\n'));
      if (line.slice(delimiter.length).startsWith('--')) break; // close delimiter
      current = [];
    } else if (current) {
      current.push(line);
    }
  }
  return parts;
}

function decodeTransferEncoding(body, encoding) {
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  return Buffer.from(body, 'latin1'); // 7bit, 8bit, binary
}

/** RFC 2045 §6.7: `=` at a line end is a soft line break, `=XX` is one byte in hex. */
export function decodeQuotedPrintable(text) {
  const unfolded = text.replace(/=\r?\n/g, '');
  const bytes = [];
  for (let i = 0; i < unfolded.length; i++) {
    const hex = unfolded[i] === '=' ? unfolded.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(unfolded.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

function decodeCharset(bytes, charset = 'utf-8') {
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes); // unknown label: best effort
  }
}

/** RFC 2047 encoded words (`=?utf-8?Q?...?=`, `=?utf-8?B?...?=`), as lettre uses for non-ASCII. */
function decodeHeader(value) {
  return Buffer.from(value, 'latin1')
    .toString('utf8') // raw UTF-8 headers (RFC 6532) stay readable
    .replace(/(\?=)\s+(?==\?)/g, '$1') // whitespace between encoded words is not text
    .replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_, charset, kind, text) => {
      const bytes = kind.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64')
        : decodeQuotedPrintable(text.replaceAll('_', ' '));
      return decodeCharset(bytes, charset);
    });
}

// ---------------------------------------------------------------------------------------------
// Accessibility

/** Runs axe (WCAG 2 A and AA rules) on the page as it is, and fails on any violation. */
export async function checkA11y(page) {
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  if (violations.length > 0) {
    assert.fail(
      `axe found ${violations.length} accessibility violation(s) on ${page.url()}:\n` +
        violations.map(formatViolation).join('\n'),
    );
  }
}

function formatViolation(violation) {
  const shown = violation.nodes.slice(0, 5).map((node) => {
    const summary = (node.failureSummary ?? '').replace(/\n/g, '\n        ');
    return `    at ${node.target.join(' ')}\n      ${node.html.slice(0, 200)}\n        ${summary}`;
  });
  const more = violation.nodes.length > 5 ? [`    … and ${violation.nodes.length - 5} more`] : [];
  return [
    `  - [${violation.impact}] ${violation.id}: ${violation.help} (${violation.helpUrl})`,
    ...shown,
    ...more,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// The harness a test file runs in

const ACTION_TIMEOUT_MS = 15_000;
const NAVIGATION_TIMEOUT_MS = 30_000;

/**
 * Registers before/after hooks that start the services and a browser for the whole file, and
 * stop them at its end. Returns `services` (ready once the before hook has run) and
 * `browserTest`, to declare tests that get their own browser contexts.
 *
 * On any failure the after hook prints the server logs and keeps the run's files.
 */
export function e2eSuite() {
  const services = new Services();
  let browser;
  let failed = false;

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

/**
 * The link in a mail whose path is `expectedPath` (a string, then it must carry a token query
 * parameter, or a RegExp), checked to point at the server at `origin`.
 */
export function linkIn(mail, expectedPath, origin) {
  const links = mailLinks(mail);
  const wanted = (candidate) => {
    const { pathname: linkPath } = new URL(candidate);
    return typeof expectedPath === 'string' ? linkPath === expectedPath : expectedPath.test(linkPath);
  };
  const found = links.find(wanted);
  assert.ok(found, `no ${expectedPath} link in "${mail.subject}"; links found: ${links.join(', ') || 'none'}`);
  assert.equal(new URL(found).origin, origin, 'mail links must use the server address');
  if (typeof expectedPath === 'string') {
    assert.ok(new URL(found).searchParams.get('token'), `${found} has no token`);
  }
  return found;
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
