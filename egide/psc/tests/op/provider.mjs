// A real OpenID Connect provider (panva/oidc-provider) standing in for Pro Santé Connect in the
// tests: loopback only, one process per test worker, started by egide/psc/tests/provider.py.
//
// It behaves like PSC where Égide depends on it: authorisation code with PKCE (S256 required),
// `acr_values=eidas1`, the `scope_all` scope releasing `SubjectNameID` (the national id, "8" + RPPS)
// at the userinfo endpoint. There is no login form: the interaction page logs in the account the
// test chose beforehand through the control endpoint (`POST /_test/next-login`), which also sets the
// bad cases: another `acr`, or an ID token signed by a key the provider does not publish.
//
// Usage: node provider.mjs CLIENT_ID CLIENT_SECRET REDIRECT_URI
// Prints one JSON line {"issuer": "http://127.0.0.1:PORT"} once it listens, then serves until killed.
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';

import * as jose from 'jose';
import Provider from 'oidc-provider';

const [clientId, clientSecret, redirectUri] = process.argv.slice(2);
if (!clientId || !clientSecret || !redirectUri) {
  process.stderr.write('usage: node provider.mjs CLIENT_ID CLIENT_SECRET REDIRECT_URI\n');
  process.exit(2);
}

const KID = 'psc-test-signing-key';
function privateJwk() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' };
}
const signingJwk = privateJwk();
// Same kid, another key: what an impostor signing in the provider's name would produce.
const foreignKey = await jose.importJWK(privateJwk(), 'RS256');

// What the next login gives; the tests change it between logins.
let nextLogin = { subjectNameId: '810000000000', acr: 'eidas1', forgeSignature: false };

function readJson(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => { try { resolve(JSON.parse(body || '{}')); } catch (error) { reject(error); } });
  });
}

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },
  acrValues: ['eidas1', 'eidas2', 'eidas3'],
  scopes: ['openid', 'scope_all'],
  claims: { openid: ['sub'], scope_all: ['SubjectNameID', 'given_name', 'family_name'] },
  jwks: { keys: [signingJwk] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  // The test client is first-party: no consent screen (oidc-provider's "skip consent" recipe).
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid scope_all');
    await grant.save();
    return grant;
  },
  async findAccount(_ctx, accountId) {
    const subjectNameId = accountId.split(':').pop();
    return {
      accountId,
      async claims() {
        return { sub: accountId, SubjectNameID: subjectNameId, given_name: 'Test', family_name: 'PSC' };
      },
    };
  },
});

// Test controls and the interaction page, before the provider's own routes.
provider.use(async (ctx, next) => {
  if (ctx.method === 'POST' && ctx.path === '/_test/next-login') {
    nextLogin = { ...nextLogin, ...(await readJson(ctx.req)) };
    ctx.body = nextLogin;
    return;
  }
  if (ctx.method === 'GET' && ctx.path.startsWith('/interaction/')) {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const accountId = `f:test:${nextLogin.subjectNameId}`;
    const result = details.prompt.name === 'login'
      ? { login: { accountId, acr: nextLogin.acr } }
      : { consent: {} };
    await provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
    ctx.respond = false;
    return;
  }
  await next();
  if (ctx.path === '/token' && nextLogin.forgeSignature && ctx.body && ctx.body.id_token) {
    const [header, payload] = ctx.body.id_token.split('.');
    const protectedHeader = JSON.parse(Buffer.from(header, 'base64url').toString());
    ctx.body.id_token = await new jose.CompactSign(Buffer.from(payload, 'base64url'))
      .setProtectedHeader(protectedHeader)
      .sign(foreignKey);
  }
});

server.on('request', provider.callback());
process.stdout.write(`${JSON.stringify({ issuer })}\n`);
