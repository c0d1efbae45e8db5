#!/usr/bin/env node
'use strict';
// The Node runner of the shared conformance scenarios
// (tests/conformance/README.md): RUNNER [-v] --env-file FILE scenario.json...
// Each scenario runs in a child process of its own (providers linger
// process-wide); the child is this file with --child.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

function parseEnvFile(file) {
  const env = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2].trim();
    // POSIX single quotes, with the '\'' idiom for an embedded quote.
    let out = '';
    while (v.length) {
      if (v[0] === "'") {
        const end = v.indexOf("'", 1);
        out += v.slice(1, end < 0 ? undefined : end);
        v = end < 0 ? '' : v.slice(end + 1);
      } else if (v[0] === '"') {
        const end = v.indexOf('"', 1);
        out += v.slice(1, end < 0 ? undefined : end);
        v = end < 0 ? '' : v.slice(end + 1);
      } else if (v[0] === '\\' && v.length > 1) {
        out += v[1];
        v = v.slice(2);
      } else {
        out += v[0];
        v = v.slice(1);
      }
    }
    env[m[1]] = out;
  }
  return env;
}

function main(argv) {
  let verbose = false;
  let envFile = null;
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '-v') verbose = true;
    else if (argv[i] === '--env-file') envFile = argv[++i];
    else files.push(argv[i]);
  }
  if (!envFile || files.length === 0) {
    process.stderr.write('usage: runner.js [-v] --env-file FILE scenario.json...\n');
    return 2;
  }
  let passed = 0, failed = 0, skipped = 0;
  for (const file of files) {
    const name = path.basename(file).replace(/\.json$/, '');
    try {
      JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      console.log(`FAIL ${file}: not a scenario: ${e.message}`);
      failed++;
      continue;
    }
    // Every step completes on the JS thread (credential mints come back
    // from the core's workers): the libuv threadpool is never needed.
    const r = spawnSync(process.execPath, [__filename, '--child', verbose ? '-v' : '', envFile, file], {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
      timeout: 300000,
    });
    let line = (r.stdout || '').trim().split('\n').filter(Boolean).pop() || '';
    if (r.signal || !/^(ok|FAIL|skip) /.test(line)) {
      line = `FAIL ${name}: crashed (${r.signal ? 'signal ' + r.signal : 'exit ' + r.status})`;
    }
    console.log(line);
    if (line.startsWith('ok ')) passed++;
    else if (line.startsWith('skip ')) skipped++;
    else failed++;
  }
  console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));
  if (failed) return 1;
  if (skipped === files.length) return 77;
  return 0;
}

if (process.argv[2] === '--child') {
  const [, , , v, envFile, file] = process.argv;
  const { runScenario } = require('./scenario');
  runScenario(parseEnvFile(envFile), file, v === '-v').then((line) => {
    process.stdout.write(line + '\n', () => process.exit(0));
  }, (e) => {
    process.stdout.write(`FAIL ${path.basename(file, '.json')}: crashed (${e && e.stack})\n`, () => process.exit(1));
  });
} else if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}

module.exports = { parseEnvFile, main };
