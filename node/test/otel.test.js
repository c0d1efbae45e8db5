'use strict';
// OpenTelemetry export against the emulator, through the SDK with an
// in-memory reader: a mint and a connect reach it under the core's names
// (lakebase_metric_at), with its units, descriptions and kinds; histograms
// come through the producer; the base package never loads OpenTelemetry.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { env } = require('./helpers');
const { MeterProvider, MetricReader, DataPointType } = require('@opentelemetry/sdk-metrics');
const { Pool, PoolSet } = require('..');
const { LakebaseMetrics, instrument, SCOPE_NAME, POOL_NAME_ATTRIBUTE, metricTable, spanTable } = require('../otel');

// A reader that collects when asked.
class InMemoryReader extends MetricReader {
  async onShutdown() {}
  async onForceFlush() {}
}

function pipeline(producers = []) {
  const reader = new InMemoryReader({ metricProducers: producers });
  const provider = new MeterProvider({ readers: [reader] });
  return { reader, provider };
}

// name -> exported metric, failing on a name exported twice or an error.
async function collect(reader) {
  const { resourceMetrics, errors } = await reader.collect();
  assert.deepEqual(errors, []);
  const out = new Map();
  for (const sm of resourceMetrics.scopeMetrics) {
    for (const m of sm.metrics) {
      if (m.dataPoints.length === 0) continue;
      assert.ok(!out.has(m.descriptor.name), `${m.descriptor.name} exported twice`);
      out.set(m.descriptor.name, m);
    }
  }
  return out;
}

// The value of the point of `name` whose attributes include `want`.
function value(got, name, want) {
  const m = got.get(name);
  assert.ok(m, `${name} not exported`);
  const p = m.dataPoints.find((d) => Object.entries(want).every(([k, v]) => d.attributes[k] === v));
  assert.ok(p, `${name} has no point with ${JSON.stringify(want)}: ${JSON.stringify(m.dataPoints)}`);
  return p.value;
}

test('a mint and a connect are exported, histograms through the producer', { timeout: 60000 }, async () => {
  const pool = new Pool({ max: 1 });
  const set = new PoolSet({ maxPools: 1, idleEvictSeconds: 60 });
  const metrics = new LakebaseMetrics();
  const { reader, provider } = pipeline([metrics.producer()]);
  const remove = metrics.add(pool, 'orders');
  metrics.add(set, 'obo');
  const reg = metrics.register(provider.getMeter(SCOPE_NAME));
  try {
    await pool.query('SELECT 1');
    (await pool.connect()).release();
    // The core's wait histogram counts blocking acquires (a pool set's),
    // not yet the leases of a pool driven from the event loop.
    await set.query({ user: 'carol', token: env.EMULATOR_USER_TOKEN }, 'SELECT 1');
    const got = await collect(reader);
    const orders = { [POOL_NAME_ATTRIBUTE]: 'orders' };
    assert.ok(value(got, 'lakebase.credential.mints', { ...orders, 'lakebase.result': 'ok' }) >= 1);
    assert.ok(value(got, 'lakebase.pool.connects', { ...orders, 'lakebase.result': 'ok' }) >= 1);
    assert.equal(value(got, 'lakebase.pool.connects', { ...orders, 'lakebase.result': 'failed' }), 0);
    const idle = value(got, 'db.client.connection.count', { ...orders, 'db.client.connection.state': 'idle' });
    const used = value(got, 'db.client.connection.count', { ...orders, 'db.client.connection.state': 'used' });
    assert.ok(idle + used >= 1 && used === 0, `idle ${idle} used ${used}`);
    const expiresIn = value(got, 'lakebase.credential.expires_in', orders);
    assert.ok(expiresIn > 0 && expiresIn <= 3600, `expires_in ${expiresIn}`);

    const wait = got.get('db.client.connection.wait_time');
    assert.ok(wait, 'wait_time exported');
    assert.equal(wait.dataPointType, DataPointType.HISTOGRAM);
    const points = new Map(wait.dataPoints.map((d) => [d.attributes[POOL_NAME_ATTRIBUTE], d]));
    assert.deepEqual([...points.keys()].sort(), ['obo', 'orders']);
    const dp = points.get('obo');
    assert.equal(dp.value.count, 1, 'the set\'s acquire counted');
    assert.deepEqual(dp.value.buckets.boundaries, [0.00001, 0.0001, 0.001, 0.01, 0.1, 1]);
    assert.equal(dp.value.buckets.counts.length, dp.value.buckets.boundaries.length + 1);
    assert.equal(dp.value.buckets.counts.reduce((a, b) => a + b, 0), dp.value.count);
    assert.equal(dp.value.sum, undefined, 'the core keeps no sum of waits');

    // Once removed, the pool is read no more: another lease leaves the
    // exported count where it was (the SDK keeps reporting the last
    // cumulative value), and the producer reports nothing.
    const acquires = value(got, 'lakebase.pool.acquires', orders);
    assert.ok(acquires >= 1);
    remove();
    (await pool.connect()).release();
    assert.ok(pool.stats().acquires > acquires);
    assert.equal(value(await collect(reader), 'lakebase.pool.acquires', orders), acquires);
    const produced = (await metrics.producer().collect()).resourceMetrics.scopeMetrics;
    assert.deepEqual(produced.flatMap((sm) => sm.metrics.flatMap((m) => m.dataPoints))
      .map((d) => d.attributes[POOL_NAME_ATTRIBUTE]).filter((n) => n === 'orders'), []);
  } finally {
    reg.unregister();
    await provider.shutdown();
    await set.end();
    await pool.end();
  }
});

// The names that reach a reader are exactly those of the core's table the
// core reports points for, with the table's units, descriptions and kinds:
// nothing renamed, added or dropped on the way.
test('the exported names are the core table\'s', { timeout: 60000 }, async () => {
  const table = metricTable();
  assert.ok(table.length >= 16, `table of ${table.length}`);
  const byName = new Map(table.map((d) => [d.name, d]));
  for (const name of ['db.client.connection.count', 'db.client.connection.wait_time',
    'lakebase.credential.mints', 'lakebase.pool.connects', 'lakebase.pool_set.pools']) {
    assert.ok(byName.has(name), `the core's table lacks ${name}`);
  }
  const spans = spanTable().map((s) => s.name);
  assert.deepEqual(spans.slice(0, 2), ['lakebase.credential.mint', 'lakebase.connect']);

  const pool = new Pool({ max: 1 });
  const set = new PoolSet({ maxPools: 2, idleEvictSeconds: 60 });
  const metrics = new LakebaseMetrics();
  const { reader, provider } = pipeline([metrics.producer()]);
  metrics.add(pool);
  metrics.add(set, 'obo');
  const reg = metrics.register(provider.getMeter(SCOPE_NAME));
  try {
    await pool.query('SELECT 1');
    const got = await collect(reader);
    const reported = new Set([...pool.metrics(), ...set.metrics('obo')].map((p) => p.name));
    assert.deepEqual([...got.keys()].sort(), [...reported].sort());
    for (const name of ['lakebase.pool_set.pools', 'lakebase.credential.mints', 'db.client.connection.wait_time']) {
      assert.ok(got.has(name), `${name} exported`);
    }
    for (const [name, m] of got) {
      const d = byName.get(name);
      assert.ok(d, `exported ${name}, which is not in the core's table`);
      assert.equal(m.descriptor.unit, d.unit, name);
      assert.equal(m.descriptor.description, d.description, name);
      const kind = m.dataPointType === DataPointType.HISTOGRAM ? 'histogram'
        : m.dataPointType === DataPointType.GAUGE ? 'gauge'
          : m.isMonotonic ? 'counter' : 'updowncounter';
      assert.equal(kind, d.kind, `${name} exported as ${kind}`);
    }
  } finally {
    reg.unregister();
    await provider.shutdown();
    await set.end();
    await pool.end();
  }
});

test('instrument() observes one pool on a meter provider until unregistered', { timeout: 60000 }, async () => {
  const pool = new Pool({ max: 1 });
  const { reader, provider } = pipeline();
  const reg = instrument(pool, { meterProvider: provider, name: 'quick' });
  try {
    await pool.query('SELECT 1');
    const quick = { [POOL_NAME_ATTRIBUTE]: 'quick' };
    const got = await collect(reader);
    assert.ok(value(got, 'lakebase.pool.connects', { ...quick, 'lakebase.result': 'ok' }) >= 1);
    assert.ok(!got.has('db.client.connection.wait_time'), 'histograms come only through a producer');
    const acquires = value(got, 'lakebase.pool.acquires', quick);
    reg.unregister();
    (await pool.connect()).release();
    assert.ok(pool.stats().acquires > acquires);
    assert.equal(value(await collect(reader), 'lakebase.pool.acquires', quick), acquires);
  } finally {
    await provider.shutdown();
    await pool.end();
  }
});

test('the base package never loads OpenTelemetry', () => {
  const root = path.join(__dirname, '..');
  const r = spawnSync(process.execPath, ['-e', `
    const { Pool, PoolSet } = require(${JSON.stringify(root)});
    const loaded = Object.keys(require.cache).filter((f) => f.includes('@opentelemetry'));
    console.log(JSON.stringify({ loaded, ok: typeof Pool === 'function' && typeof PoolSet === 'function' }));
  `], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { loaded: [], ok: true });
});

test('the ESM entry points export the same objects', async () => {
  const otel = await import('../otel.mjs');
  assert.equal(otel.LakebaseMetrics, LakebaseMetrics);
  assert.equal(otel.instrument, instrument);
  assert.equal(otel.POOL_NAME_ATTRIBUTE, 'db.client.connection.pool.name');
  assert.equal((await import('../index.mjs')).PoolSet, PoolSet);
});
