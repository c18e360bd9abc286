// Regenerates the flag, exit status and error code tables of README.md from src/cli/flags.ts and
// src/errors.ts. Run with `pnpm --filter @tock/server run docs`; src/cli/help.test.ts fails when they are stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { updateGeneratedSections } from '../src/cli/help.ts';

const path = new URL('../README.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = updateGeneratedSections(before);
if (after !== before) writeFileSync(path, after);
console.log(after === before ? 'README.md is up to date' : 'README.md updated');
