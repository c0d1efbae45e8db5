'use strict';
// LakebaseError. The names of the C library's LAKEBASE_E* codes come from
// the library itself (lakebase_error_name and its reverse, through the
// addon): this package keeps no table of its own.

// The addon loads after this module (lib/native.js hands it fromNative), so
// it is looked up when an error is made, not when this module loads.
const errnoOf = (name) => require('./native').errorCode(name) ?? 0;

class LakebaseError extends Error {
  /**
   * @param {string} code  'ECONFIG', 'ESQL'... as the C library names them
   * @param {string} message
   * @param {{errno?: number, httpStatus?: number, sqlstate?: string, apiCode?: string}} [details]
   */
  constructor(code, message, details = {}) {
    super(message);
    this.name = 'LakebaseError';
    this.code = code;
    this.errno = details.errno ?? errnoOf(code);
    this.httpStatus = details.httpStatus || 0;
    this.sqlstate = details.sqlstate || '';
    this.apiCode = details.apiCode || '';
  }
}

// Called by the addon for every failure of the C library, with the code's
// name from the library.
function fromNative(code, errno, message, httpStatus, sqlstate, apiCode) {
  return new LakebaseError(code, message, { errno, httpStatus, sqlstate, apiCode });
}

module.exports = { LakebaseError, fromNative };
