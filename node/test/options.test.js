'use strict';
// The options table (lib/options.js) and the core's key table cannot drift:
// every core key an option maps to is one the library knows.
const test = require('node:test');
const assert = require('node:assert/strict');
const native = require('../lib/native');
const { KEYS, toCore } = require('../lib/options');

test('every core key the options map to is in the core\'s key table', () => {
  const known = new Set(native.configKeys());
  assert.ok(known.has('pool.max_size'), 'lakebase_config_key_at lists the keys');
  const unknown = Object.entries(KEYS).filter(([, [key]]) => !known.has(key))
    .map(([option, [key]]) => `${option} -> ${key}`);
  assert.deepEqual(unknown, []);
});

test('options become core key/value pairs, remembering which option set each key', () => {
  const o = toCore({ max: 3, idleTimeoutMillis: 1500, ssl: false, int8: 'bigint' });
  assert.deepEqual(o.pairs, [
    ['pool.max_size', '3'], ['pool.idle_timeout_seconds', '2'], ['pg.sslmode', 'disable']]);
  assert.equal(o.names.get('pool.idle_timeout_seconds'), 'idleTimeoutMillis');
  assert.equal(o.int8, 1);
});

test('ssl means what it means in node-postgres: true and objects verify the server', () => {
  const mode = (ssl) => toCore({ ssl }).pairs[0][1];
  assert.equal(mode(true), 'verify-full');
  assert.equal(mode({}), 'verify-full');
  assert.equal(mode({ rejectUnauthorized: false }), 'require');
  assert.equal(mode(false), 'disable');
  assert.equal(mode('verify-ca'), 'verify-ca');
  assert.throws(() => toCore({ ssl: { ca: 'PEM' } }), /sslRootCert/);
});
