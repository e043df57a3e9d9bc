// The services the browser suite runs besides the browser: a real SMTP sink writing a Maildir
// and the usher binary, each on a free port, started and stopped around a test file; and the
// polling (waitFor) used to wait for them and for what they produce.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** The suite's folder, tests/e2e (this file is in its support/ folder). */
export const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

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
  constructor(name, command, args, { env, logPath, stdin = 'ignore' }) {
    this.name = name;
    this.logPath = logPath;
    // Writing straight to a file descriptor (not a pipe) means a chatty child can never block
    // on a full pipe that nobody reads.
    const fd = fs.openSync(logPath, 'a');
    try {
      this.child = spawn(command, args, { env, stdio: [stdin, fd, fd] });
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

  dnsPort = null;
  idp = null;

  /** `dns`: also a DNS server (dnslib) that Usher's domain verification asks. */
  async start({ dns = false } = {}) {
    // If the runner is interrupted the after hooks may never run; don't leave servers behind.
    process.once('exit', this.#onExit);
    const bin = usherBinary();
    this.workDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'usher-e2e-'));
    const smtpPort = await this.#startSmtp();
    if (dns) await this.#startDns();
    await this.#startUsher(bin, smtpPort);
  }

  /** The DNS server of the Rust tests (tests/api/helpers/dns_server.py), on a file of records. */
  async #startDns() {
    this.dnsRecords = path.join(this.workDir, 'dns-records.json');
    await fsp.writeFile(this.dnsRecords, '{}');
    const script = path.resolve(E2E_DIR, '../api/helpers/dns_server.py');
    // It serves until its standard input closes: keep a pipe open to it.
    const dns = this.#spawn('dns', 'python3', [script, this.dnsRecords], process.env, { stdin: 'pipe' });
    this.dnsPort = await waitFor('the DNS server to print its port', () => Number(/^(\d+)$/m.exec(dns.log())?.[1]), {
      timeoutMs: SMTP_START_TIMEOUT_MS,
      fatal: () => dns.deathReason(),
    });
  }

  /** Publishes a TXT record on the suite's DNS server. */
  async publishTxt(name, value) {
    const records = JSON.parse(await fsp.readFile(this.dnsRecords, 'utf8'));
    records[name.endsWith('.') ? name : `${name}.`] = [value];
    await fsp.writeFile(this.dnsRecords, JSON.stringify(records));
  }

  /**
   * (Re)starts the organization's identity provider (support/idp.mjs, oidc-provider) on `port`
   * with Usher as its client at `redirectUri`; its signing key stays the same across restarts.
   */
  async startIdp({ port, clientId, clientSecret, redirectUri }) {
    await this.idp?.stop();
    this.idpNames = path.join(this.workDir, 'idp-names.json');
    const env = {
      ...process.env,
      IDP_PORT: String(port),
      CLIENT_ID: clientId,
      CLIENT_SECRET: clientSecret,
      REDIRECT_URI: redirectUri,
      POST_LOGOUT_URI: `${this.baseURL}/login`,
      KEYS_FILE: path.join(this.workDir, 'idp-keys.json'),
      NAMES_FILE: this.idpNames,
    };
    this.idp = this.#spawn(`idp-${port}`, process.execPath, [path.resolve(E2E_DIR, 'support/idp.mjs')], env);
    await waitFor(`the identity provider on 127.0.0.1:${port}`, () => acceptsConnections(port), {
      timeoutMs: SMTP_START_TIMEOUT_MS,
      fatal: () => this.idp.deathReason(),
    });
    return `http://127.0.0.1:${port}`;
  }

  /** Renames someone at the identity provider (read at their next sign-in). */
  async renameAtIdp(login, name) {
    let names = {};
    try {
      names = JSON.parse(await fsp.readFile(this.idpNames, 'utf8'));
    } catch {
      // no one renamed yet
    }
    names[login] = name;
    await fsp.writeFile(this.idpNames, JSON.stringify(names));
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
    if (this.dnsPort) env.USHER_DNS_SERVER = `127.0.0.1:${this.dnsPort}`;
    await fsp.mkdir(env.USHER_DATA_DIR, { mode: 0o700 }); // private, as Usher asks
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

  /**
   * Starts the example relying party (examples/relying-party), the product's web app signing
   * people in through this usher with openid-client, on `port` with the client registered for
   * it. Returns its address.
   */
  async startRelyingParty({ name, port, clientId, clientSecret }) {
    const script = path.resolve(E2E_DIR, '../../examples/relying-party/rp.mjs');
    const env = {
      ...process.env,
      USHER_URL: this.baseURL,
      PORT: String(port),
      CLIENT_ID: clientId,
      CLIENT_SECRET: clientSecret,
      APP_NAME: name,
    };
    const rp = this.#spawn(`relying-party-${port}`, process.execPath, [script], env);
    await waitFor(`the relying party on 127.0.0.1:${port}`, () => acceptsConnections(port), {
      timeoutMs: SMTP_START_TIMEOUT_MS,
      fatal: () => rp.deathReason(),
    });
    return `http://127.0.0.1:${port}`;
  }

  #spawn(name, command, args, env, { stdin = 'ignore' } = {}) {
    const service = new Service(name, command, args, {
      env,
      stdin,
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
