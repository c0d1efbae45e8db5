'use strict';
// Per-user pools against the emulator: three identities (two service
// principals by their OAuth workspace tokens, a user by a PAT), as a web
// handler gets them forwarded, each logging in as its own role — through
// set.query() and through a transaction on set.connect() — concurrently,
// with no credential or connection crossing identities; the bound on pools,
// counters and metrics per set, never per user.
const test = require('node:test');
const assert = require('node:assert/strict');
const dns = require('node:dns');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { env, reset, emulatorStats, mintRequests, oauthToken } = require('./helpers');
const { PoolSet, LakebaseError } = require('..');

async function identities() {
  return [
    { user: 'alice', role: env.DATABRICKS_CLIENT_ID,
      token: await oauthToken(env.DATABRICKS_CLIENT_ID, env.DATABRICKS_CLIENT_SECRET) },
    { user: 'bob', role: env.EMULATOR_OTHER_CLIENT_ID,
      token: await oauthToken(env.EMULATOR_OTHER_CLIENT_ID, env.EMULATOR_OTHER_CLIENT_SECRET) },
    { user: 'carol', role: env.EMULATOR_USER_EMAIL, token: env.EMULATOR_USER_TOKEN },
  ];
}

// `promise`'s outcome as flags, without awaiting it: { settled, value, error,
// done } (done never rejects).
function track(promise) {
  const t = { settled: false, value: undefined, error: undefined };
  t.done = promise.then((v) => { t.value = v; }, (e) => { t.error = e; })
    .finally(() => { t.settled = true; });
  return t;
}

// Ten rounds per identity, all identities at once: a statement, then a
// transaction on a leased connection, each answering who is logged in.
async function rounds(set, id) {
  const who = { user: id.user, token: id.token };
  for (let i = 0; i < 5; i++) {
    const r = await set.query(who, 'SELECT current_user AS who, $1::int AS i', [i]);
    assert.equal(r.rows[0].who, id.role, `${id.user}'s statement logged in as ${r.rows[0].who}`);
    assert.equal(r.rows[0].i, i);
    const client = await set.connect(who);
    try {
      await client.query('BEGIN');
      const t = await client.query('SELECT current_user AS who');
      assert.equal(t.rows[0].who, id.role, `${id.user}'s transaction logged in as ${t.rows[0].who}`);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  }
}

test('three identities each log in as their own role, never crossing', { timeout: 120000 }, async () => {
  await reset();
  const ids = await identities();
  const mintsBefore = (await mintRequests()).requests.length;
  const set = new PoolSet({ max: 2, maxPools: 3, idleEvictSeconds: 600 });
  try {
    await Promise.all(ids.map((id) => rounds(set, id)));

    const s = set.stats();
    assert.equal(s.pools, 3, JSON.stringify(s));
    assert.equal(s.poolsCreated, 3);
    assert.equal(s.pool.acquires, 30, 'one acquire per statement call and per lease');
    assert.equal(s.pool.credential.mintsOk, 3, 'one mint per identity');
    assert.equal(s.rejected, 0);

    const stats = await emulatorStats();
    for (const [reason, n] of Object.entries(stats.logins.refused)) {
      assert.equal(n, 0, `the login proxy refused ${n} logins (${reason})`);
    }
    const minted = (await mintRequests()).requests.slice(mintsBefore);
    for (const id of ids) {
      assert.equal(minted.filter((m) => m.role === id.role).length, 1, `${id.user} minted once`);
    }

    // Metrics come per set: every point named by the set, none naming a
    // user, a role or a token.
    const points = set.metrics('obo');
    const pools = points.find((p) => p.name === 'lakebase.pool_set.pools');
    assert.ok(pools, 'lakebase.pool_set.pools reported');
    assert.equal(pools.value, 3);
    const secrets = ids.flatMap((id) => [id.user, id.role, id.token]);
    for (const p of points) {
      assert.equal(p.attributes['db.client.connection.pool.name'], 'obo', p.name);
      for (const v of Object.values(p.attributes)) assert.ok(!secrets.includes(v), `${p.name} carries ${v}`);
    }
    const mints = points.find((p) => p.name === 'lakebase.credential.mints'
      && p.attributes['lakebase.result'] === 'ok');
    assert.equal(mints.value, 3);

    // A new identity must bring its token; a statement error fails only
    // that statement of the lease, whose next one still runs.
    await assert.rejects(set.query({ user: 'dave' }, 'SELECT 1'), (e) => e instanceof LakebaseError && e.code === 'EINVAL');
    await assert.rejects(set.query({ token: ids[0].token }, 'SELECT 1'), (e) => e.code === 'EINVAL');
    const client = await set.connect({ user: 'alice' }); // the pool exists: no token needed
    const failed = client.query('SELECT 1/0');
    const after = client.query('SELECT current_user AS who');
    await assert.rejects(failed, (e) => e.code === 'ESQL' && e.sqlstate === '22012');
    assert.equal((await after).rows[0].who, ids[0].role);

    // end() waits for every client; a client not released refuses it.
    await assert.rejects(set.end(), (e) => e.code === 'EINVAL' && /release/.test(e.message));
    client.release();
  } finally {
    await set.end();
  }
  assert.equal(set.ended, true);
  await assert.rejects(set.query({ user: 'alice', token: ids[0].token }, 'SELECT 1'), (e) => e.code === 'ECLOSED');
  assert.equal(set.stats().poolsCreated, 3, 'the last counters stay readable');
});

test('a full set makes room by closing the least recently used idle pool', { timeout: 60000 }, async () => {
  const ids = await identities();
  const set = new PoolSet({ max: 1, maxPools: 1, idleEvictSeconds: 600 });
  try {
    for (const id of ids) {
      const r = await set.query(id, 'SELECT current_user AS who');
      assert.equal(r.rows[0].who, id.role);
    }
    const s = set.stats();
    assert.equal(s.pools, 1);
    assert.equal(s.poolsCreated, 3);
    assert.equal(s.evictedFull, 2);
  } finally {
    await set.end();
  }
});

// More acquires than libuv has threadpool threads (4: UV_THREADPOOL_SIZE is
// unset) wait on an identity's full pool: an acquire that held a threadpool
// thread while waiting would leave fs and dns stuck behind them until the
// acquires timed out.
test('acquires waiting on a full pool hold no threadpool thread', { timeout: 120000 }, async () => {
  assert.equal(process.env.UV_THREADPOOL_SIZE, undefined, 'the test counts on libuv\'s 4 threads');
  const [alice] = await identities();
  const who = { user: alice.user, token: alice.token };
  const set = new PoolSet({ max: 2, maxPools: 1, idleEvictSeconds: 600 });
  const held = [];
  const waiting = [];
  try {
    held.push(await set.connect(who), await set.connect(who));
    for (let i = 0; i < 3; i++) {
      waiting.push(track(set.connect(who).then(async (client) => {
        try {
          return (await client.query('SELECT current_user AS who')).rows[0].who;
        } finally {
          client.release();
        }
      })));
      waiting.push(track(set.query(who, 'SELECT current_user AS who').then((r) => r.rows[0].who)));
    }
    const threadpool = track(Promise.all([fs.promises.readFile(__filename, 'utf8'),
      dns.promises.lookup('localhost')]));
    await Promise.race([threadpool.done, ...waiting.map((w) => w.done)]);
    assert.ok(threadpool.settled, 'an acquire settled before fs and dns could use the threadpool');
    assert.equal(threadpool.error, undefined);
    assert.match(threadpool.value[0], /hold no threadpool thread/);
    const early = waiting.filter((w) => w.settled);
    assert.deepEqual(early, [], 'acquires ended while both connections were held');

    for (const client of held) client.release(); // handed over to the waiting acquires
    await Promise.all(waiting.map((w) => w.done));
    for (const w of waiting) {
      assert.equal(w.error, undefined, w.error && w.error.stack);
      assert.equal(w.value, alice.role);
    }
    assert.equal(set.stats().pool.acquires, 8, 'two held, six that waited');
  } finally {
    for (const client of held) client.release();
    await Promise.all(waiting.map((w) => w.done));
    await set.end();
  }
});

// end() ends the acquires still waiting at once with ECLOSED (they would
// otherwise wait for a connection or their timeout), and resolves once the
// held clients are released.
test('end() ends the acquires waiting on a full pool with ECLOSED', { timeout: 120000 }, async () => {
  const [alice] = await identities();
  const who = { user: alice.user, token: alice.token };
  const set = new PoolSet({ max: 2, maxPools: 1, idleEvictSeconds: 600 });
  const held = [];
  const connects = [];
  const waiting = [];
  let ending = null;
  try {
    held.push(await set.connect(who), await set.connect(who));
    connects.push(track(set.connect(who)), track(set.connect(who)));
    waiting.push(...connects, track(set.query(who, 'SELECT current_user AS who')));
    ending = track(set.end());
    for (const client of held) client.release(); // after end(): handed to nobody
    await Promise.all(waiting.map((w) => w.done));
    for (const w of waiting) {
      assert.ok(w.error instanceof LakebaseError, `an acquire waiting at end() got ${w.error ?? 'a connection'}`);
      assert.equal(w.error.code, 'ECLOSED', w.error.message);
    }
    await ending.done;
    assert.equal(ending.error, undefined, ending.error && ending.error.message);
    assert.equal(set.ended, true);
    await assert.rejects(set.connect(who), (e) => e.code === 'ECLOSED');
  } finally {
    for (const client of held) client.release();
    await Promise.all(waiting.map((w) => w.done));
    for (const c of connects) if (c.value) c.value.release();
    if (ending) await ending.done;
    if (!set.ended) await set.end();
  }
});

// The first statement of a new identity waits for its pool's first
// connection: the waiting acquire keeps the process alive, and the idle sets
// (one never used), never ended, then let it exit by itself.
test('a waiting acquire keeps the process alive, an idle set does not', () => {
  const r = spawnSync(process.execPath, ['-e', `
    const { PoolSet } = require(${JSON.stringify(path.resolve(__dirname, '..'))});
    const unused = new PoolSet({ max: 1, maxPools: 1, idleEvictSeconds: 600 });
    const set = new PoolSet({ max: 1, maxPools: 1, idleEvictSeconds: 600 });
    set.query({ user: 'carol', token: process.env.EMULATOR_USER_TOKEN }, 'SELECT current_user AS who')
      .then((r) => console.log(r.rows[0].who));
  `], { env: process.env, encoding: 'utf8', timeout: 60000 });
  assert.equal(r.signal, null, 'the process should have exited by itself');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), env.EMULATOR_USER_EMAIL);
});

// Runs `body` in a worker thread of a child process (with `set`, `who` for
// alice and `parentPort`), and ends the worker on its first message: the
// child's outcome.
function endWorkerOnMessage(body, token) {
  const worker = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { PoolSet } = require(${JSON.stringify(path.resolve(__dirname, '..'))});
    const set = new PoolSet({ max: 2, maxPools: 1, idleEvictSeconds: 600 });
    const who = { user: 'alice', token: workerData };
    ${body}
  `;
  return spawnSync(process.execPath, ['-e', `
    const { Worker } = require('node:worker_threads');
    const w = new Worker(${JSON.stringify(worker)}, { eval: true, workerData: process.env.ALICE_TOKEN });
    w.on('message', () => w.terminate());
    w.on('exit', (code) => console.log('worker exited', code));
  `], { env: { ...process.env, ALICE_TOKEN: token }, encoding: 'utf8', timeout: 60000 });
}

function assertWorkerEndedAndProcessLived(r) {
  assert.equal(r.signal, null, r.stderr);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'worker exited 1');
}

// A worker thread ended while it holds both connections of a pool and more
// acquires wait: its environment's teardown gives the leases back and ends
// the waiting acquires, and the process lives on.
test('a worker ended while its acquires wait tears down cleanly', async () => {
  const [alice] = await identities();
  assertWorkerEndedAndProcessLived(endWorkerOnMessage(`
    Promise.all([set.connect(who), set.connect(who)]).then((held) => {
      globalThis.held = held;
      for (let i = 0; i < 3; i++) set.connect(who).catch(() => {});
      parentPort.postMessage('waiting');
    });
  `, alice.token));
});

// Ended while a statement of its set runs on the threadpool: the statement's
// completion finds no JS to run, and the process lives on.
test('a worker ended while its statement runs tears down cleanly', async () => {
  const [alice] = await identities();
  assertWorkerEndedAndProcessLived(endWorkerOnMessage(`
    set.connect(who).then((client) => {
      client.query('SELECT pg_sleep(0.5)').catch(() => {});
      parentPort.postMessage('running');
    });
  `, alice.token));
});

test('a pool set refuses options naming an identity or without bounds', () => {
  assert.throws(() => new PoolSet({ maxPools: 3 }), (e) => e.code === 'ECONFIG' && /idleEvictSeconds/.test(e.message));
  assert.throws(() => new PoolSet({ maxPools: 3, idleEvictSeconds: 60, tokenSource: () => 'x' }),
    (e) => e.code === 'ECONFIG' && /tokenSource/.test(e.message));
  assert.throws(() => new PoolSet({ maxPools: 3, idleEvictSeconds: 60, user: 'someone' }),
    (e) => e.code === 'ECONFIG');
});
