'use strict';
// The build needs a C/C++ toolchain and, through pkg-config, the system
// libraries the C library links (manifest.json: libcurl, libpq, openssl,
// libcjson). Checked before compiling, so a missing -dev package stops the
// install with the apt-get line that fixes it rather than a compiler error.
const { spawnSync } = require('node:child_process');

function found(command, args) {
  const r = spawnSync(command, args, { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

/** Debian packages to install, or [] when everything is there. */
function missingPackages(manifest) {
  const missing = [];
  if (!found('cc', ['--version']) || !found('c++', ['--version']) || !found('make', ['--version'])) {
    missing.push('build-essential');
  }
  if (!found('python3', ['--version'])) missing.push('python3');
  if (!found('pkg-config', ['--version'])) {
    return [...missing, 'pkg-config', ...manifest.pkg_config.map((m) => m.debian_package)];
  }
  for (const { module, debian_package: pkg } of manifest.pkg_config) {
    if (!found('pkg-config', ['--exists', module])) missing.push(pkg);
  }
  return missing;
}

/** Throws with the install command when something is missing. */
function checkSystemLibraries(manifest) {
  const missing = missingPackages(manifest);
  if (missing.length === 0) return;
  const sudo = process.getuid && process.getuid() === 0 ? '' : 'sudo ';
  throw new Error(
    'the addon compiles the liblakebase C sources against system libraries, and these ' +
      `Debian packages are missing: ${missing.join(' ')}.\n` +
      'Install them, then run npm install again:\n' +
      `  ${sudo}apt-get install ${missing.join(' ')}`);
}

module.exports = { checkSystemLibraries };
