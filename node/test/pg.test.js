'use strict';
// The node-postgres adapter: a pg.Pool logs in with the core's credential.
const test = require('node:test');
const assert = require('node:assert/strict');
const { env } = require('./helpers');
const pg = require('pg');
const { lakebasePassword, pgConfig } = require('../pg');

test('pgConfig gives pg.Pool the host, role, TLS and a password function', async () => {
  const cfg = await pgConfig({ maxLifetimeSeconds: 60 });
  assert.equal(cfg.user, env.DATABRICKS_CLIENT_ID);
  assert.equal(cfg.host, env.EMULATOR_PROXY_HOST);
  assert.equal(cfg.maxLifetimeSeconds, 60);
  assert.equal(typeof cfg.password, 'function');
  const pool = new pg.Pool({ ...cfg, port: Number(env.EMULATOR_PROXY_PORT || cfg.port), max: 2 });
  try {
    const r = await pool.query('SELECT current_user AS u');
    assert.equal(r.rows[0].u, env.DATABRICKS_CLIENT_ID);
  } finally {
    await pool.end();
  }
});

test('lakebasePassword resolves to the current credential', async () => {
  const password = lakebasePassword();
  const token = await password();
  assert.equal(typeof token, 'string');
  assert.ok(token.length > 10);
  assert.equal(await password(), token, 'served from the shared cache');
});
