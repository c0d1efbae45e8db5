'use strict';
// The one table from the C library's LAKEBASE_E* codes to the names
// LakebaseError.code carries (the conformance scenarios spell them so too).
const CODES = Object.freeze({
  [-1]: 'EINVAL',
  [-2]: 'ENOMEM',
  [-3]: 'ECONFIG',
  [-4]: 'EAUTH',
  [-5]: 'EPERM',
  [-6]: 'ENOTFOUND',
  [-7]: 'EAPI',
  [-8]: 'ENETWORK',
  [-9]: 'ESERVER',
  [-10]: 'ETIMEOUT',
  [-11]: 'EPROTOCOL',
  [-12]: 'ECLOSED',
  [-13]: 'EHANDLE',
  [-14]: 'ECALLBACK',
  [-15]: 'ERANGE',
  [-16]: 'EINTERNAL',
  [-17]: 'ELOGIN',
  [-18]: 'ESQL',
  [-19]: 'ECONNECTION',
  [-20]: 'ECANCELED',
});

const NUMBERS = Object.freeze(
  Object.fromEntries(Object.entries(CODES).map(([n, name]) => [name, Number(n)])),
);

class LakebaseError extends Error {
  /**
   * @param {string} code  'ECONFIG', 'ESQL'... ('E<n>' for a code newer than this package)
   * @param {string} message
   * @param {{errno?: number, httpStatus?: number, sqlstate?: string, apiCode?: string}} [details]
   */
  constructor(code, message, details = {}) {
    super(message);
    this.name = 'LakebaseError';
    this.code = code;
    this.errno = details.errno ?? NUMBERS[code] ?? 0;
    this.httpStatus = details.httpStatus || 0;
    this.sqlstate = details.sqlstate || '';
    this.apiCode = details.apiCode || '';
  }
}

// Called by the addon for every failure of the C library.
function fromNative(errno, message, httpStatus, sqlstate, apiCode) {
  const code = CODES[errno] || `E${errno}`;
  return new LakebaseError(code, message, { errno, httpStatus, sqlstate, apiCode });
}

module.exports = { LakebaseError, fromNative, CODES };
