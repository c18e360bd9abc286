#!/usr/bin/env node
// The `tock` command: a thin launcher for the built CLI (src/cli/main.ts), which turns every outcome into
// an exit status.
import { main } from '../dist/cli.mjs';

process.exitCode = await main(process.argv.slice(2));
