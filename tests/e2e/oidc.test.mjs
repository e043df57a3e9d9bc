// Usher as the OpenID Provider of the product's own applications, driven through Chromium: the
// operator registers two applications; each is the example relying party (openid-client, in
// Node). A person signs in to the first through the organization's branded page (discovery,
// PKCE, `organization`, the callback, ID token validation by the library, userinfo), refreshes
// its tokens, picks an organization for the second application without typing a password
// again (single sign-on), and signs out from the first (RP-initiated logout). axe audits the
// sign-in pages and the organization picker.
import assert from 'node:assert/strict';

import {
  acceptByCreatingAccount,
  assertOk,
  bodyText,
  button,
  checkA11y,
  clickThrough,
  createOrg,
  e2eSuite,
  enterEmail,
  field,
  freePort,
  heading,
  linkIn,
  main,
  operatorOf,
  pathname,
  provisionAdmin,
  runTag,
  visit,
  waitForMail,
} from './support/index.mjs';

const { services, browserTest } = e2eSuite();

const RUN = runTag();
const PASSWORD = 'correct horse battery staple 42';
const INVITED = 'You are invited to join an organization on Usher';
const emailFor = (who) => `${who}.${RUN}@example.com`;
const operatorPage = operatorOf(services, {
  name: 'Otto Operator',
  email: emailFor('operator'),
  password: 'operator passphrase for e2e 12',
});

/** Registers an application at /admin/apps/new; its client id and secret, read off its page. */
async function registerApp(page, { name, organizations, rp }) {
  assertOk(await visit(page, '/admin/apps/new'), 'open the new-application form');
  await field(page, 'Name').fill(name);
  await page.getByRole('radio', { name: /^Confidential/ }).check();
  await page.getByRole('radio', { name: new RegExp(`^${organizations}:`) }).check();
  await field(page, 'Redirect URIs').fill(`${rp}/callback`);
  await field(page, 'Post-logout redirect URIs (optional)').fill(`${rp}/`);
  assertOk(await clickThrough(page, button(page, 'Register application')), `register ${name}`);
  assert.equal(await heading(page), name);
  const valueOf = (term) => main(page).locator(`dt:text-is("${term}") + dd code`).innerText();
  return { clientId: await valueOf('Client ID'), clientSecret: await valueOf('Client secret') };
}

/** An organization whose owner, invited by the operator, created their account. */
async function orgWithOwner(operator, newPage, owner) {
  const org = { name: `Initech ${RUN}`, mode: 'shared' };
  org.slug = await createOrg(operator, org);
  await provisionAdmin(operator, owner.email);
  const mail = await waitForMail(services.maildir, { to: owner.email, subject: INVITED });
  const page = await newPage();
  const invitation = linkIn(mail, /^\/invitations\/[^/]+$/, services.baseURL);
  await acceptByCreatingAccount(page, invitation, { orgName: org.name, ...owner });
  await page.context().clearCookies();
  return { org, page };
}

/** Follows a sign-in that ends on Usher's page that continues to the application. */
async function landOn(page, rp, action) {
  await Promise.all([page.waitForURL(`${rp}/`), action]);
}

browserTest('a person signs in to the product through Usher, refreshes, uses a second app by SSO and signs out', {}, async ({ newPage }) => {
  const operator = await operatorPage(newPage);
  const [productPort, reportsPort] = [await freePort(), await freePort()];
  const productUrl = `http://127.0.0.1:${productPort}`;
  const reportsUrl = `http://127.0.0.1:${reportsPort}`;
  const product = await registerApp(operator, { name: 'Product', organizations: 'Required', rp: productUrl });
  const reports = await registerApp(operator, { name: 'Reports', organizations: 'Required', rp: reportsUrl });
  await services.startRelyingParty({ name: 'Product', port: productPort, ...product });
  await services.startRelyingParty({ name: 'Reports', port: reportsPort, ...reports });

  const owner = { name: 'Ida Initech', email: emailFor('ida'), password: PASSWORD };
  const { org, page } = await orgWithOwner(operator, newPage, owner);

  // The product sends the person to the organization's own sign-in page.
  assertOk(await visit(page, `${productUrl}/login?organization=${org.slug}`), 'open the product sign-in');
  assert.equal(pathname(page), `/o/${org.slug}/login`);
  assert.match(await bodyText(page), new RegExp(org.name));
  await enterEmail(page, owner.email);
  await field(page, 'Password').fill(owner.password);
  // Chromium checks form-action against the redirects after this POST: the flow ends on a
  // page of Usher's that continues to the product.
  await landOn(page, productUrl, button(page, 'Sign in').click());
  assert.equal(await page.locator('#email').innerText(), owner.email);
  assert.equal(await page.locator('#org').innerText(), `${org.name} (owner)`);
  const claims = JSON.parse(await page.locator('#claims').innerText());
  assert.equal(claims.iss, services.baseURL);
  assert.equal(claims.org_role, 'owner');

  // The library refreshes the tokens (rotated by Usher).
  await Promise.all([page.waitForURL(`${productUrl}/`), page.getByRole('link', { name: 'Refresh tokens' }).click()]);
  assert.equal(await page.locator('#refreshes').innerText(), '1');

  // A second organization makes the second app ask which one: the picker, then no password.
  const second = { name: `Umbrella ${RUN}`, mode: 'shared' };
  second.slug = await createOrg(operator, second);
  await provisionAdmin(operator, owner.email);
  const mail = await waitForMail(services.maildir, { to: owner.email, subject: INVITED, match: (m) => (m.text ?? '').includes(second.name) });
  assertOk(await visit(page, linkIn(mail, /^\/invitations\/[^/]+$/, services.baseURL)), 'open the second invitation');
  assertOk(await clickThrough(page, button(page, `Join ${second.name}`)), `join ${second.name}`);

  assertOk(await visit(page, `${reportsUrl}/login`, { audit: false }), 'open the reports sign-in');
  assert.equal(pathname(page), '/oauth/authorize/organization');
  assert.equal(await heading(page), 'Choose an organization');
  await checkA11y(page);
  const choices = (await main(page).getByRole('listitem').allInnerTexts()).join('\n');
  assert.ok(choices.includes(org.name) && choices.includes(second.name), choices);
  await landOn(page, reportsUrl, button(page, `Continue with ${org.name}`).click());
  assert.equal(await page.locator('#org').innerText(), `${org.name} (owner)`);

  // Signing out of the product ends the Usher session too.
  const backAtProduct = (url) => url.origin === productUrl && url.pathname === '/';
  await Promise.all([page.waitForURL(backAtProduct), page.goto(`${productUrl}/logout`)]);
  assert.match(await bodyText(page), /You are signed out/);
  assertOk(await visit(page, '/account'), 'open the account page');
  assert.equal(pathname(page), '/login', 'signed out of Usher');
});
