// Regenerates the flag, exit status and error code tables of README.md from src/cli/options.ts and
// src/errors.ts. Run with `pnpm --filter @tock/client run docs`; src/cli/options.test.ts fails when they are stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { updateGeneratedSections } from '@tock/cli-kit';
import { README_SECTIONS } from '../src/cli/readme.ts';

const path = new URL('../README.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = updateGeneratedSections(before, README_SECTIONS);
if (after !== before) writeFileSync(path, after);
console.log(after === before ? 'README.md is up to date' : 'README.md updated');
