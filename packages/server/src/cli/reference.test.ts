import { describe, expect, it } from 'vitest';
import { envName, FLAGS } from './flags.ts';
import { EXIT_STATUSES, renderHelp } from './help.ts';
import { CLI_REFERENCE } from './main.ts';

describe('CLI_REFERENCE', () => {
  it('lists every flag of the table the parser reads, in order, with its description and section', () => {
    expect(CLI_REFERENCE.flags.map((f) => f.long)).toEqual(FLAGS.map((f) => `--${f.name}`));
    for (const [i, flag] of FLAGS.entries()) {
      const ref = CLI_REFERENCE.flags[i]!;
      expect(ref.description).toBe(flag.description);
      expect(ref.section).toBe(flag.section);
      expect(ref.value === undefined).toBe(flag.type === 'boolean');
      if (flag.path !== undefined) expect(ref.env).toBe(envName(flag));
      expect(ref.configKey).toBe(flag.path?.join('.'));
    }
  });

  it('gives the defaults and allowed values the help prints', () => {
    const byLong = new Map(CLI_REFERENCE.flags.map((f) => [f.long, f]));
    expect(byLong.get('--port')).toMatchObject({ value: 'PORT', default: '5005', env: 'TOCK_PORT' });
    expect(byLong.get('--host')?.allowed).toContain('127.0.0.1');
  });

  it('has every exit status, and the usage and summary the help prints', () => {
    expect(CLI_REFERENCE.exitCodes.map((e) => e.code)).toEqual(EXIT_STATUSES.map((e) => e.code));
    expect(CLI_REFERENCE.exitCodes.map((e) => e.code)).toEqual([0, 1, 2, 70]);
    expect(CLI_REFERENCE.exitCodes.find((e) => e.code === 70)?.errors).toEqual(['WORKER_FAILED']);
    const help = renderHelp('1.2.3');
    expect(help).toContain(`\nUsage: ${CLI_REFERENCE.usage}\n`);
    expect(help.startsWith(`tockd 1.2.3\n${CLI_REFERENCE.summary}`)).toBe(true);
  });
});
