'use strict';
// Statements and leases never wait on the libuv threadpool: with its only
// thread held by a read of a FIFO nobody writes to yet, pool.query(), a
// transaction through pool.connect() and client.release() still complete.
// If any of them needed the threadpool, this test would hang (and time out).
process.env.UV_THREADPOOL_SIZE = '1'; // before anything uses the threadpool

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
require('./helpers');
const { Pool } = require('..');

test('statements and leases complete while the threadpool is blocked', { timeout: 60000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lakebase-threadpool-'));
  const fifo = path.join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  // Opening a FIFO for reading blocks until a writer opens it: the one
  // threadpool thread is now busy until we say so.
  let blockerDone = false;
  const blocker = fs.promises.readFile(fifo, 'utf8').then((text) => {
    blockerDone = true;
    return text;
  });
  const pool = new Pool({ max: 2 });
  try {
    const r = await pool.query('SELECT $1::int + 1 AS v', [41]);
    assert.equal(r.rows[0].v, 42);
    const client = await pool.connect();
    await client.query('BEGIN');
    const t = await client.query('SELECT txid_current() AS x, 2 AS two');
    assert.equal(t.rows[0].two, 2);
    await client.query('COMMIT');
    client.release();
    const after = await pool.query('SELECT 3 AS three');
    assert.equal(after.rows[0].three, 3);
    assert.equal(blockerDone, false, 'the threadpool was busy all along');
  } finally {
    fs.writeFileSync(fifo, 'go'); // unblocks the reader
    assert.equal(await blocker, 'go');
    await pool.end();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
