import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ServerOptionsSchema } from '../options.ts';
import { FLAGS } from './flags.ts';
import { renderFlagTable, renderHelp, updateGeneratedSections } from './help.ts';

describe('the flag table', () => {
  it('documents the defaults the options schema applies', () => {
    const defaults = ServerOptionsSchema.parse({}) as Record<string, unknown>;
    for (const flag of FLAGS) {
      if (flag.target === undefined || flag.name === 'time-zone') continue;
      const [head, tail] = flag.target.path;
      const value = tail === undefined ? defaults[head] : (defaults[head] as Record<string, unknown>)[tail];
      expect(`--${flag.name} ${String(value)}`).toBe(`--${flag.name} ${flag.default}`);
    }
  });

  it('gives every value flag a target, an allowed text and a default', () => {
    for (const flag of FLAGS.filter((f) => f.type === 'string')) {
      expect(flag.target, flag.name).toBeDefined();
      expect(flag.allowed, flag.name).toBeDefined();
      expect(flag.default, flag.name).toBeDefined();
    }
  });

  it('is in the README exactly (run `pnpm --filter @tock/server run docs` after changing it)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(renderFlagTable());
    expect(updateGeneratedSections(readme)).toBe(readme);
  });

  it('gives --help lines of at most 100 columns', () => {
    for (const line of renderHelp('1.2.3').split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
  });
});
