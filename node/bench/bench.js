'use strict';
// pool.query('SELECT 1') throughput at 1 and 64 concurrent callers: this
// package (defaults, and without pipelining) against pg.Pool and
// postgres.js, each with its default options, all on the
// emulator's direct PostgreSQL port (static password, no TLS, no proxy),
// alternating in one run (benchmarks.md). Never a test: it only prints.
//   LAKEBASE_EMULATOR_ENV_FILE=<env file> node bench.js [seconds per run] [rounds]
const fs = require('node:fs');
const pg = require('pg');
const postgres = require('postgres');
const { Pool } = require('@lakebase/connector');

// Only the direct server's coordinates are read: the rest of the emulator's
// environment (LAKEBASE_ENDPOINT...) must not turn minting on.
const e = { ...process.env };
if (!e.EMULATOR_DIRECT_PORT && e.LAKEBASE_EMULATOR_ENV_FILE) {
  for (const line of fs.readFileSync(e.LAKEBASE_EMULATOR_ENV_FILE, 'utf8').split('\n')) {
    const m = /^export ([A-Z_0-9]+)='(.*)'$/.exec(line);
    if (m) e[m[1]] = m[2];
  }
}
for (const k of ['LAKEBASE_ENDPOINT', 'LAKEBASE_INSTANCE']) delete process.env[k];
const seconds = Number(process.argv[2] || 5);
const rounds = Number(process.argv[3] || 2);
const WARM = 10; // concurrent statements that warm each pool up
const server = {
  host: e.EMULATOR_DIRECT_HOST, port: Number(e.EMULATOR_DIRECT_PORT),
  database: 'databricks_postgres', user: e.DATABRICKS_CLIENT_ID, password: e.EMULATOR_DIRECT_PASSWORD,
};

// Every pool with its default options (size included); only the server,
// its password and ssl: false are given. The connector pipelines
// adaptively by default; "pipeline: false" shows the plain pool.
const subjects = {
  lakebase: () => {
    const p = new Pool({ ...server, ssl: false });
    return { query: (s) => p.query(s), end: () => p.end() };
  },
  'lakebase pipeline:false': () => {
    const p = new Pool({ ...server, ssl: false, pipeline: false });
    return { query: (s) => p.query(s), end: () => p.end() };
  },
  'pg.Pool': () => {
    const p = new pg.Pool({ ...server, ssl: false });
    return { query: (s) => p.query(s), end: () => p.end() };
  },
  'postgres.js': () => {
    const sql = postgres({ ...server, username: server.user, ssl: false });
    return { query: () => sql`SELECT 1`, end: () => sql.end() };
  },
};

async function run(make, callers) {
  const db = make();
  await Promise.all(Array.from({ length: WARM }, () => db.query('SELECT 1'))); // warm up
  let n = 0;
  const until = Date.now() + seconds * 1000;
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: callers }, async () => {
    while (Date.now() < until) {
      await db.query('SELECT 1');
      n++;
    }
  }));
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  await db.end();
  return n / s;
}

(async () => {
  const results = {};
  for (let r = 1; r <= rounds; r++) {
    for (const callers of [1, 64]) {
      for (const [name, make] of Object.entries(subjects)) {
        const qps = await run(make, callers);
        (results[`${name}@${callers}`] ??= []).push(qps);
        console.log(`round ${r} callers ${callers} ${name}: ${Math.round(qps)} q/s`);
      }
    }
  }
  console.log(JSON.stringify(results));
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
