'use strict';
module.exports = require('./lib/otel');
