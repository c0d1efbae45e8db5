'use strict';
// `npm install` hook: compiles the addon together with the C library's
// sources (deps/, see scripts/sources.js) with node-gyp, linking only system
// libraries: no installed liblakebase, no PKG_CONFIG_PATH. Stops first, with
// the apt-get line to run, when the toolchain or a -dev package is missing.
// Node headers come from the Node installation (<prefix>/include/node) when
// present, so node-gyp downloads nothing.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { ensureSources, manifest } = require('./sources');
const { checkSystemLibraries } = require('./system-libraries');

const packageDir = path.resolve(__dirname, '..');

function fail(message) {
  process.stderr.write(`\n@lakebase/connector: ${message}\n\n`);
  process.exit(1);
}

// Runs the given script of npm's own (node-gyp, npm) with this node when
// npm runs the hook, else the command on PATH.
function runTool(script, name, args, options = {}) {
  const r = script && /\.[cm]?js$/.test(script)
    ? spawnSync(process.execPath, [script, ...args], { cwd: packageDir, stdio: 'inherit', ...options })
    : spawnSync(name, args, { cwd: packageDir, stdio: 'inherit', ...options });
  if (r.status !== 0) fail(`${name} ${args[0]} failed (${r.error ? r.error.message : `exit status ${r.status}`})`);
}

// npm links a folder outside the project (`npm install ../node` with
// install-links off, the default since npm 10) without installing its
// dependencies, and the build needs node-addon-api's headers: install the
// locked version next to the package.
function ensureAddonApi() {
  try {
    require.resolve('node-addon-api', { paths: [packageDir] });
    return;
  } catch {
    // not installed: below
  }
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) =>
    !/^npm_(config|package|lifecycle)_/i.test(k) || /^npm_config_(cache|registry|userconfig)$/i.test(k)));
  process.stderr.write('@lakebase/connector: npm linked this folder without its dependencies; ' +
    `installing node-addon-api into ${packageDir}/node_modules for the build\n`);
  const npmCli = /npm-cli\.[cm]?js$/.test(process.env.npm_execpath || '') ? process.env.npm_execpath : '';
  runTool(npmCli, 'npm',
    ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { env });
}

function nodeGypArgs() {
  const args = ['rebuild'];
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  if (!process.env.npm_config_nodedir &&
      fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) {
    args.push(`--nodedir=${prefix}`);
  }
  if (!process.env.JOBS && !process.env.npm_config_jobs) args.push('--jobs=max');
  return args;
}

try {
  ensureSources();
  checkSystemLibraries(manifest());
} catch (e) {
  fail(e.message);
}
ensureAddonApi();
runTool(process.env.npm_config_node_gyp, 'node-gyp', nodeGypArgs());
