'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { env } = require('./helpers');
const { Pool, LakebaseError } = require('..');

test('query returns typed rows, fields and the command', async () => {
  const pool = new Pool({ max: 2 });
  try {
    const r = await pool.query(
      `SELECT 42::int4 AS i, 7::int2 AS s, 1.5::float8 AS f, true AS b, 'héllo'::text AS t,
              NULL::int AS n, 12345.678901::numeric AS num,
              '2026-02-06 17:07:00.123+00'::timestamptz AS ts, '{"a": [1, 2]}'::json AS j,
              '{"k": null}'::jsonb AS jb, '\\x00ff'::bytea AS by, 9007199254740993::int8 AS big`);
    assert.equal(r.command, 'SELECT');
    assert.equal(r.rowCount, 1);
    assert.deepEqual(r.fields.map((f) => [f.name, f.dataTypeID]), [
      ['i', 23], ['s', 21], ['f', 701], ['b', 16], ['t', 25], ['n', 23], ['num', 1700],
      ['ts', 1184], ['j', 114], ['jb', 3802], ['by', 17], ['big', 20]]);
    const row = r.rows[0];
    assert.equal(row.i, 42);
    assert.equal(row.s, 7);
    assert.equal(row.f, 1.5);
    assert.equal(row.b, true);
    assert.equal(row.t, 'héllo');
    assert.equal(row.n, null);
    assert.equal(row.num, '12345.678901');
    assert.ok(row.ts instanceof Date);
    assert.equal(row.ts.toISOString(), '2026-02-06T17:07:00.123Z');
    assert.deepEqual(row.j, { a: [1, 2] });
    assert.deepEqual(row.jb, { k: null });
    assert.deepEqual(row.by, Buffer.from([0, 255]));
    assert.equal(row.big, '9007199254740993');
  } finally {
    await pool.end();
  }
});

test('int8 comes back as bigint or number by option', async () => {
  const big = new Pool({ int8: 'bigint', max: 1 });
  const num = new Pool({ int8: 'number', max: 1 });
  try {
    assert.equal((await big.query('SELECT 9007199254740993::int8 AS v')).rows[0].v, 9007199254740993n);
    assert.equal((await num.query('SELECT 42::int8 AS v')).rows[0].v, 42);
  } finally {
    await Promise.all([big.end(), num.end()]);
  }
});

test('parameters are sent as text, including NULL, Date, Buffer and objects', async () => {
  const pool = new Pool({ max: 1 });
  try {
    const when = new Date('2026-01-02T03:04:05.678Z');
    const r = await pool.query(
      'SELECT $1::int + 1 AS a, $2::text AS b, $3::text IS NULL AS c, $4::timestamptz AS d, ' +
        '$5::bytea AS e, $6::jsonb AS f, $7::bool AS g',
      [41, 'x', null, when, Buffer.from('hi'), { z: [1] }, false]);
    assert.deepEqual(r.rows[0], {
      a: 42, b: 'x', c: true, d: when, e: Buffer.from('hi'), f: { z: [1] }, g: false,
    });
    const q = await pool.query({ text: 'SELECT $1::text AS v', values: ['cfg'] });
    assert.equal(q.rows[0].v, 'cfg');
  } finally {
    await pool.end();
  }
});

test('rowCount and command of a write', async () => {
  const pool = new Pool({ max: 1 }); // one connection: the temp table stays visible
  try {
    await pool.query('CREATE TEMP TABLE w_node (v int)');
    const ins = await pool.query('INSERT INTO w_node SELECT generate_series(1, 3)');
    assert.equal(ins.command, 'INSERT');
    assert.equal(ins.rowCount, 3);
    assert.deepEqual(ins.rows, []);
    const del = await pool.query('DELETE FROM w_node WHERE v > 1');
    assert.equal(del.command, 'DELETE');
    assert.equal(del.rowCount, 2);
  } finally {
    await pool.end();
  }
});

test('pipelining: many concurrent statements share connections and all succeed', async () => {
  const pool = new Pool({ pipeline: true, max: 2 });
  try {
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) => pool.query('SELECT $1::int * 2 AS v', [i])));
    results.forEach((r, i) => assert.equal(r.rows[0].v, 2 * i));
    // An error fails only its own statement.
    const mixed = await Promise.allSettled([
      pool.query('SELECT 1 AS v'), pool.query('SELECT 1/0'), pool.query('SELECT 3 AS v')]);
    assert.equal(mixed[0].value.rows[0].v, 1);
    assert.equal(mixed[1].reason.sqlstate, '22012');
    assert.equal(mixed[2].value.rows[0].v, 3);
    assert.ok(pool.stats().total <= 2);
  } finally {
    await pool.end();
  }
});

test('connect() leases a connection for a transaction', async () => {
  const pool = new Pool({ max: 2 });
  try {
    await pool.query('SELECT 1'); // the loop side holds a connection now
    const client = await pool.connect();
    await client.query('BEGIN');
    await client.query('CREATE TEMP TABLE tx_node (v int) ON COMMIT DROP');
    await client.query('INSERT INTO tx_node VALUES ($1), ($2)', [1, 2]);
    const r = await client.query('SELECT sum(v)::int AS s FROM tx_node');
    assert.equal(r.rows[0].s, 3);
    await client.query('COMMIT');
    client.release();
    await assert.rejects(client.query('SELECT 1'), { code: 'ECLOSED' });
  } finally {
    await pool.end();
  }
});

test('stats() reports connections and the credential provider', async () => {
  const pool = new Pool({ max: 2, min: 1 });
  try {
    await pool.open();
    await pool.query('SELECT 1');
    const s = pool.stats();
    assert.ok(s.connectsOk >= 1);
    assert.ok(s.credential.mintsOk + s.credential.mintsFailed >= 0);
    assert.ok(s.credential.expireTimeMs > Date.now());
  } finally {
    await pool.end();
  }
});

test('the ESM entry point exports the same classes', async () => {
  const esm = await import('../index.mjs');
  assert.equal(esm.Pool, Pool);
  assert.equal(esm.LakebaseError, LakebaseError);
  assert.equal(typeof env.DATABRICKS_HOST, 'string');
});
