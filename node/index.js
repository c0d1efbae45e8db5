'use strict';
const { Pool, PoolClient } = require('./lib/pool');
const { LakebaseError } = require('./lib/errors');
const { version } = require('./lib/native');

module.exports = { Pool, PoolClient, LakebaseError, libraryVersion: version };
