'use strict';
// The emulator's control endpoints (EMULATOR_URL, trusted with LAKEBASE_CA_FILE).
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');

function request(env, method, path, body) {
  const base = env.EMULATOR_URL;
  if (!base) return Promise.reject(new Error('EMULATOR_URL is not in the environment file'));
  const url = new URL(path, base);
  const mod = url.protocol === 'https:' ? https : http;
  const opts = { method, headers: { 'content-type': 'application/json' } };
  if (url.protocol === 'https:' && env.LAKEBASE_CA_FILE) opts.ca = fs.readFileSync(env.LAKEBASE_CA_FILE);
  return new Promise((resolve, reject) => {
    const req = mod.request(url, opts, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { data += c; });
      res.on('end', () => {
        if (res.statusCode >= 300) reject(new Error(`${method} ${path}: HTTP ${res.statusCode}: ${data.slice(0, 200)}`));
        else resolve(data);
      });
    });
    req.on('error', reject);
    req.setTimeout(60000, () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const emulatorPost = (env, path, body) => request(env, 'POST', path, body).then(() => undefined);
const emulatorStats = (env) => request(env, 'GET', '/emulator/stats').then((t) => JSON.parse(t));

module.exports = { emulatorPost, emulatorStats };
