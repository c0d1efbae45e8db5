'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { env } = require('./helpers');
const { Pool, LakebaseError } = require('..');
const native = require('../lib/native');

// The LAKEBASE_E* values below are the header's (append-only, never
// renumbered); the names and numbers the package reports come from the core.

test('an unknown option throws ECONFIG naming it, its errno from the core', () => {
  assert.throws(() => new Pool({ maxx: 3 }), (e) =>
    e instanceof LakebaseError && e.code === 'ECONFIG' && e.errno === -3 &&
    e.message.includes('"maxx"'));
});

test('a bad option value throws ECONFIG naming the option and the core key', () => {
  assert.throws(() => new Pool({ max: 'lots' }), (e) =>
    e instanceof LakebaseError && e.code === 'ECONFIG' && e.errno === -3 &&
    e.key === 'pool.max_size' && e.message.startsWith('option "max": ') &&
    e.message.includes('pool.max_size'));
});

test('the core names every code; index.d.ts lists exactly those names', () => {
  const names = [];
  for (let code = -1; native.errorName(code) !== 'EUNKNOWN'; code--) {
    names.push(native.errorName(code));
    assert.equal(native.errorCode(names.at(-1)), code);
  }
  assert.ok(names.includes('ECONFIG') && names.includes('ECANCELED'), names.join());
  assert.equal(native.errorName(0), 'OK');
  assert.equal(native.errorCode('ENOSUCHCODE'), undefined);
  const dts = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8');
  const union = /export type ErrorCode =([^;]*);/.exec(dts);
  assert.ok(union, 'index.d.ts declares ErrorCode');
  const declared = [...union[1].matchAll(/'([A-Z]+)'/g)].map((m) => m[1]);
  assert.deepEqual(declared.sort(), names.sort());
});

test('a LakebaseError made in JavaScript takes its errno from the core', () => {
  assert.equal(new LakebaseError('ECLOSED', 'x').errno, -12);
  assert.equal(new LakebaseError('ETIMEOUT', 'x').errno, -10);
  assert.equal(new LakebaseError('ENOSUCHCODE', 'x').errno, 0);
  assert.equal(new LakebaseError('ESQL', 'x', { errno: -18, sqlstate: '42P01' }).sqlstate, '42P01');
});

test('an SQL error rejects with ESQL and its sqlstate', async () => {
  const pool = new Pool({ max: 1 });
  try {
    await assert.rejects(pool.query('SELECT 1/0'), (e) =>
      e instanceof LakebaseError && e.code === 'ESQL' && e.sqlstate === '22012' &&
      /division by zero/.test(e.message));
    // The pool still works afterwards.
    assert.equal((await pool.query('SELECT 2 AS v')).rows[0].v, 2);
  } finally {
    await pool.end();
  }
});

test('open() with another identity\'s role fails fast with ELOGIN and 28P01', async () => {
  const pool = new Pool({ user: env.EMULATOR_OTHER_CLIENT_ID, max: 1 });
  const started = Date.now();
  try {
    await assert.rejects(pool.open(), (e) =>
      e instanceof LakebaseError && e.code === 'ELOGIN' && e.sqlstate === '28P01' &&
      e.message.includes(env.EMULATOR_OTHER_CLIENT_ID));
    assert.ok(Date.now() - started < 10000);
  } finally {
    await pool.end();
  }
});

test('a bad client secret fails with EAUTH and the HTTP status', async () => {
  const pool = new Pool({ clientSecret: 'wrong', max: 1 });
  try {
    await assert.rejects(pool.open(), (e) =>
      e instanceof LakebaseError && e.code === 'EAUTH' && e.errno === -4 && e.httpStatus === 401);
    const c = pool.stats().credential;
    assert.equal(c.lastErrorCode, -4);
    assert.equal(c.lastErrorName, 'EAUTH');
    assert.equal(c.lastErrorHttpStatus, 401);
  } finally {
    await pool.end();
  }
});

test('queries after end() reject with ECLOSED', async () => {
  const pool = new Pool({ max: 1 });
  await pool.query('SELECT 1');
  await pool.end();
  await assert.rejects(pool.query('SELECT 1'), { code: 'ECLOSED', errno: -12 });
  await assert.rejects(pool.connect(), { code: 'ECLOSED', errno: -12 });
  await pool.end(); // twice is fine
});
