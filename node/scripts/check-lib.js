'use strict';
// Runs before `npm install` builds the addon: the build links against an
// installed liblakebase found through pkg-config. Fail here with the fix
// rather than in the middle of a compiler error.
const { spawnSync } = require('node:child_process');

const r = spawnSync('pkg-config', ['--modversion', 'lakebase'], { encoding: 'utf8' });
if (r.error || r.status !== 0) {
  const why = r.error ? 'pkg-config is not installed' : 'pkg-config cannot find lakebase.pc';
  process.stderr.write(
    `\n@lakebase/connector: ${why}.\n` +
      'The addon links against the liblakebase C library. Install it, then retry:\n' +
      '  cmake -S <lakebase checkout> -B build && cmake --build build\n' +
      '  cmake --install build --prefix $HOME/.local\n' +
      '  export PKG_CONFIG_PATH=$HOME/.local/lib/pkgconfig\n' +
      '  npm install\n' +
      '(the addon records the library directory as an rpath; no LD_LIBRARY_PATH needed)\n\n',
  );
  process.exit(1);
}
// The addon drives the pool through the event-loop leases and refresh
// callback that liblakebase 0.2 added.
const NEEDED = '0.2.0';
const atLeast = spawnSync('pkg-config', [`--atleast-version=${NEEDED}`, 'lakebase']);
if (atLeast.status !== 0) {
  process.stderr.write(
    `\n@lakebase/connector: liblakebase ${r.stdout.trim()} is installed; this package needs ` +
      `${NEEDED} or newer.\nRebuild and reinstall the library from a newer checkout ` +
      '(cmake --build build && cmake --install build --prefix <prefix>), then retry npm install.\n\n',
  );
  process.exit(1);
}
