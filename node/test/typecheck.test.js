'use strict';
// The TypeScript example compiles against index.d.ts / pg.d.ts.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

test('the TypeScript example type-checks (tsc --noEmit)', () => {
  const tsc = require.resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath,
    [tsc, '-p', path.join(__dirname, '..', 'examples', 'tsconfig.json'), '--noEmit'],
    { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
