'use strict';
// Prints what binding.gyp needs from the source distribution's manifest, one
// item per line, so the gyp build compiles with the same files and flags as
// the CMake build:
//   node scripts/gyp.js sources|defines|cflags|pkg-cflags|libs
const { spawnSync } = require('node:child_process');
const { manifest } = require('./sources');

function pkgConfig(flag, modules) {
  const r = spawnSync('pkg-config', [flag, ...modules], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(`pkg-config ${flag} ${modules.join(' ')} failed: ${r.stderr || r.error}`);
  }
  return r.stdout.trim().split(/\s+/).filter(Boolean);
}

const m = manifest();
const modules = m.pkg_config.map((d) => d.module);
const items = {
  sources: () => m.sources.map((s) => `deps/${s}`),
  defines: () => m.defines,
  cflags: () => m.cflags,
  'pkg-cflags': () => pkgConfig('--cflags', modules),
  libs: () => [...pkgConfig('--libs', modules), ...m.libs],
}[process.argv[2]];
if (!items) {
  process.stderr.write('usage: node scripts/gyp.js sources|defines|cflags|pkg-cflags|libs\n');
  process.exit(2);
}
process.stdout.write(`${items().join('\n')}\n`);
