// @ts-check
// A small app on @lakebase/connector under sustained load across credential
// rotations: callers run queries concurrently, connections retire after a few
// seconds, a transaction runs on a leased connection every few seconds, and
// no statement may fail. Everything (workspace, identity, endpoint, CA) comes
// from the environment, as for the CLI: DATABRICKS_HOST, DATABRICKS_CLIENT_ID
// and _SECRET, LAKEBASE_ENDPOINT or LAKEBASE_INSTANCE, LAKEBASE_CA_FILE...
//
//   node demo.mjs [seconds [callers [max_lifetime_seconds]]]   (default 15 8 3)
//
// Prints credential refreshes and pool stats once a second, never a token.
// Exits 1 if any statement failed or the credential never rotated.
import { Pool, LakebaseError, libraryVersion } from '@lakebase/connector';

const [seconds, callers, lifetime] = [15, 8, 3].map((d, i) => Number(process.argv[2 + i] ?? d));
const TRANSACTION_EVERY_MS = 4000;

const t0 = Date.now();
const elapsed = () => String(Math.floor((Date.now() - t0) / 1000)).padStart(3);
const count = { queries: 0, failed: 0, transactions: 0 };
let stopping = false;

/** @param {string} what @param {unknown} e */
function failed(what, e) {
  count.failed++;
  const why = e instanceof LakebaseError
    ? `${e.code}${e.sqlstate ? ` (SQLSTATE ${e.sqlstate})` : ''}: ${e.message}` : String(e);
  console.error(`demo: ${what} failed: ${why}`);
}

/** One caller: a parameterised query, checked, again and again. @param {Pool} pool */
async function caller(pool) {
  for (let i = 0; !stopping; i++) {
    try {
      const { rows } = await pool.query('SELECT $1::int + 1 AS n', [i]);
      if (rows[0].n !== i + 1) throw new Error(`wrong answer ${rows[0].n} for ${i} + 1`);
      count.queries++;
    } catch (e) {
      failed('query', e);
    }
  }
}

/** BEGIN, a temp table, three INSERTs, a read-back, COMMIT, on one leased connection. */
async function transaction(/** @type {Pool} */ pool) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('CREATE TEMP TABLE demo_orders (id int, amount numeric) ON COMMIT DROP');
    for (const [id, amount] of [[1, '9.50'], [2, '20.25'], [3, '70.25']]) {
      await client.query('INSERT INTO demo_orders VALUES ($1, $2)', [id, amount]);
    }
    const { rows } = await client.query('SELECT count(*)::int AS n, sum(amount) AS total FROM demo_orders');
    await client.query('COMMIT');
    if (rows[0].n !== 3 || rows[0].total !== '100.00') {
      throw new Error(`read back ${JSON.stringify(rows[0])}, wanted 3 rows totalling 100.00`);
    }
    count.transactions++;
    console.log(`${elapsed()} s  transaction ${count.transactions}: BEGIN, 3 INSERTs into a temp ` +
      `table (total ${rows[0].total}), COMMIT on a leased connection`);
  } finally {
    client.release(); // rolls back if an error left the transaction open
  }
}

/** @param {import('@lakebase/connector').PoolStats} st */
function statsLine(st) {
  const c = st.credential;
  const expires = c.expireTimeMs ? Math.round((c.expireTimeMs - Date.now()) / 1000) : 0;
  const refresh = c.degradedSinceMs
    ? `DEGRADED for ${Math.round((Date.now() - c.degradedSinceMs) / 1000)} s` : 'ok';
  return `${elapsed()} s  queries ${String(count.queries).padStart(7)}  failed ${count.failed}  ` +
    `conns ${st.total} (idle ${st.idle}, in use ${st.inUse})  connects ${st.connectsOk}  ` +
    `recycled ${st.recycled}  mints ${c.mintsOk}  token expires in ${String(expires).padStart(2)} s  ` +
    `refresh ${refresh}`;
}

/** @type {Pool} */
let pool;
try {
  pool = new Pool({ min: 2, max: callers, maxLifetimeSeconds: lifetime });
} catch (e) {
  failed('configuration', e); // the message names the missing or wrong setting
  process.exit(1);
}
pool.on('error', (e) => console.error(`demo: pool error: ${e.message}`));
pool.on('refresh', ({ mintsOk, expireTimeMs }) => {
  console.log(`${elapsed()} s  refresh: credential #${mintsOk} minted, ` +
    `valid for ${Math.round((expireTimeMs - Date.now()) / 1000)} s`);
});

let final, mintsAtOpen = 0;
try {
  await pool.open(); // fails fast on a wrong identity, role or database
  mintsAtOpen = pool.stats().credential.mintsOk;
  const { rows } = await pool.query('SELECT current_user AS who');
  console.log(`@lakebase/connector on liblakebase ${libraryVersion}, logged in as ${rows[0].who}: ` +
    `${callers} callers for ${seconds} s, pool of 2..${callers} connections retired after ~${lifetime} s`);

  const load = Array.from({ length: callers }, () => caller(pool));
  const ticker = setInterval(() => console.log(statsLine(pool.stats())), 1000);
  let txn = Promise.resolve();
  const txns = setInterval(() => {
    txn = txn.then(() => transaction(pool)).catch((e) => failed('transaction', e));
  }, TRANSACTION_EVERY_MS);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  clearInterval(txns);
  clearInterval(ticker);
  stopping = true;
  await Promise.all([...load, txn]);
  final = pool.stats();
} catch (e) {
  failed('demo', e);
} finally {
  await pool.end();
}

const rotations = final ? final.credential.mintsOk - mintsAtOpen : 0;
if (final) {
  console.log(`done: ${count.queries} queries, ${count.failed} failed, ${count.transactions} ` +
    `transactions, ${final.connectsOk} connects, ${final.recycled} recycled, ` +
    `${final.credential.mintsOk} mints (${rotations} rotations under load)`);
  if (rotations === 0) console.error('demo: the credential never rotated; is the token lifetime short?');
}
process.exitCode = final && count.failed === 0 && count.queries > 0 && count.transactions > 0 &&
  rotations > 0 ? 0 : 1;
