/**
 * Writes the output of `tock --help` (generated from the flag table in src/cli/options.ts) into README.md,
 * between "```text\n$ tock --help\n" and the closing fence. Run: `pnpm --filter @tock/client run docs`.
 * The test "is in the README exactly" in src/cli/options.test.ts fails when this has not been run.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderHelp } from '../src/cli/options.ts';

const file = new URL('../README.md', import.meta.url);
const readme = readFileSync(file, 'utf8');
const start = '```text\n$ tock --help\n';
const from = readme.indexOf(start);
const to = readme.indexOf('```', from + start.length);
if (from < 0 || to < 0) throw new Error(`README.md has no block starting with ${JSON.stringify(start)}`);
const updated = `${readme.slice(0, from + start.length)}${renderHelp()}${readme.slice(to)}`;
if (updated !== readme) writeFileSync(file, updated);
console.log(updated === readme ? 'README.md is up to date' : 'README.md updated');
