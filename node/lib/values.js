'use strict';
// Statement parameters to PostgreSQL text, as node-postgres does.

function toText(v) {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(v);
    default:
      break;
  }
  if (v instanceof Date) return v.toISOString();
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return `\\x${Buffer.from(v).toString('hex')}`;
  return JSON.stringify(v);
}

function toParams(values) {
  if (values === undefined || values === null) return undefined;
  if (!Array.isArray(values)) throw new TypeError('query values must be an array');
  return values.map(toText);
}

module.exports = { toParams };
