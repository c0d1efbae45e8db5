'use strict';
// The C library's sources the addon compiles: deps/, a copy of the
// repository's source distribution (scripts/source-dist.cmake) with its
// manifest.json (sources, flags, pkg-config modules; see
// docs/source-distribution.md). In a checkout it is written from ../core,
// ../bindings and ../include, so it never goes stale; a packed package
// carries it.
//
//   node scripts/sources.js      (the prepare hook: npm pack, a folder install)
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const packageDir = path.resolve(__dirname, '..');
const depsDir = path.join(packageDir, 'deps');
const distScript = path.join(packageDir, '..', 'scripts', 'source-dist.cmake');

/** True in the repository's node/ (as opposed to an unpacked package). */
function inCheckout() {
  return fs.existsSync(distScript);
}

/** Writes deps/ from the checkout; a package outside one must carry it. */
function ensureSources() {
  if (inCheckout()) {
    const r = spawnSync('cmake', [`-DOUT=${depsDir}`, '-P', distScript], { encoding: 'utf8' });
    if (r.error || r.status !== 0) {
      const why = r.error ? 'cmake is not installed (apt-get install cmake)' : r.stderr.trim();
      throw new Error(`cannot write the C sources into ${depsDir}: ${why}`);
    }
  } else if (!fs.existsSync(path.join(depsDir, 'manifest.json'))) {
    throw new Error(`${depsDir}/manifest.json is missing: this copy of the package was packed ` +
      'without the C sources; pack it with npm pack from the repository\'s node/ directory');
  }
}

/** The source distribution's manifest.json. */
function manifest() {
  return JSON.parse(fs.readFileSync(path.join(depsDir, 'manifest.json'), 'utf8'));
}

module.exports = { ensureSources, manifest, depsDir };

if (require.main === module) {
  try {
    ensureSources();
  } catch (e) {
    process.stderr.write(`@lakebase/connector: ${e.message}\n`);
    process.exit(1);
  }
}
