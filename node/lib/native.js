'use strict';
// Loads the addon once and hands it the error factory.
const addon = require('../build/Release/lakebase.node');
const { fromNative } = require('./errors');

addon.init({ makeError: fromNative });
module.exports = addon;
