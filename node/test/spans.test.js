'use strict';
// Spans against the emulator: the onSpan option receives a span for each
// credential mint and each new connection (lakebase_config_set_span_listener),
// and tracing() of the otel entry point sends them to an SDK tracer with an
// in-memory exporter: names from the core's span table, kind CLIENT, the
// core's own times, and status ERROR for a refused login. Each test uses
// its own token lifetime, so its pool gets a provider of its own and mints
// (providers are shared by key within the process).
const test = require('node:test');
const assert = require('node:assert/strict');
const api = require('@opentelemetry/api');
const {
  BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor,
} = require('@opentelemetry/sdk-trace-base');
const { env, knobs, reset } = require('./helpers');
const { Pool, PoolSet, LakebaseError } = require('..');
const { tracing, spanTable, SCOPE_NAME } = require('../otel');

const MINT = 'lakebase.credential.mint';
const CONNECT = 'lakebase.connect';

// Spans arrive on the JS thread once the core has queued them: wait (within
// the test's timeout) until `ready()` holds.
async function until(ready) {
  while (!ready()) await new Promise((resolve) => setTimeout(resolve, 10));
}

function tracer() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, provider };
}

const nanos = ([s, ns]) => BigInt(s) * 1000000000n + BigInt(ns);
const named = (spans, name) => spans.filter((s) => s.name === name);

test('onSpan receives a mint and a connect without OpenTelemetry', { timeout: 60000 }, async () => {
  const spans = [];
  const pool = new Pool({ max: 1, ttlSeconds: 3001, onSpan: (s) => spans.push(s) });
  try {
    assert.equal((await pool.query('SELECT 1 AS v')).rows[0].v, 1);
    await until(() => named(spans, MINT).length > 0 && named(spans, CONNECT).length > 0);
  } finally {
    await pool.end();
  }
  const table = new Map(spanTable().map((d) => [d.name, d]));
  for (const s of spans) {
    const d = table.get(s.name);
    assert.ok(d, `${s.name} is not in the core's span table`);
    assert.equal(s.error, null, `${s.name} failed: ${s.error && s.error.message}`);
    for (const t of [s.startTime, s.endTime]) {
      assert.ok(Array.isArray(t) && t.length === 2 && t.every(Number.isInteger), JSON.stringify(t));
      assert.ok(t[1] >= 0 && t[1] < 1e9, JSON.stringify(t));
    }
    assert.ok(nanos(s.startTime) <= nanos(s.endTime), `${s.name} ends before it starts`);
    for (const key of Object.keys(s.attributes)) {
      assert.ok(d.attributes.includes(key), `${s.name} carries ${key}, which the table does not list`);
    }
  }
  const [mint] = named(spans, MINT);
  assert.equal(mint.attributes['http.response.status_code'], 200);
  assert.equal(typeof mint.attributes['lakebase.credential.api'], 'string');
  // Wall-clock times (since the epoch), not a monotonic clock's: within a
  // day of now.
  const ageMs = Date.now() - Number(nanos(mint.startTime) / 1000000n);
  assert.ok(Math.abs(ageMs) < 86400000, `mint started ${ageMs} ms ago`);
  const [connect] = named(spans, CONNECT);
  assert.equal(typeof connect.attributes['server.port'], 'number');
  assert.equal(connect.attributes['db.system.name'], 'postgresql');
});

test('tracing() sends a mint and a connect to a tracer', { timeout: 60000 }, async () => {
  const { exporter, provider } = tracer();
  const traced = tracing({ tracerProvider: provider });
  const raw = [];
  const pool = new Pool({ max: 1, ttlSeconds: 3002, onSpan: (s) => { raw.push(s); traced(s); } });
  try {
    await pool.query('SELECT 1');
    const done = () => exporter.getFinishedSpans();
    await until(() => named(done(), MINT).length > 0 && named(done(), CONNECT).length > 0);
  } finally {
    await pool.end();
  }
  const names = new Set(spanTable().map((d) => d.name));
  const finished = exporter.getFinishedSpans();
  assert.equal(finished.length, raw.length);
  for (const [i, s] of finished.entries()) {
    assert.ok(names.has(s.name), `${s.name} is not in the core's span table`);
    assert.equal(s.kind, api.SpanKind.CLIENT);
    assert.equal(s.status.code, api.SpanStatusCode.UNSET, `${s.name}: ${s.status.message}`);
    assert.equal(s.instrumentationScope.name, SCOPE_NAME);
    assert.ok(nanos(s.startTime) <= nanos(s.endTime), `${s.name} ends before it starts`);
    // The core's times and attributes, unchanged.
    assert.deepEqual(s.startTime, raw[i].startTime);
    assert.deepEqual(s.endTime, raw[i].endTime);
    assert.deepEqual(s.attributes, raw[i].attributes);
  }
  const [connect] = named(finished, CONNECT);
  assert.equal(typeof connect.attributes['server.port'], 'number');
  assert.ok(connect.attributes['server.address'], 'server.address set');
  await provider.shutdown();
});

test('a refused login is a connect span with status ERROR, ELOGIN and 28P01', { timeout: 60000 }, async () => {
  const { exporter, provider } = tracer();
  const raw = [];
  const traced = tracing({ tracerProvider: provider });
  await reset();
  await knobs({ reject_logins: true });
  const pool = new Pool({ max: 1, min: 1, ttlSeconds: 3003, onSpan: (s) => { raw.push(s); traced(s); } });
  try {
    await assert.rejects(pool.open(), { code: 'ELOGIN' });
    await until(() => named(raw, CONNECT).some((s) => s.error));
    const failed = named(raw, CONNECT).find((s) => s.error);
    assert.ok(failed.error instanceof LakebaseError);
    assert.equal(failed.error.code, 'ELOGIN');
    const span = exporter.getFinishedSpans()[raw.indexOf(failed)];
    assert.equal(span.name, CONNECT);
    assert.equal(span.status.code, api.SpanStatusCode.ERROR);
    assert.equal(span.status.message, failed.error.message);
    assert.ok(span.status.message, 'the status carries the error\'s message');
    assert.equal(span.attributes['error.type'], 'ELOGIN');
    assert.equal(span.attributes['db.response.status_code'], '28P01');
  } finally {
    await pool.end();
    await reset();
    await provider.shutdown();
  }
});

test('a pool set reports its pools\' mints and connects', { timeout: 60000 }, async () => {
  const spans = [];
  const set = new PoolSet({ maxPools: 1, idleEvictSeconds: 60, ttlSeconds: 3004, onSpan: (s) => spans.push(s) });
  try {
    await set.query({ user: 'dana', token: env.EMULATOR_USER_TOKEN }, 'SELECT 1');
    await until(() => named(spans, MINT).length > 0 && named(spans, CONNECT).length > 0);
  } finally {
    await set.end();
  }
  assert.deepEqual(spans.filter((s) => s.error), []);
});

test('onSpan must be a function', () => {
  assert.throws(() => new Pool({ onSpan: 'yes' }), { code: 'ECONFIG', message: /onSpan/ });
});

test('the ESM entry point exports tracing()', async () => {
  assert.equal((await import('../otel.mjs')).tracing, tracing);
});
