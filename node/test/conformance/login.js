'use strict';
// One Postgres login (TLS) and SELECT current_user, with node-postgres (a
// dependency of the package's tests already): { role } or { err } carrying
// the server's SQLSTATE and message.
const fs = require('node:fs');
const pg = require('pg');

function ssl(sslmode, rootcert) {
  if (sslmode === 'disable') return false;
  const ca = rootcert ? fs.readFileSync(rootcert) : undefined;
  // As libpq: with a root certificate `require` verifies the chain;
  // verify-full also checks the host name.
  if (sslmode === 'verify-full') return { ca, rejectUnauthorized: true };
  if (ca || sslmode === 'verify-ca') return { ca, rejectUnauthorized: true, checkServerIdentity: () => undefined };
  return { rejectUnauthorized: false };
}

async function login(p, rootcert) {
  const client = new pg.Client({
    host: p.host, port: Number(p.port), user: p.user, password: p.password,
    database: p.database, ssl: ssl(p.sslmode, rootcert), connectionTimeoutMillis: 15000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    const r = await client.query('SELECT current_user AS u');
    return { role: r.rows[0].u };
  } catch (e) {
    return { err: { code: 'ELOGIN', sqlstate: e.code || '', message: e.message, apiCode: '', httpStatus: 0 } };
  } finally {
    await client.end().catch(() => {});
  }
}

module.exports = { login };
