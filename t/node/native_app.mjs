// t/native_app.t's native app: a public client written with oauth4webapi
// (a certified OAuth client library, not ours) doing what a phone or desktop
// app does (RFC 8252): discovery (RFC 8414), a loopback redirect on a port
// the OS picks (RFC 8252 §7.3), PKCE S256 (RFC 7636), the authorization
// response's state and iss checked (RFC 9207), the code exchanged with
// client_id alone (token_endpoint_auth_method "none"), one refresh.
//
//   node native_app.mjs ISSUER CLIENT_ID SCOPE
//   (the user's Basic login in MTO_NATIVE_USER and MTO_NATIVE_PASSWORD)
//
// There is no browser: the script itself plays the user's part, GETting the
// authorization URL with the user's Basic login (an autoapprove client
// answers with a redirect) and following that redirect to its own listener.
// Prints one JSON line; exits non-zero with the error on stderr otherwise.
import * as oauth from 'oauth4webapi';
import http from 'node:http';

const [issuerArg, clientId, scope] = process.argv.slice(2);
const user = process.env.MTO_NATIVE_USER;
const password = process.env.MTO_NATIVE_PASSWORD;
if (!issuerArg || !clientId || !scope || !user || !password) {
    console.error('usage: MTO_NATIVE_USER=u MTO_NATIVE_PASSWORD=p node native_app.mjs ISSUER CLIENT_ID SCOPE');
    process.exit(2);
}
setTimeout(() => { console.error('native_app.mjs: over 30s'); process.exit(3); }, 30000).unref();

// The test server speaks plain http; oauth4webapi refuses http endpoints
// unless told otherwise.  A real app talks to an https issuer and leaves
// this out.
const insecure = { [oauth.allowInsecureRequests]: true };

const issuer = new URL(issuerArg);
const as = await oauth.processDiscoveryResponse(
    issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
const client = { client_id: clientId };
const clientAuth = oauth.None();

// The loopback listener: port 0, the OS picks a free one.
let gotCallback;
const callback = new Promise((resolve) => { gotCallback = resolve; });
const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('You can close this window.\n');
    gotCallback(new URL(req.url, `http://${req.headers.host}`));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const redirectUri = `http://127.0.0.1:${server.address().port}/cb`;

const codeVerifier = oauth.generateRandomCodeVerifier();
const state = oauth.generateRandomState();
const authUrl = new URL(as.authorization_endpoint);
authUrl.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope,
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
}).toString();

// The user's part: log in, (auto)approve, be sent back to the app.
const basic = Buffer.from(`${user}:${password}`).toString('base64');
const authRes = await fetch(authUrl, { headers: { Authorization: `Basic ${basic}` }, redirect: 'manual' });
const location = authRes.headers.get('location');
if (authRes.status !== 302 || !location) {
    throw new Error(`authorize answered ${authRes.status}, Location ${location}`);
}
if (!location.startsWith(`${redirectUri}?`)) {
    throw new Error(`authorize redirected elsewhere than ${redirectUri}`);
}
const landed = await fetch(location);
await landed.text();
const callbackUrl = await callback;
server.close();

// A tampered iss or state must be refused (RFC 9207 §2.4; RFC 6749 §10.12).
function refused(mutate) {
    const u = new URL(callbackUrl);
    mutate(u.searchParams);
    try { oauth.validateAuthResponse(as, client, u, state); return false; } catch { return true; }
}
const wrongIssRefused = refused((p) => p.set('iss', 'https://evil.example/'));
const missingIssRefused = refused((p) => p.delete('iss'));
const wrongStateRefused = refused((p) => p.set('state', 'not-the-state'));

const params = oauth.validateAuthResponse(as, client, callbackUrl, state);
const tokens = await oauth.processAuthorizationCodeResponse(as, client,
    await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, redirectUri, codeVerifier, insecure));
const refreshed = await oauth.processRefreshTokenResponse(as, client,
    await oauth.refreshTokenGrantRequest(as, client, clientAuth, tokens.refresh_token, insecure));

console.log(JSON.stringify({
    issuer: as.issuer,
    redirect_uri: redirectUri,
    callback_port: Number(callbackUrl.port),
    callback_state_ok: callbackUrl.searchParams.get('state') === state,
    callback_iss: callbackUrl.searchParams.get('iss'),
    wrong_iss_refused: wrongIssRefused,
    missing_iss_refused: missingIssRefused,
    wrong_state_refused: wrongStateRefused,
    code: params.get('code'),
    code_verifier: codeVerifier,
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token,
    token_type: tokens.token_type,
    scope: tokens.scope ?? null,
    refreshed_access_token: refreshed.access_token,
    refreshed_refresh_token: refreshed.refresh_token,
}));
