'use strict';
const { Pool, PoolClient } = require('./lib/pool');
const { PoolSet } = require('./lib/pool_set');
const { LakebaseError } = require('./lib/errors');
const { version } = require('./lib/native');

module.exports = { Pool, PoolClient, PoolSet, LakebaseError, libraryVersion: version };
