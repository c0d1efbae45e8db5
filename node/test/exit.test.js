'use strict';
// The pool's libuv handles never keep a finished program alive.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
require('./helpers');

const pkg = JSON.stringify(path.resolve(__dirname, '..'));

function runChild(source) {
  const started = Date.now();
  const r = spawnSync(process.execPath, ['-e', source], {
    env: process.env, encoding: 'utf8', timeout: 15000,
  });
  return { ...r, ms: Date.now() - started };
}

test('a program that queries and ends the pool exits by itself', () => {
  const r = runChild(`
    const { Pool } = require(${pkg});
    const pool = new Pool({ max: 2, min: 2 });
    pool.open()
      .then(() => Promise.all([pool.query('SELECT 1 AS v'), pool.query('SELECT 2 AS v')]))
      .then((rs) => { console.log(rs.map((r) => r.rows[0].v).join(',')); return pool.end(); });
  `);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), '1,2');
  assert.ok(r.ms < 10000, `took ${r.ms} ms`);
});

test('an idle pool that was never ended does not keep the process alive', () => {
  const r = runChild(`
    const { Pool } = require(${pkg});
    const pool = new Pool({ max: 1 });
    pool.query('SELECT 1 AS v').then((r) => console.log(r.rows[0].v));
  `);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), '1');
  assert.ok(r.ms < 10000, `took ${r.ms} ms`);
});

test('an onSpan listener does not keep the process alive', () => {
  const r = runChild(`
    const { Pool } = require(${pkg});
    const names = new Set();
    const pool = new Pool({ max: 1, onSpan: (s) => names.add(s.name) });
    pool.query('SELECT 1 AS v').then(async (r) => {
      while (!names.has('lakebase.connect')) await new Promise((resolve) => setImmediate(resolve));
      console.log(r.rows[0].v, [...names].sort().join(','));
    });
  `);
  assert.equal(r.signal, null, 'the process should have exited by itself');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), '1 lakebase.connect,lakebase.credential.mint');
});

test('allowExitOnIdle: false keeps an idle pool\'s process alive', () => {
  const r = spawnSync(process.execPath, ['-e', `
    const { Pool } = require(${pkg});
    const pool = new Pool({ max: 1, allowExitOnIdle: false });
    pool.query('SELECT 1 AS v').then((r) => console.log(r.rows[0].v));
  `], { env: process.env, encoding: 'utf8', timeout: 4000 });
  assert.equal(r.stdout.trim(), '1');
  assert.equal(r.signal, 'SIGTERM', 'the process should still be running');
});
