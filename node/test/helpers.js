'use strict';
// The emulator's environment (LAKEBASE_EMULATOR_ENV_FILE) and its control
// API. A missing emulator fails the tests: they never skip.
const fs = require('node:fs');
const https = require('node:https');

function loadEmulatorEnv() {
  const file = process.env.LAKEBASE_EMULATOR_ENV_FILE;
  if (!file || !fs.existsSync(file)) {
    throw new Error(`LAKEBASE_EMULATOR_ENV_FILE must name the emulator's env file (got ${file})`);
  }
  const env = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^export ([A-Z_0-9]+)='(.*)'$/.exec(line);
    if (m) env[m[1]] = m[2].replace(/'\\''/g, "'");
  }
  Object.assign(process.env, env);
  return env;
}

const env = loadEmulatorEnv();

function control(path, body) {
  const url = new URL(`/emulator/${path}`, env.EMULATOR_URL);
  const data = body === undefined ? '' : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(url, {
      method: body === undefined && path !== 'reset' ? 'GET' : 'POST',
      ca: fs.readFileSync(env.LAKEBASE_CA_FILE),
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
    }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => (res.statusCode < 300
        ? resolve(text ? JSON.parse(text) : null)
        : reject(new Error(`emulator ${path}: ${res.statusCode} ${text}`))));
    });
    req.on('error', reject);
    req.end(data);
  });
}

// A workspace OAuth token for a service principal, as the platform forwards
// one for a user (client credentials at the emulator's workspace).
function oauthToken(clientId, secret) {
  const url = new URL('/oidc/v1/token', env.DATABRICKS_HOST);
  const form = 'grant_type=client_credentials&scope=all-apis';
  return new Promise((resolve, reject) => {
    const req = https.request(url, {
      method: 'POST',
      ca: fs.readFileSync(env.LAKEBASE_CA_FILE),
      auth: `${clientId}:${secret}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': form.length },
    }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => {
        const token = res.statusCode === 200 ? JSON.parse(text).access_token : '';
        if (token) resolve(token);
        else reject(new Error(`no workspace token for ${clientId} (HTTP ${res.statusCode})`));
      });
    });
    req.on('error', reject);
    req.end(form);
  });
}

module.exports = {
  env,
  knobs: (k) => control('knobs', k),
  reset: () => control('reset'),
  emulatorStats: () => control('stats'),
  mintRequests: () => control('mint-requests'),
  oauthToken,
};
