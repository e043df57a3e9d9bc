// User migration from a legacy store, driven through Chromium against a real PostgreSQL
// database as an older application would have left it: the operator adds the store in migrate
// mode (its queries checked against the database when saved), a legacy user signs in with
// their old password and lands in their organization, the migration cockpit counts them,
// "Import the rest" brings everyone else over on the job runner (its page refreshing itself),
// and each of them signs in with their old password too. The store's address, which carries a
// database password, appears on no page and in no log line. axe audits every page visited.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after } from 'node:test';

import {
  assertInOrg,
  assertOk,
  bodyText,
  button,
  clickThrough,
  createOrg,
  e2eSuite,
  field,
  heading,
  link,
  main,
  operatorOf,
  pathname,
  runTag,
  signIn,
  visit,
} from './support/index.mjs';

const { services, browserTest } = e2eSuite();

const RUN = runTag();
const OLD_PASSWORD = 'correct horse battery staple';
/** `OLD_PASSWORD` as Python's bcrypt 5.0.0 hashed it, as the legacy application stored it. */
const BCRYPT = '$2b$04$a4LXzhauaCjwwSemNYAYvOuWSBIhYLueIiNXwqOoZgDLuCc0D9rvK';
/** The database password in the store's URL (the test server trusts any password). */
const DB_PASSWORD = `legacy-db-pw-${RUN}`.toLowerCase();
const DATABASE = `legacy_e2e_${RUN}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
const PG = { host: '127.0.0.1', port: '5432', user: 'postgres' };
const operatorPage = operatorOf(services, {
  name: 'Lior Operator',
  email: `operator.${RUN}@example.com`,
  password: 'operator passphrase for e2e 13',
});

const LEGACY_USERS = [
  { id: 1, name: 'Lena Legacy', email: `lena.${RUN}@example.com`.toLowerCase() },
  { id: 2, name: 'Milo Legacy', email: `milo.${RUN}@example.com`.toLowerCase() },
  { id: 3, name: 'Nia Legacy', email: `nia.${RUN}@example.com`.toLowerCase() },
];

/** Runs SQL on the PostgreSQL server with psql (in `database`, or the server's own). */
function psql(sql, database = 'postgres') {
  execFileSync('psql', ['-w', '-h', PG.host, '-p', PG.port, '-U', PG.user, '-d', database, '-v', 'ON_ERROR_STOP=1', '-q', '-c', sql], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** The legacy application's database: a users table with bcrypt hashes. */
function createLegacyDatabase() {
  psql(`CREATE DATABASE ${DATABASE}`);
  psql(
    'CREATE TABLE accounts (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, pw TEXT NOT NULL, ' +
      'full_name TEXT, confirmed BOOLEAN NOT NULL)',
    DATABASE,
  );
  const rows = LEGACY_USERS.map((u) => `(${u.id}, '${u.email}', '${BCRYPT}', '${u.name}', true)`).join(', ');
  psql(`INSERT INTO accounts VALUES ${rows}`, DATABASE);
}

/** Whether the PostgreSQL server is there; CI must have it. */
function postgresReachable() {
  try {
    psql('SELECT 1');
    return true;
  } catch {
    if (process.env.CI) throw new Error(`PostgreSQL is required under CI at ${PG.host}:${PG.port}`);
    process.stderr.write(`\n!!! PostgreSQL is not reachable at ${PG.host}:${PG.port}: the legacy store journey does not run\n`);
    return false;
  }
}

after(() => {
  try {
    psql(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  } catch {
    // The server is gone already; nothing to clean.
  }
});

const COLUMNS = 'id, email, pw AS password_hash, full_name AS name, confirmed AS email_verified';

/** The cockpit's count in the row named `label`. */
async function count(page, label) {
  const row = main(page).getByRole('row').filter({ has: page.getByRole('rowheader', { name: label, exact: true }) });
  return (await row.getByRole('cell').innerText()).trim();
}

const skip = !postgresReachable() && 'PostgreSQL is not reachable';

browserTest('users come over from a legacy database at sign-in, then the rest in bulk', { timeout: 180_000, skip }, async ({ newPage }) => {
  createLegacyDatabase();
  const operator = await operatorPage(newPage);
  // Its own users (isolated): the legacy store's word that an address is verified is enough.
  const org = { name: `Oldco ${RUN}`, mode: 'isolated' };
  org.slug = await createOrg(operator, org);

  // The operator adds the store from the portal.
  assertOk(await visit(operator, '/admin'), 'open the operator portal');
  assertOk(await clickThrough(operator, link(main(operator), 'Legacy stores')), 'open the legacy stores');
  assertOk(await clickThrough(operator, link(main(operator), 'Add a legacy store')), 'open the form');
  await field(operator, 'Name').fill('oldco-app');
  await operator.getByLabel(/^A database/).check();
  await operator.getByLabel(/^Migrate:/).check();
  const url = `postgres://${PG.user}:${DB_PASSWORD}@${PG.host}:${PG.port}/${DATABASE}`;
  await operator.getByLabel(/^Address:/).fill(url);
  await operator.getByLabel(/^Lookup query/).fill(`SELECT ${COLUMNS} FROM accounts WHERE email = $1`);
  await operator.getByLabel(/^All-users query/).fill(`SELECT ${COLUMNS} FROM accounts WHERE id > $1 ORDER BY id LIMIT $2`);
  await operator.getByLabel(/^Test email/).fill(LEGACY_USERS[0].email);
  await operator.getByLabel(/^Organization that uses it/).fill(org.slug);
  assertOk(await clickThrough(operator, button(operator, 'Check and add the store')), 'add the store');
  assert.equal(await heading(operator), 'Legacy store oldco-app');
  const checked = await bodyText(operator);
  assert.match(checked, /The lookup query returns the columns id, email, password_hash, name, email_verified\./);
  assert.match(checked, new RegExp(`It found ${LEGACY_USERS[0].email}`));
  assert.match(checked, /ids compare as integer/);
  const settingsPath = await link(main(operator), 'Change its settings').getAttribute('href');
  const cockpit = settingsPath.replace(/\/edit$/, '');

  // Lena signs in with her old password and lands in her organization.
  const lena = await newPage();
  assertOk(await visit(lena, `/o/${org.slug}/login`), 'open the organization sign-in');
  await signIn(lena, { email: LEGACY_USERS[0].email, password: OLD_PASSWORD });
  await assertInOrg(lena, org, 'member');

  // The cockpit counts her, and the two still waiting in the legacy store.
  assertOk(await visit(operator, cockpit), 'open the cockpit');
  assert.equal(await count(operator, 'Migrated at sign-in'), '1');
  assert.equal(await count(operator, 'Bulk-imported'), '0');
  assert.equal(await count(operator, 'Still only in the legacy store'), '2');
  assert.ok(await main(operator).getByRole('img', { name: /Users come over since/ }).isVisible(), 'the chart is drawn');

  // Import the rest: the import's page follows the job to its end by refreshing itself.
  assertOk(await clickThrough(operator, button(operator, 'Import the rest')), 'import the rest');
  assert.match(pathname(operator), /^\/admin\/imports\/[^/]+$/);
  await operator.waitForFunction(() => document.querySelector('h1')?.textContent === 'Import: done', null, {
    timeout: 60_000,
  });
  const done = await bodyText(operator);
  assert.match(done, /Created\s+2/);
  assert.match(done, /Skipped \(already there\)\s+1/);

  assertOk(await visit(operator, cockpit), 'open the cockpit again');
  assert.equal(await count(operator, 'Migrated at sign-in'), '1');
  assert.equal(await count(operator, 'Bulk-imported'), '2');
  assert.equal(await count(operator, 'Still only in the legacy store'), '0');

  // Each of them signs in with their old password.
  for (const user of LEGACY_USERS.slice(1)) {
    const page = await newPage();
    assertOk(await visit(page, `/o/${org.slug}/login`), 'open the organization sign-in');
    await signIn(page, { email: user.email, password: OLD_PASSWORD });
    await assertInOrg(page, org, 'member');
  }

  // The store's address (and the password in it) is on no page and in no log line.
  for (const path of [cockpit, `${cockpit}/edit`, '/admin/legacy', '/admin/audit']) {
    assertOk(await visit(operator, path), `open ${path}`);
    const html = await operator.content();
    assert.ok(!html.includes(DB_PASSWORD), `${path} shows the database password`);
  }
  assert.ok(!services.usher.log().includes(DB_PASSWORD), 'the log shows the database password');
});
