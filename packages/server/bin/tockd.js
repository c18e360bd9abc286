#!/usr/bin/env node
// tockd: the built CLI does the work; see src/cli/main.ts.
import { main } from '../dist/cli.mjs';

process.exitCode = await main(process.argv.slice(2));
