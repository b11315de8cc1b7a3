#!/usr/bin/env node
// Entry point installed as `outgate`: runs the compiled CLI (built by `npm run build`, which `npm ci` runs).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
