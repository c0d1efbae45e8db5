'use strict';
// Per-user pools (PoolSet) over the core's keyed pool set
// (lakebase_user_pools_*): for an app acting on behalf of each user, as
// Databricks Apps forward the user's workspace token. The core makes one
// pool per identity, mints with that identity's token, logs in as its own
// role, bounds the number of pools and evicts idle ones; this module only
// maps arguments.
const native = require('./native');
const { LakebaseError } = require('./errors');
const { toCore, withOptionNames } = require('./options');
const { PoolClient, statement } = require('./pool');

const closedError = () => new LakebaseError('ECLOSED', 'the pool set is ended');

// { user, token } -> [key, token | null]
function identity(who) {
  if (who === null || typeof who !== 'object' || typeof who.user !== 'string' || who.user === '') {
    throw new LakebaseError('EINVAL', 'name the identity as { user, token }: user a stable, non-secret '
      + 'name of the user (x-forwarded-email), token their workspace token (x-forwarded-access-token)');
  }
  if (who.token !== undefined && who.token !== null && typeof who.token !== 'string') {
    throw new LakebaseError('EINVAL', 'the identity\'s token must be a string (the forwarded workspace token)');
  }
  return [who.user, who.token ?? null];
}

function positive(name, v) {
  if (!Number.isInteger(v) || v < 1) {
    throw new LakebaseError('ECONFIG', `option "${name}": give a whole number of at least 1`);
  }
  return v;
}

class PoolSet {
  #native;
  #int8;
  #ending = null;

  /** @param {import('../index').PoolSetOptions} options */
  constructor(options = {}) {
    const { maxPools, idleEvictSeconds, ...poolOptions } = options ?? {};
    if ('tokenSource' in poolOptions) {
      throw new LakebaseError('ECONFIG', 'option "tokenSource": a pool set takes each user\'s token with '
        + 'each call (set.query({ user, token }, ...))');
    }
    const o = toCore(poolOptions);
    this.#int8 = o.int8;
    this.#native = withOptionNames(o.names, () => new native.PoolSet(o.pairs, o.dsn,
      positive('maxPools', maxPools), positive('idleEvictSeconds', idleEvictSeconds), o.onSpan));
  }

  /** One autocommit statement on a connection of the identity's own pool. */
  query(who, text, values) {
    if (this.#ending) return Promise.reject(closedError());
    try {
      const [key, token] = identity(who);
      const [sql, params] = statement(text, values);
      return this.#native.query(key, token, sql, params, this.#int8);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Leases a connection of the identity's own pool, for a transaction. */
  async connect(who) {
    if (this.#ending) throw closedError();
    const [key, token] = identity(who);
    return new PoolClient(await this.#native.acquire(key, token), this.#int8);
  }

  /**
   * Ends the calls still waiting for a connection with ECLOSED at once and
   * refuses new ones, then closes every pool once the calls in flight have
   * settled. Every client from connect() must have been released by then
   * (otherwise it rejects with EINVAL: release them and call end() again).
   */
  end() {
    if (!this.#ending) {
      this.#ending = this.#native.close().catch((e) => {
        this.#ending = null;
        throw e;
      });
    }
    return this.#ending;
  }

  get ended() {
    return this.#ending !== null;
  }

  /** The set's counters (never per user); the last ones after end(). */
  stats() {
    return this.#native.stats();
  }

  /** The core's data points for the set, named `name` (lib/otel.js exports them). */
  metrics(name) {
    return this.#native.metrics(name);
  }
}

module.exports = { PoolSet };
