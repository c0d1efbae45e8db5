'use strict';
// One scenario, run in this (child) process: steps, expectations, stats.
const fs = require('node:fs');
const path = require('node:path');
const native = require('../../lib/native');
const { emulatorPost, emulatorStats } = require('./emulator');
const { login } = require('./login');

// Cells as the server's text, rows as arrays (Int8Mode::Text in the addon).
const TEXT = 3;

class StepError extends Error {}
const fail = (why) => { throw new StepError(why); };

const TOP = new Set(['name', 'description', 'requires', 'knobs', 'steps']);
const CAPS = new Set(['credentials', 'pool']);

function expand(env, v) {
  if (typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
  if (typeof v !== 'string') fail(`expected a string, got ${JSON.stringify(v)}`);
  let out = '';
  for (let i = 0; i < v.length;) {
    if (v.startsWith('$${', i)) { out += '${'; i += 3; continue; }
    if (v.startsWith('${', i)) {
      const end = v.indexOf('}', i);
      if (end < 0) fail(`unterminated \${ in "${v}"`);
      const body = v.slice(i + 2, end);
      const d = body.indexOf(':-');
      const key = d < 0 ? body : body.slice(0, d);
      if (Object.prototype.hasOwnProperty.call(env, key)) out += env[key];
      else if (d >= 0) out += body.slice(d + 2);
      else fail(`\${${key}} is not in the environment file`);
      i = end + 1;
      continue;
    }
    out += v[i++];
  }
  return out;
}

const STEP_FIELDS = {
  reset: [], knobs: ['knobs'],
  provider: ['id', 'config', 'expect'],
  get: ['provider', 'threads', 'expect', 'save_token', 'same_token_across_threads'],
  open: ['provider', 'threads', 'expect'],
  invalidate: ['provider', 'token', 'expect'],
  free: ['provider'],
  login: ['provider', 'host', 'port', 'user', 'password', 'database', 'sslmode', 'expect'],
  sleep: ['ms'],
  stats: ['emulator', 'provider', 'pool'],
  wait_for: ['emulator', 'provider', 'pool', 'timeout_ms'],
  emulator_kill_connections: [], emulator_restart_postgres: [],
  pool: ['id', 'config', 'expect'],
  pool_open: ['pool', 'wait', 'within_ms', 'expect'],
  pool_query: ['pool', 'sql', 'params', 'threads', 'repeat', 'expect'],
  pool_close: ['pool', 'cancel_inflight', 'within_ms', 'expect'],
  pool_load_start: ['id', 'pool', 'threads', 'sql', 'params'],
  pool_load_stop: ['load', 'expect'],
  conn_acquire: ['id', 'pool', 'expect'],
  conn_query: ['conn', 'sql', 'params', 'background', 'release_after', 'expect'],
  conn_wait: ['conn', 'expect'],
  conn_cancel: ['conn', 'expect'],
  conn_release: ['conn'],
};

const EXPECT_COMMON = ['ok', 'error', 'api_code', 'http_status', 'message_contains',
  'message_not_contains', 'sqlstate'];
const EXPECT_GET = ['user', 'host', 'port', 'database', 'sslmode', 'same_token_as',
  'different_token_from'];
const EXPECT_QUERY = ['rows', 'columns', 'command'];

function checkFields(obj, allowed, what) {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) fail(`unknown ${what} field "${k}"`);
  }
}

const list = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

// The outcome { err } or { value } of a call against the expectation.
function checkOutcome(env, expect, err, extra) {
  const e = expect || {};
  const wantOk = e.ok !== undefined ? e.ok
    : !(e.error || e.api_code || e.http_status || e.sqlstate || e.message_contains ||
        e.message_not_contains);
  if (!err) {
    if (!wantOk) fail(`succeeded, expected a failure${e.error ? ' ' + e.error : ''}`);
    if (extra) extra();
    return;
  }
  const msg = String(err.message);
  if (wantOk) fail(`failed: ${err.code || ''} ${msg}`);
  if (e.error && err.code !== e.error) fail(`failed with ${err.code}, expected ${e.error}: ${msg}`);
  if (e.api_code !== undefined && err.apiCode !== expand(env, e.api_code)) {
    fail(`api_code "${err.apiCode}", expected "${expand(env, e.api_code)}"`);
  }
  if (e.http_status !== undefined && err.httpStatus !== e.http_status) {
    fail(`http_status ${err.httpStatus}, expected ${e.http_status}`);
  }
  if (e.sqlstate !== undefined && err.sqlstate !== expand(env, e.sqlstate)) {
    fail(`sqlstate "${err.sqlstate}", expected "${expand(env, e.sqlstate)}": ${msg}`);
  }
  for (const s of list(e.message_contains)) {
    const x = expand(env, s);
    if (!msg.includes(x)) fail(`message lacks "${x}": ${msg}`);
  }
  for (const s of list(e.message_not_contains)) {
    // Used for secrets: never print the forbidden text or the message.
    if (msg.includes(expand(env, s))) fail('message contains forbidden text');
  }
}

async function settle(p) {
  try {
    return { value: await p };
  } catch (err) {
    return { err };
  }
}

function configPairs(env, config, extra) {
  if (!config || typeof config !== 'object' || Array.isArray(config)) fail('config must be an object');
  const pairs = [['config.use_environment', 'false'], ...extra];
  for (const [k, v] of Object.entries(config)) {
    pairs.push([k, v === null ? null : expand(env, v)]);
  }
  return pairs;
}

function compareRows(env, res, e) {
  if (e.columns !== undefined) {
    const got = res.fields.map((f) => f.name);
    if (JSON.stringify(got) !== JSON.stringify(e.columns)) {
      fail(`columns ${JSON.stringify(got)}, expected ${JSON.stringify(e.columns)}`);
    }
  }
  if (e.command !== undefined && res.commandTag !== expand(env, e.command)) {
    fail(`command "${res.commandTag}", expected "${expand(env, e.command)}"`);
  }
  if (e.rows !== undefined) {
    const want = e.rows.map((r) => r.map((v) => (v === null ? null : expand(env, v))));
    const got = res.rows;
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      fail(`rows ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
    }
  }
}

class Scenario {
  constructor(env, verbose) {
    this.env = env;
    this.verbose = verbose;
    this.providers = new Map(); // id -> { creds, latest }
    this.latest = new Map(); // provider id -> latest credential (outlives free)
    this.tokens = new Map();
    this.pools = new Map();
    this.conns = new Map(); // id -> { client, bg }
    this.loads = new Map();
  }

  x(v) { return expand(this.env, v); }
  log(s) { if (this.verbose) process.stderr.write(s + '\n'); }

  provider(id) {
    const p = this.providers.get(id);
    if (!p) fail(`no provider "${id}"`);
    return p;
  }
  pool(id) {
    const p = this.pools.get(id);
    if (!p) fail(`no pool "${id}"`);
    return p;
  }
  conn(id) {
    const c = this.conns.get(id);
    if (!c) fail(`no connection "${id}"`);
    return c;
  }

  params(p) {
    if (p === undefined) return [];
    if (!Array.isArray(p)) fail('params must be an array');
    return p.map((v) => (v === null ? null : this.x(v)));
  }

  async step(s) {
    const e = s.expect;
    switch (s.op) {
      case 'reset': return emulatorPost(this.env, '/emulator/reset', {});
      case 'knobs': return emulatorPost(this.env, '/emulator/knobs', s.knobs);
      case 'emulator_kill_connections': return emulatorPost(this.env, '/emulator/kill-connections', {});
      case 'emulator_restart_postgres': return emulatorPost(this.env, '/emulator/restart-postgres', {});
      case 'sleep': return new Promise((r) => setTimeout(r, s.ms));
      case 'provider': {
        checkFields(e || {}, EXPECT_COMMON, 'expect');
        let creds = null, err = null;
        try {
          creds = new native.Credentials(configPairs(this.env, s.config, []), null);
        } catch (x) { err = x; }
        checkOutcome(this.env, e, err);
        if (creds) this.providers.set(s.id, { creds });
        return;
      }
      case 'get': case 'open': {
        checkFields(e || {}, [...EXPECT_COMMON, ...EXPECT_GET], 'expect');
        const p = this.provider(s.provider);
        const n = s.threads === undefined ? 1 : s.threads;
        if (!Number.isInteger(n) || n < 1 || n > 1000) fail('threads must be 1-1000');
        const calls = [];
        for (let i = 0; i < n; i++) calls.push(settle(s.op === 'get' ? p.creds.get() : p.creds.open()));
        const outs = await Promise.all(calls);
        let first = null;
        for (const o of outs) {
          checkOutcome(this.env, e, o.err, () => {
            if (s.op !== 'get') return;
            const c = o.value;
            if (!c.token) fail('empty token');
            for (const f of ['user', 'host', 'port', 'database', 'sslmode']) {
              if (e && e[f] !== undefined && String(c[f]) !== this.x(e[f])) {
                fail(`${f} "${c[f]}", expected "${this.x(e[f])}"`);
              }
            }
            if (e && e.same_token_as !== undefined && c.token !== this.savedToken(e.same_token_as)) {
              fail(`token differs from saved token ${e.same_token_as}`);
            }
            if (e && e.different_token_from !== undefined &&
                c.token === this.savedToken(e.different_token_from)) {
              fail(`token equals saved token ${e.different_token_from}`);
            }
          });
          if (!o.err && s.op === 'get') {
            if (!first) first = o.value;
            else if (s.same_token_across_threads && o.value.token !== first.token) {
              fail('callers got different tokens');
            }
          }
        }
        if (first) {
          this.latest.set(s.provider, first);
          if (s.save_token !== undefined) this.tokens.set(s.save_token, first.token);
        }
        return;
      }
      case 'invalidate': {
        checkFields(e || {}, EXPECT_COMMON, 'expect');
        const p = this.provider(s.provider);
        let err = null;
        try {
          p.creds.invalidate(s.token === undefined ? null : this.savedToken(s.token));
        } catch (x) { err = x; }
        checkOutcome(this.env, e, err);
        return;
      }
      case 'free': {
        this.provider(s.provider).creds.free();
        this.providers.delete(s.provider);
        return;
      }
      case 'login': {
        checkFields(e || {}, ['ok', 'role', 'sqlstate', 'message_contains', 'message_not_contains'], 'expect');
        let base = {};
        if (s.provider !== undefined) {
          base = this.latest.get(s.provider);
          if (!base) fail(`provider "${s.provider}" has no credential yet`);
          base = { host: base.host, port: String(base.port), user: base.user,
            password: base.token, database: base.database, sslmode: base.sslmode };
        } else {
          base = { database: 'databricks_postgres', sslmode: 'require' };
        }
        const p = { ...base };
        for (const f of ['host', 'port', 'user', 'password', 'database', 'sslmode']) {
          if (s[f] !== undefined) p[f] = this.x(s[f]);
          if (p[f] === undefined) fail(`login needs "${f}"`);
        }
        const r = await login(p, this.env.PGSSLROOTCERT);
        checkOutcome(this.env, { ...(e || {}), role: undefined }, r.err, () => {
          if (e && e.role !== undefined && r.role !== this.x(e.role)) {
            fail(`current_user "${r.role}", expected "${this.x(e.role)}"`);
          }
        });
        return;
      }
      case 'stats': {
        const why = await this.checkStats(s);
        if (why) fail(why);
        return;
      }
      case 'wait_for': {
        const deadline = Date.now() + (s.timeout_ms === undefined ? 10000 : s.timeout_ms);
        for (;;) {
          const why = await this.checkStats(s);
          if (!why) return;
          if (Date.now() >= deadline) fail(`timed out: ${why}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      case 'pool': {
        checkFields(e || {}, EXPECT_COMMON, 'expect');
        let pool = null, err = null;
        try {
          pool = new native.Pool(configPairs(this.env, s.config, []), null,
            { keepAlive: false }, () => {});
        } catch (x) { err = x; }
        checkOutcome(this.env, e, err);
        if (pool) this.pools.set(s.id, pool);
        return;
      }
      case 'pool_open': case 'pool_close': {
        checkFields(e || {}, EXPECT_COMMON, 'expect');
        const pool = this.pool(s.pool);
        const t0 = Date.now();
        const o = await settle(s.op === 'pool_open'
          ? pool.open(s.wait === undefined ? true : !!s.wait)
          : pool.close(!!s.cancel_inflight));
        const took = Date.now() - t0;
        checkOutcome(this.env, e, o.err);
        if (s.within_ms !== undefined && took > s.within_ms) {
          fail(`took ${took} ms, expected within ${s.within_ms} ms`);
        }
        return;
      }
      case 'pool_query': {
        checkFields(e || {}, [...EXPECT_COMMON, ...EXPECT_QUERY], 'expect');
        const pool = this.pool(s.pool);
        const n = s.threads === undefined ? 1 : s.threads;
        const repeat = s.repeat === undefined ? 1 : s.repeat;
        const sql = this.x(s.sql);
        const params = this.params(s.params);
        const caller = async () => {
          for (let i = 0; i < repeat; i++) {
            const o = await settle(pool.query(sql, params, TEXT));
            checkOutcome(this.env, e, o.err, () => compareRows(this.env, o.value, e || {}));
          }
        };
        const runs = [];
        for (let i = 0; i < n; i++) runs.push(settle(caller()));
        for (const r of await Promise.all(runs)) if (r.err) throw r.err;
        return;
      }
      case 'pool_load_start': {
        const pool = this.pool(s.pool);
        const sql = s.sql === undefined ? 'SELECT 1' : this.x(s.sql);
        const params = this.params(s.params);
        const load = { stop: false, queries: 0, failed: 0, firstErr: null, runs: [] };
        for (let i = 0; i < s.threads; i++) {
          load.runs.push((async () => {
            while (!load.stop) {
              const o = await settle(pool.query(sql, params, TEXT));
              if (o.err) {
                load.failed++;
                load.firstErr ??= o.err;
              } else {
                load.queries++;
              }
            }
          })());
        }
        this.loads.set(s.id, load);
        return;
      }
      case 'pool_load_stop': {
        checkFields(e || {}, ['queries', 'failed'], 'expect');
        const load = this.loads.get(s.load);
        if (!load) fail(`no load "${s.load}"`);
        load.stop = true;
        await Promise.all(load.runs);
        this.loads.delete(s.load);
        const fe = load.firstErr ? ` (first failure ${load.firstErr.code}: ${load.firstErr.message})` : '';
        let why = matchValue(this.env, load.failed, e && e.failed !== undefined ? e.failed : 0);
        if (why) fail(`failed: ${why}${fe}`);
        if (e && e.queries !== undefined) {
          why = matchValue(this.env, load.queries, e.queries);
          if (why) fail(`queries: ${why}${fe}`);
        }
        return;
      }
      case 'conn_acquire': {
        checkFields(e || {}, EXPECT_COMMON, 'expect');
        const o = await settle(this.pool(s.pool).acquire());
        checkOutcome(this.env, e, o.err);
        if (!o.err) this.conns.set(s.id, { client: o.value, bg: null });
        return;
      }
      case 'conn_query': {
        checkFields(e || {}, [...EXPECT_COMMON, ...EXPECT_QUERY], 'expect');
        const c = this.conn(s.conn);
        const run = (async () => {
          const o = await settle(c.client.query(this.x(s.sql), this.params(s.params), TEXT));
          if (s.release_after) await c.client.release();
          return o;
        })();
        if (s.release_after) c.released = true;
        const check = (o) => checkOutcome(this.env, e, o.err,
          () => compareRows(this.env, o.value, e || {}));
        if (s.background) {
          c.bg = run;
          return;
        }
        check(await run);
        if (s.release_after) this.conns.delete(s.conn);
        return;
      }
      case 'conn_wait': {
        checkFields(e || {}, [...EXPECT_COMMON, ...EXPECT_QUERY], 'expect');
        const c = this.conn(s.conn);
        if (!c.bg) fail('no background query');
        const o = await c.bg;
        c.bg = null;
        if (c.released) this.conns.delete(s.conn);
        checkOutcome(this.env, e, o.err, () => compareRows(this.env, o.value, e || {}));
        return;
      }
      case 'conn_cancel': {
        checkFields(e || {}, EXPECT_COMMON, 'expect');
        const o = await settle(this.conn(s.conn).client.cancel());
        checkOutcome(this.env, e, o.err);
        return;
      }
      case 'conn_release': {
        const c = this.conn(s.conn);
        if (c.bg) await c.bg;
        await c.client.release();
        this.conns.delete(s.conn);
        return;
      }
      default:
        return fail(`unknown op "${s.op}"`);
    }
  }

  savedToken(name) {
    if (!this.tokens.has(name)) fail(`no saved token "${name}"`);
    return this.tokens.get(name);
  }

  async checkStats(s) {
    if (s.emulator === undefined && s.provider === undefined && s.pool === undefined) {
      fail('stats needs emulator, provider or pool');
    }
    if (s.emulator !== undefined) {
      const st = await emulatorStats(this.env);
      for (const [k, want] of Object.entries(s.emulator)) {
        let v = st;
        for (const part of k.split('.')) v = v !== null && typeof v === 'object' ? v[part] : undefined;
        if (v === undefined) return `emulator ${k}: missing`;
        const why = matchValue(this.env, v, want);
        if (why) return `emulator ${k}: ${why}`;
      }
    }
    for (const want of list(s.provider)) {
      const c = this.provider(want.id).creds.stats();
      const why = matchFields(this.env, credFields(c, ''), want, 'provider ' + want.id);
      if (why) return why;
    }
    for (const want of list(s.pool)) {
      const st = this.pool(want.id).stats();
      const f = {
        total: st.total, idle: st.idle, in_use: st.inUse, connecting: st.connecting,
        waiting: st.waiting, connects_ok: st.connectsOk, connects_failed: st.connectsFailed,
        recycled: st.recycled, discarded: st.discarded, acquires: st.acquires,
        acquire_timeouts: st.acquireTimeouts, ...credFields(st.credential, 'credential.'),
      };
      const why = matchFields(this.env, f, want, 'pool ' + want.id);
      if (why) return why;
    }
    return null;
  }

  // Stops loads, waits for background queries, releases connections, closes
  // pools (cancel) and frees providers.
  async cleanup() {
    for (const l of this.loads.values()) l.stop = true;
    await Promise.all([...this.loads.values()].flatMap((l) => l.runs));
    for (const c of this.conns.values()) {
      if (c.bg) await c.bg;
      if (!c.released) await settle(c.client.release());
    }
    for (const p of this.pools.values()) await settle(p.close(true));
    for (const p of this.providers.values()) p.creds.free();
  }
}

function credFields(c, prefix) {
  return {
    [prefix + 'mints_ok']: c.mintsOk,
    [prefix + 'mints_failed']: c.mintsFailed,
    [prefix + 'degraded']: c.degradedSinceMs !== 0,
    [prefix + 'cached']: c.expireTimeMs !== 0,
    [prefix + 'last_error']: c.lastErrorName,
    [prefix + 'last_error_http_status']: c.lastErrorHttpStatus,
  };
}

function matchFields(env, got, want, what) {
  for (const [k, w] of Object.entries(want)) {
    if (k === 'id') continue;
    if (!(k in got)) return `${what}: unknown field "${k}"`;
    const why = matchValue(env, got[k], w);
    if (why) return `${what} ${k}: ${why}`;
  }
  return null;
}

function matchValue(env, got, want) {
  if (want !== null && typeof want === 'object') {
    if (typeof got !== 'number') return `${JSON.stringify(got)} is not a number`;
    if (want.min !== undefined && got < want.min) return `${got} < min ${want.min}`;
    if (want.max !== undefined && got > want.max) return `${got} > max ${want.max}`;
    return null;
  }
  const w = typeof want === 'string' ? expand(env, want) : want;
  if (got !== w) return `${JSON.stringify(got)}, expected ${JSON.stringify(w)}`;
  return null;
}

async function runScenario(env, file, verbose) {
  const fallback = path.basename(file, '.json');
  let sc;
  try {
    sc = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (!sc || typeof sc !== 'object' || Array.isArray(sc)) throw new Error('not an object');
    for (const k of Object.keys(sc)) if (!TOP.has(k)) throw new Error(`unknown field "${k}"`);
    if (sc.name !== fallback) throw new Error(`name "${sc.name}" is not the file name`);
    if (!Array.isArray(sc.steps)) throw new Error('steps must be an array');
  } catch (e) {
    return `FAIL ${file}: not a scenario: ${e.message}`;
  }
  for (const r of sc.requires || []) {
    if (!CAPS.has(r)) return `skip ${sc.name}: requires ${r}`;
  }
  const run = new Scenario(env, verbose);
  try {
    await emulatorPost(env, '/emulator/reset', {});
    if (sc.knobs !== undefined) await emulatorPost(env, '/emulator/knobs', sc.knobs);
  } catch (e) {
    return `FAIL ${sc.name}: setup: ${e.message}`;
  }
  let verdict = `ok ${sc.name}`;
  for (let i = 0; i < sc.steps.length; i++) {
    const s = sc.steps[i];
    const op = s && s.op;
    try {
      if (!s || typeof s !== 'object' || !STEP_FIELDS[op]) fail(`unknown op "${op}"`);
      checkFields(s, ['op', 'comment', ...STEP_FIELDS[op]], 'step');
      run.log(`step ${i + 1} (${op})`);
      await run.step(s);
    } catch (e) {
      verdict = `FAIL ${sc.name}: step ${i + 1} (${op}): ${e instanceof StepError ? e.message : (e.code ? e.code + ' ' : '') + e.message}`;
      break;
    }
  }
  await run.cleanup();
  return verdict;
}

module.exports = { runScenario, expand };
