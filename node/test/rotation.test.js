'use strict';
// Tokens live 4 s and connections 3 s: under 64 concurrent callers for
// ~10 s, connections rotate many times and no statement fails.
const test = require('node:test');
const assert = require('node:assert/strict');
const { knobs, reset } = require('./helpers');
const { Pool } = require('..');

for (const pipeline of [false, true]) {
  test(`rotation under load loses nothing (pipeline ${pipeline})`, { timeout: 60000 }, async () => {
    await reset();
    await knobs({ ttl_seconds: 4 });
    const pool = new Pool({ max: 4, maxLifetimeSeconds: 3, pipeline });
    let refreshes = 0;
    pool.on('refresh', (r) => {
      assert.ok(r.expireTimeMs > Date.now());
      refreshes++;
    });
    let ok = 0;
    const failures = [];
    try {
      await pool.open();
      const until = Date.now() + 10000;
      await Promise.all(Array.from({ length: 64 }, async (_, caller) => {
        while (Date.now() < until) {
          try {
            const r = await pool.query('SELECT $1::int AS v', [caller]);
            assert.equal(r.rows[0].v, caller);
            ok++;
          } catch (e) {
            failures.push(e);
          }
        }
      }));
      const s = pool.stats();
      assert.deepEqual(failures.map((e) => `${e.code}: ${e.message}`).slice(0, 5), []);
      assert.ok(ok > 1000, `only ${ok} statements`);
      assert.ok(s.recycled + s.discarded >= 1 || s.connectsOk > 4,
        `no rotation seen: ${JSON.stringify(s)}`);
      assert.ok(s.credential.mintsOk >= 2, 'tokens were re-minted');
      assert.ok(refreshes >= 2, `the refresh event fired ${refreshes} times for ${s.credential.mintsOk} mints`);
    } finally {
      await pool.end();
      await reset();
    }
  });
}
