/// <reference types="node" />
import { EventEmitter } from 'node:events';

/** Options of `new Pool()`. Anything left out comes from the environment
 * (DATABRICKS_HOST, LAKEBASE_ENDPOINT, PGHOST...), then ~/.databrickscfg,
 * then the library's defaults. */
export interface PoolOptions {
  /** Autoscaling endpoint: projects/<p>/branches/<b>/endpoints/<e> (lakebase.endpoint). */
  endpoint?: string;
  /** Provisioned instance name (lakebase.instance). */
  instance?: string;
  /** Requested token lifetime, seconds (lakebase.ttl_seconds). */
  ttlSeconds?: number;
  host?: string;
  port?: number;
  database?: string;
  /** The Postgres role (default: the identity that mints). */
  user?: string;
  /** A static password: turns minting off (pg.password). */
  password?: string;
  /**
   * As node-postgres: true or an object = verify the server (verify-full),
   * { rejectUnauthorized: false } = require (TLS, unverified), false =
   * disable, or an sslmode string. The CA bundle goes in sslRootCert.
   */
  ssl?: boolean | string | { rejectUnauthorized?: boolean };
  sslRootCert?: string;
  applicationName?: string;
  /** pool.max_size (default 10). */
  max?: number;
  /** pool.min_size: connections open() warms. */
  min?: number;
  idleTimeoutMillis?: number;
  maxLifetimeSeconds?: number;
  /** How long a statement waits for a connection (pool.acquire_timeout_ms). */
  connectionTimeoutMillis?: number;
  /** pool.statement_timeout_ms. */
  statementTimeout?: number;
  /** Share connections between independent statements (libpq pipeline mode). */
  pipeline?: boolean;
  workspaceHost?: string;
  /** A workspace PAT (auth.token). */
  token?: string;
  clientId?: string;
  clientSecret?: string;
  authType?: string;
  profile?: string;
  /** CA bundle for the workspace's HTTPS (http.ca_file). */
  caFile?: string;
  /** A libpq DSN or postgres:// URL (host, port, dbname, user, password, sslmode). */
  connectionString?: string;
  /** How int8 columns come back (default 'string'). */
  int8?: 'string' | 'bigint' | 'number';
  /** Let the process exit while the pool is idle (default true). */
  allowExitOnIdle?: boolean;
  /**
   * The workspace token, from the program (lakebase_config_set_token_source):
   * auth.type becomes 'external' unless `authType` says otherwise. Called on
   * the JS thread whenever the core needs a token (before a mint, or only
   * once per `expiresAt` when given); the core waits up to 30 s for it.
   * Throwing, rejecting or returning something else fails the mint with
   * ECALLBACK. Never logged.
   */
  tokenSource?: () => TokenSourceResult | Promise<TokenSourceResult>;
  /**
   * Receives each finished span: every credential mint attempt
   * ('lakebase.credential.mint') and every new connection
   * ('lakebase.connect'), failed or not. Called on the JS thread, soon after
   * the span ends, never while the library waits: spans wait in a queue of
   * 1024, and one that finds it full is dropped. `tracing()` of
   * '@lakebase/connector/otel' makes one that sends them to an OpenTelemetry
   * tracer. A function that throws raises an uncaught exception.
   */
  onSpan?: (span: LakebaseSpan) => void;
}

/** [seconds, nanoseconds] since the Unix epoch: OpenTelemetry's HrTime. */
export type HrTime = [number, number];

/** One finished span, as the library reports it (lakebase_span). */
export interface LakebaseSpan {
  /** 'lakebase.credential.mint' or 'lakebase.connect' (the span table's names). */
  name: string;
  startTime: HrTime;
  /** Never before startTime. */
  endTime: HrTime;
  /** Why the mint or connect failed, or null when it succeeded. */
  error: LakebaseError | null;
  /** OpenTelemetry's database client attributes (server.address,
   * server.port, db.namespace, error.type...): numbers for server.port and
   * the status codes the library reports as integers; never a secret. */
  attributes: Record<string, string | number>;
}

/** A workspace token, or one with its expiry (a Date or Unix ms). */
export type TokenSourceResult = string | { token: string; expiresAt?: Date | number };

export interface FieldDef {
  name: string;
  dataTypeID: number;
}

export interface QueryResult<R = any> {
  rows: R[];
  /** Rows returned or affected; null for commands without a count. */
  rowCount: number | null;
  fields: FieldDef[];
  /** The command tag's verb: 'SELECT', 'INSERT'... */
  command: string;
}

export interface QueryConfig {
  text: string;
  values?: unknown[];
}

/** The credential provider's counters (never the token). */
export interface CredentialStats {
  /** Successful mints. */
  mintsOk: number;
  /** Failed mint attempts (each retry counts). */
  mintsFailed: number;
  lastMintLatencyUs: number;
  /** Expiry of the cached token (Unix ms), 0 if none. */
  expireTimeMs: number;
  /** Start of the current failing run while a valid token is served, 0 if healthy. */
  degradedSinceMs: number;
  /** Planned background refresh (Unix ms), 0 if none. */
  nextRefreshMs: number;
  /** The C library's LAKEBASE_E* value of the last failure, or 0. */
  lastErrorCode: number;
  /** Its name as the library gives it ('EAUTH'...), or '' if none. */
  lastErrorName: ErrorCode | '';
  /** Its HTTP status, or 0. */
  lastErrorHttpStatus: number;
  /** Its message, or ''; never a secret. */
  lastErrorMessage: string;
}

/** Connections by state (total = idle + inUse + connecting), whether the
 * JS thread's loop or the library holds them, and the pool's counters. */
export interface PoolStats {
  /** Open or opening connections. */
  total: number;
  /** Open and not in use (including those the loop holds between statements). */
  idle: number;
  /** Leased, or running statements. */
  inUse: number;
  connecting: number;
  /** Statements and leases waiting for a connection. */
  waiting: number;
  /** Statements, connect() leases and open() not settled yet. */
  pending: number;
  connectsOk: number;
  connectsFailed: number;
  /** Closed for age (maxLifetimeSeconds). */
  recycled: number;
  /** Closed because broken or failed validation. */
  discarded: number;
  /** Closed as surplus (idleTimeoutMillis). */
  trimmed: number;
  /** Leases (connect()). */
  acquires: number;
  /** Statements and leases that got no connection within connectionTimeoutMillis. */
  acquireTimeouts: number;
  credential: CredentialStats;
}

/** One data point as the core reports it (lakebase_metric_point); the
 * names are the core's table's (docs/observability.md). */
export interface MetricPoint {
  /** Index in the core's metric table. */
  metric: number;
  name: string;
  attributes: Record<string, string>;
  /** Counters, up-down counters, gauges. */
  value: number;
  /** Histograms: observations, their sum when the core keeps one, the
   * bucket bounds and counts (bucketCounts.length = bounds.length + 1). */
  count?: number;
  sum?: number;
  bounds?: number[];
  bucketCounts?: number[];
}

/** Options of `new PoolSet()`: those of a pool, without an identity. */
export interface PoolSetOptions extends Omit<PoolOptions,
  'user' | 'password' | 'token' | 'clientId' | 'clientSecret' | 'tokenSource' | 'allowExitOnIdle'> {
  /** At most this many pools (identities) at once; the least recently used
   * idle one makes room. */
  maxPools: number;
  /** A pool idle this long is closed by the core. */
  idleEvictSeconds: number;
}

/** Who a per-user call runs as. */
export interface Identity {
  /** A stable, non-secret name of the user (x-forwarded-email): keys the pool. */
  user: string;
  /** Their current workspace token (x-forwarded-access-token); may be left
   * out for a user whose pool exists. */
  token?: string | null;
}

/** A pool set's counters: never per user. */
export interface PoolSetStats {
  /** Pools (identities) open now. */
  pools: number;
  poolsCreated: number;
  /** Closed after idleEvictSeconds unused. */
  evictedIdle: number;
  /** Closed to make room for another identity. */
  evictedFull: number;
  /** Calls refused: the set full and every pool in use. */
  rejected: number;
  /** Every pool's counters summed (evicted ones included), the providers'
   * in pool.credential. */
  pool: Omit<PoolStats, 'pending'>;
}

/**
 * Per-user pools for an app acting on behalf of each user: each identity
 * gets its own pool, minting with its own workspace token and logging in
 * as its own role, on connections no other user gets. Acquiring and
 * running statements block in the C library, so they run on the libuv
 * threadpool (never on the JS thread).
 */
export class PoolSet {
  constructor(options: PoolSetOptions);
  query<R = any>(who: Identity, text: string | QueryConfig, values?: unknown[]): Promise<QueryResult<R>>;
  /** Leases a connection of the identity's pool; release() it. */
  connect(who: Identity): Promise<PoolClient>;
  /** Closes every pool once calls in flight have settled; rejects with
   * EINVAL while a client is not released. */
  end(): Promise<void>;
  readonly ended: boolean;
  stats(): PoolSetStats;
  /** The core's data points for the set, named `name` (never per user). */
  metrics(name?: string): MetricPoint[];
}

/** The C library's error names (lakebase_error_name); test/errors.test.js
 * checks this list against the library's. */
export type ErrorCode =
  | 'EINVAL' | 'ENOMEM' | 'ECONFIG' | 'EAUTH' | 'EPERM' | 'ENOTFOUND' | 'EAPI'
  | 'ENETWORK' | 'ESERVER' | 'ETIMEOUT' | 'EPROTOCOL' | 'ECLOSED' | 'EHANDLE'
  | 'ECALLBACK' | 'ERANGE' | 'EINTERNAL' | 'ELOGIN' | 'ESQL' | 'ECONNECTION'
  | 'ECANCELED';

export class LakebaseError extends Error {
  constructor(code: ErrorCode | string, message: string,
              details?: { errno?: number; httpStatus?: number; sqlstate?: string; apiCode?: string });
  /** 'ECONFIG', 'ESQL'... as the C library names its codes. */
  readonly code: ErrorCode | string;
  /** The C library's LAKEBASE_E* value (negative). */
  readonly errno: number;
  /** HTTP status of the workspace API answer behind the error, or 0. */
  readonly httpStatus: number;
  /** PostgreSQL SQLSTATE, or ''. */
  readonly sqlstate: string;
  /** The workspace API's error_code, or ''. */
  readonly apiCode: string;
}

/** A connection leased by pool.connect(). */
export class PoolClient {
  private constructor();
  query<R = any>(text: string | QueryConfig, values?: unknown[]): Promise<QueryResult<R>>;
  /** Asks the server to cancel the running statement, which then rejects
   * with ECANCELED; resolves once the request is on its way. */
  cancel(): Promise<void>;
  /** Gives the connection back (an open transaction is rolled back). */
  release(): void;
}

export class Pool extends EventEmitter {
  constructor(options?: PoolOptions);
  /** One autocommit statement, completed on the JS thread. */
  query<R = any>(text: string | QueryConfig, values?: unknown[]): Promise<QueryResult<R>>;
  /** Opens `min` connections now; fails fast on a wrong identity, role or database. */
  open(): Promise<this>;
  /** Leases a connection for a transaction. */
  connect(): Promise<PoolClient>;
  /** Waits for pending statements, then closes every connection (without
   * blocking the JS thread); a lease still held then fails with ECLOSED. */
  end(): Promise<void>;
  readonly ended: boolean;
  stats(): PoolStats;
  /** The core's data points for the pool and its provider, named `name`. */
  metrics(name?: string): MetricPoint[];
  on(event: 'error', listener: (err: LakebaseError | Error) => void): this;
  /** A new credential was minted: the provider's counters right after (never the token). */
  on(event: 'refresh', listener: (credential: CredentialStats) => void): this;
}

/** The C library's version. */
export const libraryVersion: string;
