'use strict';
// Nothing of the package waits on the libuv threadpool: with its only
// thread held by a read of a FIFO nobody writes to yet, the pg adapter's
// password function (a mint, then the cache), pool.open(), pool.query(), a
// transaction through pool.connect(), client.cancel(), client.release() and
// pool.end() all complete. Any of them that needed the threadpool would
// never complete, and the test fails naming it.
process.env.UV_THREADPOOL_SIZE = '1'; // before anything uses the threadpool

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
require('./helpers');
const { Pool } = require('..');
const { lakebasePassword } = require('../pg');

// Opening a FIFO for reading blocks until a writer opens it: the one
// threadpool thread is busy until release() writes to it.
function blockThreadpool() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lakebase-threadpool-'));
  const fifo = path.join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const state = { busy: true };
  state.read = fs.promises.readFile(fifo, 'utf8').then((text) => {
    state.busy = false;
    return text;
  });
  state.release = async () => {
    fs.writeFileSync(fifo, 'go'); // unblocks the reader
    const text = await state.read;
    fs.rmSync(dir, { recursive: true, force: true });
    return text;
  };
  return state;
}

// `promise`, or a failure naming `what` if it has not settled in 20 s:
// with the threadpool blocked, a call that needs it never settles.
async function withoutThreadpool(what, promise) {
  let timer;
  const hang = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(
      `${what} did not complete while the libuv threadpool was blocked: it needs the threadpool`)), 20000);
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}

// Resolves once `sql` runs on the server (seen from another connection).
async function running(pool, sql) {
  for (;;) {
    const r = await withoutThreadpool('pool.query()', pool.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = $1 AND state = 'active'", [sql]));
    if (r.rows[0].n === 1) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('the package completes everything while the threadpool is blocked', { timeout: 120000 }, async () => {
  const blocker = blockThreadpool();
  let pool = null;
  try {
    // The first credential of this process is minted (on a core worker,
    // back through a thread-safe function); the second comes from the cache.
    const password = lakebasePassword();
    const token = await withoutThreadpool('lakebasePassword() minting', password());
    assert.ok(token.length > 10);
    assert.equal(await withoutThreadpool('lakebasePassword() from the cache', password()), token);

    pool = new Pool({ max: 2, min: 2 });
    // The pool shares the provider the password function minted with.
    assert.equal(pool.stats().credential.mintsOk, 1);
    await withoutThreadpool('pool.open()', pool.open());
    assert.equal(pool.stats().total, 2);

    const r = await withoutThreadpool('pool.query()', pool.query('SELECT $1::int + 1 AS v', [41]));
    assert.equal(r.rows[0].v, 42);

    const client = await withoutThreadpool('pool.connect()', pool.connect());
    await withoutThreadpool('client.query()', client.query('BEGIN'));
    const t = await withoutThreadpool('client.query()', client.query('SELECT txid_current() AS x, 2 AS two'));
    assert.equal(t.rows[0].two, 2);
    await withoutThreadpool('client.query()', client.query('COMMIT'));

    const sleep = 'SELECT pg_sleep(30)';
    // Its outcome, held so a failure below is reported as itself.
    const slow = client.query(sleep).then(() => null, (e) => e);
    await running(pool, sleep);
    await withoutThreadpool('client.cancel()', client.cancel());
    const cancelled = await withoutThreadpool('the cancelled statement', slow);
    assert.equal(cancelled && cancelled.code, 'ECANCELED');
    assert.equal(cancelled.sqlstate, '57014');
    client.release();

    await withoutThreadpool('pool.end()', pool.end());
    assert.equal(pool.stats().total, 0);
    assert.equal(blocker.busy, true, 'the threadpool was busy all along');
  } finally {
    assert.equal(await blocker.release(), 'go');
    if (pool) await pool.end();
  }
});
