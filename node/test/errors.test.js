'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { env } = require('./helpers');
const { Pool, LakebaseError } = require('..');

test('an unknown option throws ECONFIG naming it', () => {
  assert.throws(() => new Pool({ maxx: 3 }), (e) =>
    e instanceof LakebaseError && e.code === 'ECONFIG' && e.message.includes('"maxx"'));
});

test('a bad option value throws ECONFIG naming the option and the core key', () => {
  assert.throws(() => new Pool({ max: 'lots' }), (e) =>
    e instanceof LakebaseError && e.code === 'ECONFIG' && e.errno === -3 &&
    e.message.includes('"max"') && e.message.includes('pool.max_size'));
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
      e instanceof LakebaseError && e.code === 'EAUTH' && e.httpStatus === 401);
  } finally {
    await pool.end();
  }
});

test('queries after end() reject with ECLOSED', async () => {
  const pool = new Pool({ max: 1 });
  await pool.query('SELECT 1');
  await pool.end();
  await assert.rejects(pool.query('SELECT 1'), { code: 'ECLOSED' });
  await pool.end(); // twice is fine
});
