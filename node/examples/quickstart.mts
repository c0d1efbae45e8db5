import { Pool, LakebaseError } from '@lakebase/connector';
import { pgConfig } from '@lakebase/connector/pg';

const pool = new Pool({ max: 10, pipeline: true }); // the rest comes from the environment
pool.on('refresh', (r) => console.log('new credential until', new Date(r.expireTimeMs)));
try {
  const { rows } = await pool.query<{ who: string }>('SELECT current_user AS who, $1::int AS n', [1]);
  console.log('logged in as', rows[0].who);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT 1');
    await client.query('COMMIT');
  } finally {
    client.release();
  }
} catch (e) {
  if (e instanceof LakebaseError) console.error(e.code, e.sqlstate, e.httpStatus, e.message);
  throw e;
} finally {
  await pool.end();
}

// The same credentials for a node-postgres pool.
const cfg = await pgConfig({ maxLifetimeSeconds: 1800 });
const port: number = cfg.port;
console.log(cfg.user, cfg.host, port, cfg.maxLifetimeSeconds);
