// A product web app that signs people in through Usher, as its OpenID Provider, with panva's
// openid-client: discovery, the authorization code flow with PKCE, ID token validation,
// userinfo, refresh and RP-initiated logout. Sessions live in memory; it is an example.
//
//   USHER_URL=http://127.0.0.1:8080 CLIENT_ID=… CLIENT_SECRET=… node rp.mjs
//
// Register it in Usher (/admin/apps) with the redirect URI http://127.0.0.1:3000/callback and
// the post-logout redirect URI http://127.0.0.1:3000/ (PORT changes 3000).
import { randomUUID } from 'node:crypto';
import http from 'node:http';

import * as oidc from 'openid-client';

const usher = new URL(process.env.USHER_URL ?? 'http://127.0.0.1:8080');
const port = Number(process.env.PORT ?? 3000);
const here = `http://127.0.0.1:${port}`;
const name = process.env.APP_NAME ?? 'Example product';
// Plain http is for an Usher on this machine only.
const insecure = usher.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {};
const config = await oidc.discovery(usher, process.env.CLIENT_ID, process.env.CLIENT_SECRET, undefined, insecure);

const sessions = new Map();
// Cookies do not keep ports apart: two examples on one machine each need a name of their own.
const cookie = `rp_session_${port}`;
const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function sessionOf(req, res) {
  const id = new RegExp(`(?:^|; )${cookie}=([\\w-]+)`).exec(req.headers.cookie ?? '')?.[1];
  if (id && sessions.has(id)) return sessions.get(id);
  const fresh = randomUUID();
  sessions.set(fresh, {});
  res.setHeader('Set-Cookie', `${cookie}=${fresh}; HttpOnly; SameSite=Lax; Path=/`);
  return sessions.get(fresh);
}

function page(res, body) {
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html lang="en"><head><title>${escape(name)}</title></head><body><main>${body}</main></body></html>`);
}

function redirect(res, location) {
  res.writeHead(302, { Location: location }).end();
}

async function handle(req, res) {
  const url = new URL(req.url, here);
  const session = sessionOf(req, res);
  if (url.pathname === '/login') {
    session.flow = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce() };
    const params = {
      redirect_uri: `${here}/callback`,
      scope: 'openid email profile offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(session.flow.verifier),
      code_challenge_method: 'S256',
      state: session.flow.state,
      nonce: session.flow.nonce,
    };
    const organization = url.searchParams.get('organization');
    if (organization) params.organization = organization;
    return redirect(res, oidc.buildAuthorizationUrl(config, params).href);
  }
  if (url.pathname === '/callback') {
    // Checks state, iss (RFC 9207), the code exchange and the ID token: signature, iss, aud, nonce.
    const tokens = await oidc.authorizationCodeGrant(config, url, {
      pkceCodeVerifier: session.flow?.verifier,
      expectedState: session.flow?.state,
      expectedNonce: session.flow?.nonce,
    });
    const claims = tokens.claims();
    session.signedIn = { tokens, claims, userinfo: await oidc.fetchUserInfo(config, tokens.access_token, claims.sub), refreshes: 0 };
    delete session.flow;
    return redirect(res, '/');
  }
  if (url.pathname === '/refresh' && session.signedIn) {
    const tokens = await oidc.refreshTokenGrant(config, session.signedIn.tokens.refresh_token);
    Object.assign(session.signedIn, { tokens, claims: tokens.claims() ?? session.signedIn.claims });
    session.signedIn.refreshes += 1;
    return redirect(res, '/');
  }
  if (url.pathname === '/logout' && session.signedIn) {
    const idToken = session.signedIn.tokens.id_token;
    delete session.signedIn;
    return redirect(res, oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: `${here}/`, state: randomUUID() }).href);
  }
  const who = session.signedIn;
  if (!who) return page(res, `<h1>${escape(name)}</h1><p>You are signed out.</p><p><a href="/login">Sign in</a></p>`);
  const org = who.claims.org_name ? `${escape(who.claims.org_name)} (${escape(who.claims.org_role)})` : 'none';
  return page(res, `<h1>${escape(name)}</h1>
    <p>Signed in as <strong id="email">${escape(who.userinfo.email)}</strong>.</p>
    <p>Organization: <span id="org">${org}</span></p>
    <p>Tokens refreshed: <span id="refreshes">${who.refreshes}</span></p>
    <p><a href="/refresh">Refresh tokens</a> · <a href="/logout">Sign out</a></p>
    <pre id="claims">${escape(JSON.stringify(who.claims, null, 2))}</pre>`);
}

http.createServer((req, res) => handle(req, res).catch((error) => {
  res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`Sign-in failed: ${error.message}\n`);
})).listen(port, '127.0.0.1', () => console.log(`${name} on ${here}`));
