'use strict';
const { EventEmitter } = require('node:events');
const native = require('./native');
const { LakebaseError } = require('./errors');
const { toCore, withOptionNames } = require('./options');
const { toParams } = require('./values');

// pool.query(text, values) or pool.query({ text, values }).
function statement(text, values) {
  if (text !== null && typeof text === 'object') return [text.text, toParams(text.values)];
  if (typeof text !== 'string') throw new TypeError('query text must be a string');
  return [text, toParams(values)];
}

const closedError = () => new LakebaseError('ECLOSED', 'the pool is ended');

/** A connection leased with pool.connect(); give it back with release(). */
class PoolClient {
  #native;
  #int8;
  #released = false;

  constructor(client, int8) {
    this.#native = client;
    this.#int8 = int8;
  }

  /** Runs one statement on this connection (queued ones run in order). */
  query(text, values) {
    if (this.#released) return Promise.reject(closedError());
    try {
      const [sql, params] = statement(text, values);
      return this.#native.query(sql, params, this.#int8);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Asks the server to cancel the statement running on this connection; it
   * then rejects with ECANCELED (unless it finished first). Resolves once
   * the request is on its way (sent from a core worker thread).
   */
  cancel() {
    if (this.#released) return Promise.reject(closedError());
    return this.#native.cancel();
  }

  /**
   * Returns the connection to the pool; statements already queued on it
   * still run, then an open transaction is rolled back.
   */
  release() {
    if (this.#released) return;
    this.#released = true;
    this.#native.release();
  }
}

class Pool extends EventEmitter {
  #native;
  #config;
  #int8;
  #ending = null;

  /** @param {import('../index').PoolOptions} [options] */
  constructor(options = {}) {
    super();
    const o = toCore(options);
    this.#config = o;
    this.#int8 = o.int8;
    this.#native = this.#make();
    // The core calls back on the JS thread after each new credential, only
    // while someone listens.
    this.on('newListener', (event) => {
      if (event === 'refresh' && this.listenerCount('refresh') === 0 && !this.#ending) {
        this.#native.onRefresh((stats) => this.emit('refresh', stats));
      }
    });
    this.on('removeListener', (event) => {
      if (event === 'refresh' && this.listenerCount('refresh') === 0 && !this.#ending) {
        this.#native.onRefresh(null);
      }
    });
  }

  #make() {
    const o = this.#config;
    return withOptionNames(o.names, () =>
      new native.Pool(o.pairs, o.dsn, {
        keepAlive: !o.allowExitOnIdle, tokenSource: o.tokenSource, onSpan: o.onSpan,
      }, (err) => {
        if (this.listenerCount('error') > 0) this.emit('error', err);
      }));
  }

  /** Runs one autocommit statement; resolves to { rows, rowCount, fields, command }. */
  query(text, values) {
    if (this.#ending) return Promise.reject(closedError());
    let args;
    try {
      args = statement(text, values);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#native.query(args[0], args[1], this.#int8);
  }

  /**
   * Opens min connections now and fails fast on a wrong identity, role or
   * database; resolves once they are ready (completed on the JS thread).
   */
  async open() {
    if (this.#ending) throw closedError();
    await this.#native.open();
    return this;
  }

  /**
   * Leases a connection of the caller's own, for a transaction: one of the
   * pool's connections (counted in `max`), handed over on the JS thread
   * without blocking once it is free.
   */
  async connect() {
    if (this.#ending) throw closedError();
    return new PoolClient(await this.#native.acquire(), this.#int8);
  }

  /**
   * Waits for pending statements and lease requests, then closes every
   * connection and handle without blocking the JS thread; resolves once all
   * are closed (a lease still held then fails with ECLOSED).
   */
  end() {
    if (!this.#ending) {
      this.#ending = this.#native.drain().then(() => this.#native.close());
    }
    return this.#ending;
  }

  get ended() {
    return this.#ending !== null;
  }

  /** Counters of the pool and its credential provider. */
  stats() {
    return this.#native.stats();
  }

  /** The core's data points for the pool, named `name` (lib/otel.js exports them). */
  metrics(name) {
    return this.#native.metrics(name);
  }
}

module.exports = { Pool, PoolClient, statement };
