import { describe, expect, it } from 'vitest';
import { CLI_REFERENCE } from './main.ts';
import { EXIT_STATUSES, FLAGS, renderHelp } from './options.ts';

describe('CLI_REFERENCE', () => {
  it('lists every flag of the table the parser reads, in order, with its short form and description', () => {
    expect(CLI_REFERENCE.flags.map((f) => f.long)).toEqual(FLAGS.map((s) => `--${s.name}`));
    for (const [i, spec] of FLAGS.entries()) {
      const flag = CLI_REFERENCE.flags[i]!;
      expect(flag.short).toBe(spec.short === undefined ? undefined : `-${spec.short}`);
      expect(flag.description).toBe(spec.description);
      expect(flag.value === undefined).toBe(spec.type === 'boolean');
    }
  });

  it('gives the defaults and allowed values the parser applies', () => {
    const byLong = new Map(CLI_REFERENCE.flags.map((f) => [f.long, f]));
    expect(byLong.get('--protocol')).toMatchObject({ default: 'ntp', allowed: 'one of text, json, ntp' });
    expect(byLong.get('--timeout')).toMatchObject({ default: '1000', allowed: 'a number from 1 to 600000' });
    expect(byLong.get('--port')).toMatchObject({ allowed: 'an integer from 1 to 65535' });
    expect(byLong.get('--json')?.default).toBeUndefined();
    expect(byLong.get('--version')).toMatchObject({ short: '-V' });
  });

  it('has every exit status, and the usage and summary the help prints', () => {
    expect(CLI_REFERENCE.exitCodes.map((e) => e.code)).toEqual(EXIT_STATUSES.map((e) => e.code));
    expect(CLI_REFERENCE.exitCodes.map((e) => e.code)).toEqual([0, 1, 2, 70, 130]);
    const help = renderHelp();
    expect(help).toContain(`\nUsage: ${CLI_REFERENCE.usage}\n`);
    expect(help.replaceAll('\n', ' ')).toContain(CLI_REFERENCE.summary);
  });
});
