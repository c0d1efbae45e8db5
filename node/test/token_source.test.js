'use strict';
// options.tokenSource: the workspace token comes from a JS function (as a
// program holding a user's forwarded token provides it); the core mints
// with it on its worker threads and the pool logs in as that identity's
// role. A source that fails fails the statement with ECALLBACK.
const test = require('node:test');
const assert = require('node:assert/strict');
const { env } = require('./helpers');
const { Pool } = require('..');
const { lakebasePassword } = require('../pg');

test('a pool mints with the token its tokenSource returns', { timeout: 60000 }, async () => {
  let calls = 0;
  const pool = new Pool({
    max: 1,
    tokenSource: async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 10)); // settles later
      return { token: env.EMULATOR_USER_TOKEN, expiresAt: Date.now() + 3600 * 1000 };
    },
  });
  try {
    const r = await pool.query('SELECT current_user AS who');
    assert.equal(r.rows[0].who, env.EMULATOR_USER_EMAIL);
    assert.ok(calls >= 1, 'the token source was called');
    assert.ok(pool.stats().credential.mintsOk >= 1);
  } finally {
    await pool.end();
  }
});

test('a tokenSource that throws fails the statement with ECALLBACK', { timeout: 60000 }, async () => {
  const pool = new Pool({
    max: 1,
    tokenSource: () => {
      throw new Error('no forwarded token in this request');
    },
  });
  try {
    await assert.rejects(pool.query('SELECT 1'), (e) => e.code === 'ECALLBACK');
  } finally {
    await pool.end();
  }
});

test('a tokenSource returning no string fails with ECALLBACK', { timeout: 60000 }, async () => {
  const password = lakebasePassword({ tokenSource: () => 42 });
  await assert.rejects(password(), (e) => e.code === 'ECALLBACK');
});

test('tokenSource must be a function', () => {
  assert.throws(() => new Pool({ tokenSource: 'a token' }), (e) => e.code === 'ECONFIG' && /tokenSource/.test(e.message));
});
