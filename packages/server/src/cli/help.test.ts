import { readFileSync } from 'node:fs';
import { takesValue } from '@tock/cli-kit';
import { describe, expect, it } from 'vitest';
import { ServerOptionsSchema } from '../options.ts';
import { envName, FLAGS } from './flags.ts';
import { renderFlagTable, renderHelp, updateGeneratedSections } from './help.ts';
import { parseCommandLine } from './parse.ts';

/** A default as the flag table writes it. */
function asDocumented(value: unknown): string {
  if (value === undefined) return 'none';
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

describe('the flag table', () => {
  it('documents the defaults the options schema applies', () => {
    const defaults = ServerOptionsSchema.parse({}) as Record<string, unknown>;
    for (const flag of FLAGS) {
      if (flag.path === undefined || flag.name === 'time-zone') continue;
      const [head, tail] = flag.path;
      const value = tail === undefined ? defaults[head] : (defaults[head] as Record<string, unknown>)[tail];
      expect(`--${flag.name} ${asDocumented(value)}`).toBe(`--${flag.name} ${flag.default}`);
    }
  });

  it('gives every value flag an allowed text and a default, and every option flag a path', () => {
    for (const flag of FLAGS.filter(takesValue)) {
      expect(flag.allowed, flag.name).toBeDefined();
      if (flag.name === 'config') continue;
      expect(flag.path, flag.name).toBeDefined();
      expect(flag.default, flag.name).toBeDefined();
    }
  });

  it('reaches every top-level option of the schema from a flag or the config file only', () => {
    const flagged = new Set(FLAGS.flatMap((f) => (f.path === undefined ? [] : [f.path[0]])));
    expect(Object.keys(ServerOptionsSchema.shape).filter((k) => !flagged.has(k))).toEqual([]);
  });

  it('has environment variables named after the flags, all accepted', () => {
    expect(FLAGS.filter((f) => f.path !== undefined).map((f) => f.env)).toContain('TOCK_RATE_LIMIT_EXEMPT');
    for (const flag of FLAGS)
      expect(flag.env).toBe(flag.path === undefined && flag.name !== 'config' ? undefined : envName(flag));
    const env = Object.fromEntries(
      FLAGS.filter((f) => f.path !== undefined && f.name !== 'time-zone').map((f) => [
        envName(f),
        f.type === 'boolean' ? 'false' : f.default === 'none' ? '9123' : f.default!,
      ]),
    );
    const command = parseCommandLine([], { env });
    expect(command).toMatchObject({ kind: 'serve', warnings: [] });
    expect(command.kind === 'serve' && command.settings).toEqual({
      ...ServerOptionsSchema.parse({}),
      metrics: { host: '127.0.0.1', port: 9123 },
    });
  });

  it('is in the README exactly (run `pnpm --filter @tock/server run docs` after changing it)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(renderFlagTable());
    expect(updateGeneratedSections(readme)).toBe(readme);
  });

  it('gives --help lines of at most 100 columns, with every flag and its environment variable', () => {
    const help = renderHelp('1.2.3');
    for (const line of help.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
    for (const flag of FLAGS) expect(help).toContain(`--${flag.name}`);
    expect(help).toContain('Env: TOCK_CLOCK_OFFSET.');
  });
});
