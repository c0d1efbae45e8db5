'use strict';
// The shared conformance scenarios (tests/conformance/scenarios), one
// subtest per file, each run by test/conformance/runner.js in a process of
// its own. The package is tested from a copy (build/node-pkg), so the
// scenarios directory comes from LAKEBASE_CONFORMANCE_DIR or the checkout.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const envFile = process.env.LAKEBASE_EMULATOR_ENV_FILE;
const dir = process.env.LAKEBASE_CONFORMANCE_DIR ||
  path.join(__dirname, '..', '..', 'tests', 'conformance', 'scenarios');
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];

test('conformance scenarios are found', { skip: !envFile && 'no emulator' }, () => {
  assert.ok(files.length > 0, `no scenarios in ${dir}`);
});

for (const f of files) {
  test(`conformance ${f.replace(/\.json$/, '')}`, { skip: !envFile && 'no emulator' }, () => {
    const r = spawnSync(process.execPath,
      [path.join(__dirname, 'conformance', 'runner.js'), '--env-file', envFile, path.join(dir, f)],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = r.stdout.trim().split('\n');
    assert.strictEqual(r.status, 0, r.stdout);
    assert.match(lines[0], /^ok /, r.stdout);
  });
}
