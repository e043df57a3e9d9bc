// An organization's identity provider for the browser suite: panva's oidc-provider (OpenID
// Certified), on 127.0.0.1, with its built-in login form (any password; the login, an email
// address, becomes the subject). Its one client is Usher, with PKCE required and consent
// granted at once. Each person's email is their login, verified; their name comes from
// NAMES_FILE (a JSON object, read at every sign-in, so a test can rename someone at the
// provider); everyone is in the group `acme-admins`.
//
//   IDP_PORT=… CLIENT_ID=… CLIENT_SECRET=… REDIRECT_URI=… POST_LOGOUT_URI=… \
//   KEYS_FILE=… NAMES_FILE=… node idp.mjs
//
// KEYS_FILE keeps its signing key across restarts (made on the first start).
import crypto from 'node:crypto';
import fs from 'node:fs';

import Provider from 'oidc-provider';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const issuer = `http://127.0.0.1:${env('IDP_PORT')}`;

function signingKeys(file) {
  if (!fs.existsSync(file)) {
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'idp-rsa-1', alg: 'RS256', use: 'sig' };
    fs.writeFileSync(file, JSON.stringify({ keys: [jwk] }), { mode: 0o600 });
  }
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function nameOf(login) {
  try {
    return JSON.parse(fs.readFileSync(env('NAMES_FILE'), 'utf8'))[login] ?? login.split('@')[0];
  } catch {
    return login.split('@')[0];
  }
}

const provider = new Provider(issuer, {
  clients: [{
    client_id: env('CLIENT_ID'),
    client_secret: env('CLIENT_SECRET'),
    redirect_uris: [env('REDIRECT_URI')],
    post_logout_redirect_uris: [env('POST_LOGOUT_URI')],
    response_types: ['code'],
    grant_types: ['authorization_code'],
  }],
  jwks: signingKeys(env('KEYS_FILE')),
  cookies: { keys: ['a cookie key for the test identity provider'] },
  pkce: { required: () => true },
  // Usher reads the profile from the ID token and userinfo alike.
  conformIdTokenClaims: false,
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  scopes: ['openid', 'email', 'profile', 'groups'],
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id, email_verified: true, name: nameOf(id), groups: ['acme-admins'] };
      },
    };
  },
  // No consent screen: the organization's admins registered Usher.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile groups');
    await grant.save();
    return grant;
  },
});

provider.listen(Number(env('IDP_PORT')), '127.0.0.1', () => {
  process.stdout.write(`identity provider at ${issuer}\n`);
});
