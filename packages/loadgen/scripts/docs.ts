/**
 * Regenerates the parts of README.md that come from code: the flag table (from src/cli/flags.ts) and the
 * exit statuses (from src/errors.ts), between their `<!-- generated:… -->` markers.
 * Usage: node scripts/docs.ts (or `pnpm --filter @tock/loadgen run docs`). A test fails when they are stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderExitTable, renderFlagTable } from '../src/cli/help.ts';

const file = new URL('../README.md', import.meta.url);
let text = readFileSync(file, 'utf8');
for (const [name, body] of [
  ['flags', renderFlagTable()],
  ['exit-statuses', renderExitTable()],
] as const) {
  const re = new RegExp(`(<!-- generated:${name} -->)[\\s\\S]*?(<!-- /generated:${name} -->)`);
  if (!re.test(text)) throw new Error(`README.md has no <!-- generated:${name} --> section`);
  text = text.replace(re, (_, open: string, close: string) => `${open}\n${body}\n${close}`);
}
writeFileSync(file, text);
