// Enterprise sign-in through an organization's own identity provider, driven through Chromium
// against a real OpenID Certified provider (panva's oidc-provider, support/idp.mjs): the owner
// verifies the company domain (a real DNS server), adds the provider and runs a test sign-in;
// an employee typing their email at /login is sent there (home-realm discovery) and comes back
// with an account and the role their groups map to; a second sign-in follows the new name;
// enforced SSO sends the domain straight to the provider; and an application's authorization
// request completed through the provider returns to the application with the org claims.
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
  field,
  freePort,
  heading,
  link,
  linkIn,
  main,
  operatorOf,
  pathname,
  provisionAdmin,
  runTag,
  visit,
  waitForMail,
} from './support/index.mjs';

const { services, browserTest } = e2eSuite({ dns: true });

const RUN = runTag();
const DOMAIN = `acme-${RUN}.test`.toLowerCase();
const PASSWORD = 'correct horse battery staple 42';
const INVITED = 'You are invited to join an organization on Usher';
const CLIENT = { clientId: 'usher', clientSecret: `idp secret ${RUN}` };
const operatorPage = operatorOf(services, {
  name: 'Otto Operator',
  email: `operator.${RUN}@example.com`,
  password: 'operator passphrase for e2e 12',
});

/** The owner of a new organization, signed in on their own page. */
async function orgWithOwner(operator, newPage, owner) {
  const org = { name: `Acme ${RUN}`, mode: 'shared' };
  org.slug = await createOrg(operator, org);
  await provisionAdmin(operator, owner.email);
  const mail = await waitForMail(services.maildir, { to: owner.email, subject: INVITED });
  const page = await newPage();
  await acceptByCreatingAccount(page, linkIn(mail, /^\/invitations\/[^/]+$/, services.baseURL), { orgName: org.name, ...owner });
  return { org, page };
}

/** Adds and verifies the company domain through the admin portal and the DNS server. */
async function verifyDomain(page, slug) {
  assertOk(await visit(page, `/o/${slug}/admin/domains`), 'open the domains');
  await field(page, 'Domain, like acme.com').fill(DOMAIN);
  assertOk(await clickThrough(page, button(page, 'Add domain')), 'add the domain');
  const value = await main(page).locator('dt:text-is("Value") + dd code').first().innerText();
  await services.publishTxt(`_usher-verification.${DOMAIN}`, value);
  assertOk(await clickThrough(page, button(page, `Verify ${DOMAIN}`)), 'verify the domain');
  assert.match(await bodyText(page), /The domain is verified/);
}

/** Signs in at the provider's own login form as `login`, and waits to be back at Usher. */
async function signInAtIdp(page, idpUrl, login) {
  await page.waitForURL((url) => url.origin === idpUrl);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('anything');
  await Promise.all([
    page.waitForURL((url) => url.origin === services.baseURL),
    page.getByRole('button', { name: 'Sign-in' }).click(),
  ]);
}

browserTest('employees sign in with their company identity provider, and arrive with an account', {}, async ({ newPage }) => {
  const operator = await operatorPage(newPage);
  const owner = { name: 'Ida Owner', email: `ida@${DOMAIN}`, password: PASSWORD };
  const { org, page: admin } = await orgWithOwner(operator, newPage, owner);
  await verifyDomain(admin, org.slug);

  // The owner adds the provider: discovery is fetched when saved (the provider is up, with a
  // placeholder redirect URI until Usher names the real one).
  const idpPort = await freePort();
  let idpUrl = await services.startIdp({ port: idpPort, ...CLIENT, redirectUri: 'http://127.0.0.1:9/none' });
  assertOk(await visit(admin, `/o/${org.slug}/admin/sso`), 'open single sign-on');
  await field(admin, 'Name on the sign-in button').fill('Acme Login');
  await field(admin, 'Issuer URL').fill(idpUrl);
  await field(admin, 'Client ID').fill(CLIENT.clientId);
  await field(admin, 'Client secret').fill(CLIENT.clientSecret);
  await field(admin, 'Scopes, separated by spaces').fill('openid email profile groups');
  await admin.locator('#role_rules').fill('acme-admins = admin');
  assertOk(await clickThrough(admin, button(admin, 'Add identity provider')), 'add the provider');
  assert.equal(await admin.getByRole('heading', { level: 2 }).first().innerText(), 'Acme Login on');
  const valueOf = (term) => main(admin).locator(`dt:text-is("${term}") + dd code`).innerText();
  const redirectUri = await valueOf('Redirect URI to register at the identity provider');
  assert.match(redirectUri, new RegExp(`^${services.baseURL}/sso/[^/]+/callback$`));
  assert.match(await bodyText(admin), new RegExp(`${idpUrl}/auth`), 'shows the discovered endpoints');
  const connectionPage = admin.url();
  idpUrl = await services.startIdp({ port: idpPort, ...CLIENT, redirectUri });

  // A test sign-in shows what the provider sends, and creates nothing.
  await Promise.all([admin.waitForURL((url) => url.origin === idpUrl), button(admin, 'Test sign-in').click()]);
  await signInAtIdp(admin, idpUrl, `tess@${DOMAIN}`);
  assert.match(await heading(admin), /it worked/);
  const report = await bodyText(admin);
  assert.match(report, /Nothing was created/);
  assert.match(report, new RegExp(`tess@${DOMAIN}`));
  assert.match(report, /Role\s+Admin/);
  await checkA11y(admin);

  // Ada types her email at /login: her domain's provider is offered, and she goes there.
  const ada = await newPage();
  const adaEmail = `ada@${DOMAIN}`;
  assertOk(await visit(ada, '/login'), 'open sign-in');
  await field(ada, 'Email').fill(adaEmail);
  assertOk(await clickThrough(ada, button(ada, 'Continue')), 'continue');
  await Promise.all([ada.waitForURL((url) => url.origin === idpUrl), link(ada, 'Sign in with Acme Login').click()]);
  await signInAtIdp(ada, idpUrl, adaEmail);
  assert.equal(pathname(ada), `/o/${org.slug}`, 'in the organization');
  assert.match(await bodyText(ada), /ada/);

  // The owner sees her as a member with the role her group maps to.
  assertOk(await visit(admin, `/o/${org.slug}/admin/members`), 'open the members');
  const row = main(admin).getByRole('row').filter({ hasText: adaEmail });
  assert.match(await row.innerText(), /Admin/);

  // Renamed at the provider, she comes back through the organization's page as the new name.
  await services.renameAtIdp(adaEmail, 'Ada King');
  const later = await newPage();
  assertOk(await visit(later, `/o/${org.slug}/login`), 'open the organization sign-in');
  await Promise.all([later.waitForURL((url) => url.origin === idpUrl), link(later, 'Sign in with Acme Login').click()]);
  await signInAtIdp(later, idpUrl, adaEmail);
  assertOk(await visit(later, '/account'), 'open the account');
  assert.match(await bodyText(later), /Ada King/);

  // Enforced: the domain goes straight to the provider from the email step (a page that
  // continues there, as form-action would block a redirect), never to a password.
  assertOk(await visit(admin, connectionPage), 'open the connection');
  await admin.getByLabel(/^Require this sign-in for our verified domains/).check();
  assertOk(await clickThrough(admin, button(admin, 'Save')), 'save');
  const enforced = await newPage();
  assertOk(await visit(enforced, '/login'), 'open sign-in');
  await field(enforced, 'Email').fill(owner.email);
  await Promise.all([enforced.waitForURL((url) => url.origin === idpUrl), button(enforced, 'Continue').click()]);

  // An application's sign-in completed through the provider returns with the org claims.
  const productPort = await freePort();
  const productUrl = `http://127.0.0.1:${productPort}`;
  const product = await registerApp(operator, productUrl);
  await services.startRelyingParty({ name: 'Product', port: productPort, ...product });
  const user = await newPage();
  assertOk(await visit(user, `${productUrl}/login`, { audit: false }), 'open the product');
  assert.equal(pathname(user), '/login');
  await field(user, 'Email').fill(adaEmail);
  await Promise.all([user.waitForURL((url) => url.origin === idpUrl), button(user, 'Continue').click()]);
  await user.locator('input[name="login"]').fill(adaEmail);
  await user.locator('input[name="password"]').fill('anything');
  await Promise.all([user.waitForURL(`${productUrl}/`), user.getByRole('button', { name: 'Sign-in' }).click()]);
  assert.equal(await user.locator('#email').innerText(), adaEmail);
  assert.equal(await user.locator('#org').innerText(), `${org.name} (admin)`);
});

/** Registers the product at /admin/apps/new; its client id and secret. */
async function registerApp(page, rp) {
  assertOk(await visit(page, '/admin/apps/new'), 'open the new-application form');
  await field(page, 'Name').fill('Product');
  await page.getByRole('radio', { name: /^Confidential/ }).check();
  await page.getByRole('radio', { name: /^Required:/ }).check();
  await field(page, 'Redirect URIs').fill(`${rp}/callback`);
  await field(page, 'Post-logout redirect URIs (optional)').fill(`${rp}/`);
  assertOk(await clickThrough(page, button(page, 'Register application')), 'register the product');
  const valueOf = (term) => main(page).locator(`dt:text-is("${term}") + dd code`).innerText();
  return { clientId: await valueOf('Client ID'), clientSecret: await valueOf('Client secret') };
}
