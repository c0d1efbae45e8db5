'use strict';
// Credential rotation under steady load: this package (recycling connections
// before their password expires, and not recycling as its steady-state
// baseline) against @databricks/lakebase (pg.Pool + the Databricks SDK), all
// through the emulator's TLS login proxy with short-lived credentials (start
// it with e.g. --ttl 20). Each subject runs in its own child process, one
// after the other, alternating, so the emulator's counters (/emulator/stats)
// belong to one subject and "per process" means what benchmarks.md means.
// Never a test: it only prints.
//   LAKEBASE_EMULATOR_ENV_FILE=<env file> node rotation.js [seconds] [rounds] [callers] [window s]
// LAKEBASE_CONNECTOR=<dir> measures another copy of the package (a staged
// build).
//
// Rotation windows: the emulator's counters are polled every POLL_MS; a mint
// or an accepted login seen in a poll is an event (timed when the answer
// arrives; events before the measured period are the pool's start, not
// rotations), and a query whose start falls within +-window s of an event is
// "inside" (mint windows, login windows, and their union). "Outside" is
// every other query: the steady state. A proxied session is a PostgreSQL
// backend (the proxy relays to the server's unix socket), so pg_stat_activity
// on the direct port shows when each session began and how long it lived; a
// session still open after the expiry of the newest credential minted before
// it began (mint seen + ttl) definitely outlived its password.
const fs = require('node:fs');
const https = require('node:https');
const os = require('node:os');
const { spawn } = require('node:child_process');

const POLL_MS = 100;
const ACTIVITY_MS = 250;
const MAX = 10; // connections: both subjects' default

function emulatorEnv() {
  const e = {};
  const file = process.env.LAKEBASE_EMULATOR_ENV_FILE;
  if (!file) throw new Error('set LAKEBASE_EMULATOR_ENV_FILE to the emulator env file');
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^export ([A-Z_0-9]+)='(.*)'$/.exec(line);
    if (m) e[m[1]] = m[2];
  }
  return e;
}

// Error text is printed: make sure nothing token-like ever is.
const scrub = (s) => String(s).replace(/[A-Za-z0-9_\-.+/=]{32,}/g, '<redacted>').slice(0, 200);

function control(method, path) {
  const url = new URL(path, process.env.EMULATOR_URL);
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, agent: control.agent }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body))
        : reject(new Error(`${path}: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

// The same package twice: recycling before the password expires (the rotation
// under test) and never recycling (its steady state: only the background
// mints remain), so the rotation windows have a same-package, same-run baseline.
function connector(recycle) {
  return (ttl) => {
    const { Pool } = require(process.env.LAKEBASE_CONNECTOR || '@lakebase/connector');
    // The core refreshes when a quarter of the lifetime is left, so a new
    // connection's password has at least ttl/4 to live: retiring at ttl/5
    // recycles every connection before its password expires.
    const maxLifetimeSeconds = recycle ? Math.max(1, Math.floor(ttl / 5)) : 0;
    const p = new Pool({ max: MAX, maxLifetimeSeconds });
    return {
      config: `max ${MAX}, maxLifetimeSeconds ${maxLifetimeSeconds}`,
      query: (s) => p.query(s),
      stats: () => {
        const s = p.stats();
        return { recycled: s.recycled, connectsOk: s.connectsOk, connectsFailed: s.connectsFailed,
          mintsOk: s.credential.mintsOk, mintsFailed: s.credential.mintsFailed };
      },
      end: () => p.end(),
    };
  };
}

const ROTATING = '@lakebase/connector';
const STEADY = '@lakebase/connector (no recycling)';
const PEER = '@databricks/lakebase';
const subjects = {
  [ROTATING]: connector(true),
  [PEER]: () => {
    const { createLakebasePool } = require('@databricks/lakebase');
    const p = createLakebasePool(); // everything from the environment
    return {
      config: 'createLakebasePool() defaults (max 10, never recycles)',
      query: (s) => p.query(s),
      stats: () => ({ totalCount: p.totalCount }),
      end: () => p.end(),
    };
  },
  [STEADY]: connector(false),
};

function percentile(sorted, q) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function summary(lat) {
  const s = Float64Array.from(lat).sort();
  const r3 = (x) => (x === null ? null : Math.round(x * 1000) / 1000);
  return { n: s.length, p50: r3(percentile(s, 0.5)), p99: r3(percentile(s, 0.99)),
    p999: r3(percentile(s, 0.999)), max: r3(s.length ? s[s.length - 1] : null) };
}

// One subject, in a child process: prints one JSON line.
async function child(name, seconds, callers, window) {
  const pg = require('pg');
  control.agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  const { ttl_seconds: ttl } = await control('GET', '/emulator/knobs');
  const loadavg = os.loadavg().map((x) => x.toFixed(1)).join(' ');
  const role = process.env.DATABRICKS_CLIENT_ID;

  const mon = new pg.Client({ host: process.env.EMULATOR_DIRECT_HOST,
    port: Number(process.env.EMULATOR_DIRECT_PORT), database: 'databricks_postgres',
    user: role, password: process.env.EMULATOR_DIRECT_PASSWORD, ssl: false });
  await mon.connect();
  const sessions = new Map(); // pid -> { start, last }
  const sample = async () => {
    const now = Date.now();
    const { rows } = await mon.query(
      `SELECT pid, extract(epoch FROM backend_start) * 1000 AS start FROM pg_stat_activity
        WHERE usename = $1 AND pid <> pg_backend_pid()
          AND coalesce(application_name, '') <> 'lakebase-emulator'`, [role]);
    for (const r of rows) {
      const s = sessions.get(r.pid) ?? { start: Number(r.start) };
      s.last = now;
      sessions.set(r.pid, s);
    }
  };

  const mints = []; // ms (Date.now()) when a poll saw the counter move
  const logins = [];
  const loginCounts = [];
  let prev = await control('GET', '/emulator/stats');
  const first = prev;
  let polledSince = 0; // when the last completed poll was sent
  const poll = async () => {
    const sent = Date.now();
    const st = await control('GET', '/emulator/stats');
    polledSince = sent;
    const now = Date.now();
    if (st.mints.autoscaling > prev.mints.autoscaling) mints.push(now);
    if (st.logins.accepted > prev.logins.accepted) {
      logins.push(now);
      loginCounts.push(st.logins.accepted - prev.logins.accepted);
    }
    prev = st;
  };
  let polling = true;
  const loop = (fn, ms) => (async () => {
    while (polling) {
      await fn();
      await new Promise((r) => setTimeout(r, ms));
    }
  })();
  const pollers = [loop(poll, POLL_MS), loop(sample, ACTIVITY_MS)];

  const db = subjects[name](ttl);
  const tCreate = Date.now();
  await Promise.all(Array.from({ length: MAX }, () => db.query('SELECT 1'))); // warm up
  // The start's mint and logins must be seen before the measured period.
  const warm = Date.now();
  while (polledSince < warm) await new Promise((r) => setTimeout(r, 10));
  const settled = Date.now(); // every event seen so far is at or before this

  const starts = [];
  const lat = [];
  let failed = 0;
  const errors = [];
  const t0 = Date.now();
  const until = t0 + seconds * 1000;
  await Promise.all(Array.from({ length: callers }, async () => {
    while (Date.now() < until) {
      const start = Date.now();
      const h = process.hrtime.bigint();
      try {
        await db.query('SELECT 1');
        lat.push(Number(process.hrtime.bigint() - h) / 1e6);
        starts.push(start);
      } catch (err) {
        failed++;
        const m = scrub(`${err.code ?? ''} ${err.message}`);
        if (errors.length < 3 && !errors.includes(m)) errors.push(m);
      }
    }
  }));
  const t1 = Date.now();
  const poolStats = db.stats();
  await db.end();
  await new Promise((r) => setTimeout(r, 2 * POLL_MS)); // let the pollers see the close
  polling = false;
  await Promise.all(pollers);
  await mon.end();
  const last = await control('GET', '/emulator/stats');

  // Events seen before the measured period are the pool's start, not rotations.
  const during = (events) => events.filter((t) => t > settled && t <= t1);
  const [mintEvents, loginEvents] = [during(mints), during(logins)];
  const near = (events, t) => events.some((e) => Math.abs(t - e) <= window * 1000);
  const groups = { all: [], mintWin: [], loginWin: [], rotWin: [], outside: [] };
  for (let i = 0; i < lat.length; i++) {
    const m = near(mintEvents, starts[i]);
    const l = near(loginEvents, starts[i]);
    groups.all.push(lat[i]);
    if (m) groups.mintWin.push(lat[i]);
    if (l) groups.loginWin.push(lat[i]);
    (m || l ? groups.rotWin : groups.outside).push(lat[i]);
  }
  const out = { name, config: db.config, loadavg, ttl, seconds: (t1 - t0) / 1000, callers, window,
    failed, errors };
  for (const [k, v] of Object.entries(groups)) out[k] = summary(v);
  out.qps = Math.round(lat.length / out.seconds);
  out.mints = last.mints.autoscaling - first.mints.autoscaling;
  out.mintsInMeasure = mintEvents.length;
  out.mintGapsS = mints.slice(1).map((t, i) => Math.round((t - mints[i]) / 100) / 10);
  out.oidcTokens = last.oidc_tokens - first.oidc_tokens;
  out.logins = last.logins.accepted - first.logins.accepted;
  out.loginPollsInMeasure = loginEvents.length; // polls that saw >= 1 login
  out.firstLoginPolls = logins.slice(0, 6).map((t, i) => `${(t - t0) / 1000}s:+${loginCounts[i]}`);
  out.refused = Object.values(last.logins.refused).reduce((a, b) => a + b, 0)
    - Object.values(first.logins.refused).reduce((a, b) => a + b, 0);
  // Sessions: age, and whether any outlived the newest credential it could have used.
  let outlived = 0;
  let maxAge = 0;
  for (const s of sessions.values()) {
    maxAge = Math.max(maxAge, s.last - s.start);
    const usable = mints.filter((t) => t <= s.start + POLL_MS);
    const minted = usable.length ? usable[usable.length - 1] : tCreate;
    if (s.last > minted + ttl * 1000 + ACTIVITY_MS) outlived++;
  }
  out.sessions = sessions.size;
  out.maxSessionAgeS = Math.round(maxAge / 100) / 10;
  out.sessionsOutlivedToken = outlived;
  out.pool = poolStats;
  console.log(JSON.stringify(out));
}

async function parent() {
  const e = emulatorEnv();
  const seconds = Number(process.argv[2] || 45);
  const rounds = Number(process.argv[3] || 2);
  const callers = Number(process.argv[4] || 16);
  const window = Number(process.argv[5] || 1);
  // What a Databricks App has (PGHOST, PGDATABASE... next to the workspace
  // identity and LAKEBASE_ENDPOINT), plus the emulator's CA for Node's TLS
  // (the SDK and pg): NODE_EXTRA_CA_CERTS only works when set before start.
  const env = { ...process.env, ...e, PGHOST: e.EMULATOR_PROXY_HOST, PGPORT: e.EMULATOR_PROXY_PORT,
    PGDATABASE: 'databricks_postgres', NODE_EXTRA_CA_CERTS: e.LAKEBASE_CA_FILE };
  const results = [];
  for (let r = 1; r <= rounds; r++) {
    for (const name of Object.keys(subjects)) {
      const line = await new Promise((resolve, reject) => {
        const c = spawn(process.execPath, [__filename, '--child', name, seconds, callers, window],
          { env, stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        c.stdout.on('data', (d) => { out += d; });
        c.on('exit', (code) => (code === 0 ? resolve(out.trim().split('\n').pop())
          : reject(new Error(`${name}: child exited ${code}`))));
      });
      const res = { round: r, ...JSON.parse(line) };
      results.push(res);
      console.log(JSON.stringify(res));
    }
  }
  const f = (x) => (x === null ? 'n/a' : x.toFixed(2));
  console.log('\n| round | subject | ok | failed | q/s | p50 ms | p99 ms | p99 in rotation windows '
    + '(n) | p99 outside (n) | in/out | p99.9 ms | max ms | mints | logins | max session age s | '
    + 'sessions outlived token |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const x of results) {
    const ratio = x.rotWin.p99 !== null && x.outside.p99 ? f(x.rotWin.p99 / x.outside.p99) : 'n/a';
    console.log(`| ${x.round} | ${x.name} | ${x.all.n} | ${x.failed} | ${x.qps} | `
      + `${f(x.all.p50)} | ${f(x.all.p99)} | ${f(x.rotWin.p99)} (${x.rotWin.n}) | `
      + `${f(x.outside.p99)} (${x.outside.n}) | `
      + `${ratio} | ${f(x.all.p999)} | ${f(x.all.max)} | ${x.mints} | ${x.logins} | `
      + `${x.maxSessionAgeS} | ${x.sessionsOutlivedToken}/${x.sessions} |`);
  }
  console.log('\n| round | rotating p99 in windows | / own p99 outside | / no-recycling p99 | '
    + '/ peer p99 |');
  console.log('|---|---|---|---|---|');
  for (let r = 1; r <= rounds; r++) {
    const get = (name) => results.find((x) => x.round === r && x.name === name);
    const [rot, steady, peer] = [get(ROTATING), get(STEADY), get(PEER)];
    const p = rot.rotWin.p99;
    console.log(`| ${r} | ${f(p)} | ${f(p / rot.outside.p99)} | ${f(p / steady.all.p99)} | `
      + `${f(p / peer.all.p99)} |`);
  }
}

if (process.argv[2] === '--child') {
  const [, , , name, seconds, callers, window] = process.argv;
  const fail = (err) => {
    console.error(scrub(err.stack || err));
    process.exit(1);
  };
  child(name, Number(seconds), Number(callers), Number(window)).then(() => process.exit(0), fail);
} else {
  parent().catch((err) => {
    console.error(scrub(err.stack || err));
    process.exit(1);
  });
}
