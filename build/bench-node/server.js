// build/bench's peer: the same flow and the same protected file as the
// module's, served by @node-oauth/oauth2-server on Node's own http server,
// one process, everything in memory (Maps).  Nothing is persisted: it is the
// yardstick for "what does durable storage plus httpd cost".
//
//   node server.js PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI USER PASSWORD FILE
//
//   GET  /authorize   Basic user; the client is auto-approved: 302 with a code
//   POST /token       client_secret_basic, grant_type=authorization_code
//   GET  /gated       Bearer token with scope alltimetables: FILE's content
//
// Secrets are compared as the module stores them: SHA-256 of the secret and
// of the user's password, in constant time.  Prints "listening" when ready.
'use strict';
const http = require('http');
const crypto = require('crypto');
const fs = require('fs');
const querystring = require('querystring');
const OAuth2Server = require('@node-oauth/oauth2-server');
const { Request, Response } = OAuth2Server;

const [port, clientId, clientSecret, redirectUri, userName, password, file] = process.argv.slice(2);
const sha256 = (s) => crypto.createHash('sha256').update(s).digest();
const same = (a, b) => a.length === b.length && crypto.timingSafeEqual(a, b);
const secretHash = sha256(clientSecret);
const passwordHash = sha256(password);
const body = fs.readFileSync(file);
const client = { id: clientId, redirectUris: [redirectUri], grants: ['authorization_code'] };
const codes = new Map();
const tokens = new Map();

const model = {
  getClient: async (id, secret) => {
    if (id !== clientId) return null;
    if (secret !== null && secret !== undefined && !same(sha256(secret), secretHash)) return null;
    return client;
  },
  saveAuthorizationCode: async (code, c, user) => {
    const saved = { ...code, client: c, user };
    codes.set(code.authorizationCode, saved);
    return saved;
  },
  getAuthorizationCode: async (code) => codes.get(code) || null,
  revokeAuthorizationCode: async (code) => codes.delete(code.authorizationCode),
  saveToken: async (token, c, user) => {
    const saved = { ...token, client: c, user };
    tokens.set(token.accessToken, saved);
    return saved;
  },
  getAccessToken: async (token) => tokens.get(token) || null,
  validateScope: async (user, c, scope) => (scope && scope.every((s) => s === 'alltimetables') ? scope : false),
  verifyScope: async (token, scope) => scope.every((s) => (token.scope || []).includes(s)),
};
const oauth = new OAuth2Server({ model, allowEmptyState: true, accessTokenLifetime: 3600 });

// The user's login, as AuthType Basic does it in front of the module.
const basicUser = {
  handle: (request) => {
    const m = /^Basic (.+)$/.exec(request.get('authorization') || '');
    if (!m) return false;
    const [u, ...rest] = Buffer.from(m[1], 'base64').toString().split(':');
    return u === userName && same(sha256(rest.join(':')), passwordHash) ? { id: u } : false;
  },
};

function send(res, response) {
  res.writeHead(response.status, response.headers);
  res.end(typeof response.body === 'string' ? response.body : JSON.stringify(response.body));
}

async function handle(req, res, form) {
  const url = new URL(req.url, 'http://localhost');
  const request = new Request({ method: req.method, headers: req.headers,
    query: Object.fromEntries(url.searchParams), body: form });
  const response = new Response();
  try {
    if (url.pathname === '/authorize' && req.method === 'GET') {
      await oauth.authorize(request, response, { authenticateHandler: basicUser });
      return send(res, response);
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      await oauth.token(request, response);
      return send(res, response);
    }
    if (url.pathname === '/gated' && req.method === 'GET') {
      await oauth.authenticate(request, response, { scope: ['alltimetables'] });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end(body);
    }
    res.writeHead(404);
    return res.end();
  } catch (e) {
    const status = e.code || 500;
    const headers = { 'Content-Type': 'application/json' };
    if (status === 401) headers['WWW-Authenticate'] = 'Bearer realm="bench"';
    res.writeHead(status, headers);
    return res.end(JSON.stringify({ error: e.name || 'server_error' }));
  }
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => handle(req, res, querystring.parse(Buffer.concat(chunks).toString())));
});
server.keepAliveTimeout = 65000;
server.listen(Number(port), '127.0.0.1', () => console.log('listening'));
