#!/usr/bin/env node
// Launcher for the `jit` command: runs the compiled CLI from dist/. A checkout
// must be built first (`npm run build`); say so plainly instead of a stack trace.
'use strict';

const path = require('node:path');

const main = path.join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
let cli;
try {
  cli = require(main);
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).includes(main)) {
    console.error(
      'error cli.not_built: jit is not built yet; run `npm run build` in the project first',
    );
    process.exit(1);
  }
  throw error;
}
cli.run(process.argv).then((code) => {
  process.exitCode = code;
});
