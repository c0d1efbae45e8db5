'use strict';
// node-postgres adapter: the core's credentials for a pg.Pool (and what is
// built on it: drizzle, kysely, prisma's pg adapter). Providers are shared
// process-wide by key, so a pg.Pool and a native Pool with the same identity
// and endpoint mint once.
const fs = require('node:fs');
const native = require('./lib/native');
const { toCore, withOptionNames } = require('./lib/options');

function credentials(options) {
  const o = toCore(options);
  return withOptionNames(o.names, () => new native.Credentials(o.pairs, o.dsn, o.tokenSource, o.onSpan));
}

/**
 * A function for pg's `password` option: resolves to the current database
 * credential, served from the shared cache at once, or minted when needed
 * on one of the core's worker threads (never the libuv threadpool).
 */
function lakebasePassword(options = {}) {
  const creds = credentials(options);
  return () => creds.get().then((c) => c.token);
}

function sslOption(sslmode, caFile) {
  switch (sslmode) {
    case 'disable':
      return false;
    case 'allow':
    case 'prefer':
    case 'require':
      return { rejectUnauthorized: false };
    default: {
      const ca = caFile || process.env.PGSSLROOTCERT;
      return ca ? { rejectUnauthorized: true, ca: fs.readFileSync(ca, 'utf8') } : { rejectUnauthorized: true };
    }
  }
}

/**
 * A pg.Pool configuration: where to log in (discovered from the endpoint or
 * instance, which takes one credential request), the credential as a
 * password function, TLS, and connections recycled well inside a token's
 * lifetime.
 */
async function pgConfig(options = {}) {
  const creds = credentials(options);
  const c = await creds.get();
  return {
    host: c.host,
    port: c.port,
    database: c.database,
    user: c.user,
    password: () => creds.get().then((x) => x.token),
    ssl: sslOption(c.sslmode, options.sslRootCert),
    maxLifetimeSeconds: options.maxLifetimeSeconds ?? 2700,
  };
}

module.exports = { lakebasePassword, pgConfig };
