// Regenerates the flag and exit status tables of README.md from src/cli/flags.ts and src/errors.ts.
// Run with `pnpm --filter @tock/loadgen run docs`; src/cli/cli.test.ts fails when they are stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { updateGeneratedSections } from '@tock/cli-kit';
import { README_SECTIONS } from '../src/cli/help.ts';

const path = new URL('../README.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = updateGeneratedSections(before, README_SECTIONS);
if (after !== before) writeFileSync(path, after);
console.log(after === before ? 'README.md is up to date' : 'README.md updated');
