'use strict';
// pool.stats() counts the connections the loop holds by state: in use while
// a statement runs on them, idle once it is done (total = idle + inUse +
// connecting), and the core's trim and recycle counters reach Node.
const test = require('node:test');
const assert = require('node:assert/strict');
require('./helpers');
const { Pool } = require('..');

// Polls stats() until `ok(stats)` holds; fails with the last stats after
// `ms` (a wait for a state, never a speed assertion).
async function statsUntil(pool, ok, what, ms = 10000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const s = pool.stats();
    if (ok(s)) return s;
    if (Date.now() > deadline) assert.fail(`${what}: never reached; last stats ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('connections the loop holds are in use while statements run, idle once they are done', async () => {
  const n = 3;
  const pool = new Pool({ max: n + 1, min: n + 1 });
  const holder = await pool.connect();
  try {
    await pool.open();
    // The lease holds an advisory lock the n statements wait for, so all
    // n + 1 connections are busy at once, for as long as the test says.
    await holder.query('SELECT pg_advisory_lock(4242)');
    const blocked = Array.from({ length: n }, (_, i) =>
      pool.query('SELECT pg_advisory_lock_shared(4242), pg_advisory_unlock_shared(4242), $1::int AS i', [i]));
    const busy = await statsUntil(pool, (s) => s.inUse === n + 1,
      `${n} statements and a lease in use at once`);
    assert.equal(busy.idle, 0);
    assert.equal(busy.total, n + 1);

    await holder.query('SELECT pg_advisory_unlock(4242)');
    holder.release();
    const rows = (await Promise.all(blocked)).map((r) => r.rows[0].i);
    assert.deepEqual(rows, [0, 1, 2]);

    // Nothing runs now: every connection, all held by the loop, is idle
    // (0.2 counted them in use).
    const s = await statsUntil(pool, (x) => x.pending === 0 && x.connecting === 0 && x.inUse === 0,
      'nothing in use after the statements completed');
    assert.equal(s.total, n + 1);
    assert.equal(s.idle, s.total);
    assert.equal(s.waiting, 0);
  } finally {
    holder.release();
    await pool.end();
  }
});

test('stats() reports connections trimmed for idleness and recycled for age', async () => {
  // pool.idle_timeout_seconds 1 (min 0): idle connections are trimmed.
  const trimming = new Pool({ max: 2, idleTimeoutMillis: 1000 });
  // pool.max_lifetime_seconds 1: idle connections are recycled.
  const recycling = new Pool({ max: 1, maxLifetimeSeconds: 1 });
  try {
    await Promise.all([
      trimming.query('SELECT 1'), trimming.query('SELECT 2'), recycling.query('SELECT 3')]);
    assert.equal(trimming.stats().trimmed, 0);
    assert.equal(recycling.stats().recycled, 0);
    const t = await statsUntil(trimming, (s) => s.trimmed >= 1, 'an idle connection trimmed');
    assert.equal(t.recycled, 0);
    assert.equal(t.total, t.idle + t.inUse + t.connecting);
    const r = await statsUntil(recycling, (s) => s.recycled >= 1, 'an old connection recycled');
    assert.equal(r.trimmed, 0);
    assert.equal(r.discarded, 0);
  } finally {
    await Promise.all([trimming.end(), recycling.end()]);
  }
});

test('stats() after end() keeps the last counters', async () => {
  const pool = new Pool({ max: 1 });
  await pool.query('SELECT 1');
  const before = pool.stats();
  await pool.end();
  const after = pool.stats();
  assert.equal(after.total, 0);
  assert.equal(after.acquires, before.acquires);
  assert.equal(after.connectsOk, before.connectsOk);
  assert.equal(after.credential.mintsOk, before.credential.mintsOk);
});
