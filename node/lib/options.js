'use strict';
// camelCase options (node-postgres spelling where one exists) to the core's
// configuration keys. Anything not given falls back, in the core, to the
// environment, then ~/.databrickscfg, then the defaults. Every core key named
// here is checked against the library's own key table
// (lakebase_config_key_at) by test/options.test.js.
const { LakebaseError } = require('./errors');

const seconds = (ms) => String(Math.ceil(Number(ms) / 1000));

// node-postgres's meaning: `true` and an object verify the server's
// certificate and name unless rejectUnauthorized is false. The CA goes in
// sslRootCert (a file), as libpq reads it.
function sslmode(v) {
  if (typeof v === 'string') return v;
  if (v === true) return 'verify-full';
  if (v === false) return 'disable';
  if (v && typeof v === 'object') {
    if ('ca' in v || 'cert' in v || 'key' in v) {
      throw new TypeError('ssl.ca/cert/key are not supported: give the CA bundle as a file in sslRootCert');
    }
    return v.rejectUnauthorized === false ? 'require' : 'verify-full';
  }
  throw new TypeError('ssl must be a boolean, an sslmode string or an object');
}

// option -> [core key, value mapping]; the package's API, so keys of the
// core are not accepted under their own names.
const KEYS = {
  endpoint: ['lakebase.endpoint'],
  instance: ['lakebase.instance'],
  ttlSeconds: ['lakebase.ttl_seconds'],
  host: ['pg.host'],
  port: ['pg.port'],
  database: ['pg.database'],
  user: ['pg.user'],
  password: ['pg.password'],
  ssl: ['pg.sslmode', sslmode],
  sslRootCert: ['pg.sslrootcert'],
  applicationName: ['pg.application_name'],
  max: ['pool.max_size'],
  min: ['pool.min_size'],
  idleTimeoutMillis: ['pool.idle_timeout_seconds', seconds],
  maxLifetimeSeconds: ['pool.max_lifetime_seconds'],
  connectionTimeoutMillis: ['pool.acquire_timeout_ms'],
  statementTimeout: ['pool.statement_timeout_ms'],
  pipeline: ['pool.pipeline'],
  workspaceHost: ['workspace.host'],
  token: ['auth.token'],
  clientId: ['auth.client_id'],
  clientSecret: ['auth.client_secret'],
  authType: ['auth.type'],
  profile: ['auth.profile'],
  caFile: ['http.ca_file'],
};

// Options this package handles itself.
const LOCAL = new Set(['int8', 'allowExitOnIdle', 'connectionString', 'tokenSource', 'onSpan']);

const INT8_MODES = { string: 0, bigint: 1, number: 2 };

/**
 * @returns {{pairs: string[][], dsn: string|undefined, int8: number,
 *            allowExitOnIdle: boolean, names: Map<string,string>,
 *            tokenSource: Function|undefined, onSpan: Function|undefined}}
 */
function toCore(options = {}) {
  if (options === null || typeof options !== 'object') {
    throw new LakebaseError('ECONFIG', 'options must be an object');
  }
  const pairs = [];
  const names = new Map(); // core key -> option, to name the option in errors
  for (const [name, value] of Object.entries(options)) {
    if (LOCAL.has(name)) continue;
    const entry = KEYS[name];
    if (!entry) {
      throw new LakebaseError('ECONFIG', `unknown option "${name}"; known options: ${
        [...Object.keys(KEYS), ...LOCAL].join(', ')}`);
    }
    if (value === undefined || value === null) continue;
    const [key, map] = entry;
    let text;
    try {
      text = map ? map(value) : String(value);
    } catch (e) {
      throw new LakebaseError('ECONFIG', `option "${name}": ${e.message}`);
    }
    pairs.push([key, text]);
    names.set(key, name);
  }
  const tokenSource = options.tokenSource ?? undefined;
  if (tokenSource !== undefined && typeof tokenSource !== 'function') {
    throw new LakebaseError('ECONFIG', 'option "tokenSource": give a function returning the workspace token');
  }
  const onSpan = options.onSpan ?? undefined;
  if (onSpan !== undefined && typeof onSpan !== 'function') {
    throw new LakebaseError('ECONFIG', 'option "onSpan": give a function receiving each finished span');
  }
  // A token source is the workspace auth (auth.type external) unless the
  // caller chose another.
  if (tokenSource && !names.has('auth.type')) pairs.push(['auth.type', 'external']);
  const int8 = options.int8 ?? 'string';
  if (!(int8 in INT8_MODES)) {
    throw new LakebaseError('ECONFIG', 'option "int8": use "string", "bigint" or "number"');
  }
  return {
    pairs,
    names,
    dsn: options.connectionString,
    int8: INT8_MODES[int8],
    allowExitOnIdle: options.allowExitOnIdle ?? true,
    tokenSource,
    onSpan,
  };
}

// Runs `make` (a native constructor call). When the core refuses the value
// of a key, the addon's error carries that key (`key`), and the message
// then also names the option it came from.
function withOptionNames(names, make) {
  try {
    return make();
  } catch (e) {
    const name = e && typeof e.key === 'string' ? names.get(e.key) : undefined;
    if (name !== undefined) e.message = `option "${name}": ${e.message}`;
    throw e;
  }
}

module.exports = { toCore, withOptionNames, KEYS };
