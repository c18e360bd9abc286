import { describe, expect, it } from 'vitest';
import { LOADGEN_ERROR_CODES } from '../errors.ts';
import { SHOWN_FLAGS as FLAGS } from './flags.ts';
import { renderHelp } from './help.ts';
import { CLI_REFERENCE } from './main.ts';

describe('CLI_REFERENCE', () => {
  it('lists every flag of the table the parser reads, in order, with its short form, group and default', () => {
    expect(CLI_REFERENCE.flags.map((f) => f.long)).toEqual(FLAGS.map((f) => `--${f.name}`));
    for (const [i, flag] of FLAGS.entries()) {
      const entry = CLI_REFERENCE.flags[i]!;
      expect(entry.short).toBe(flag.short === undefined ? undefined : `-${flag.short}`);
      expect(entry.description).toBe(flag.description);
      if (flag.merge === true && flag.section !== 'Other')
        expect(entry.description).toMatch(/Also for `merge`\.$/);
      expect(entry.default).toBe(flag.default);
      expect(entry.section).toBe(flag.section);
      expect(entry.value === undefined).toBe(flag.type === 'boolean');
      if (flag.choices !== undefined) expect(entry.allowed).toBe(`one of ${flag.choices.join(', ')}`);
    }
  });

  it('has success, every error code with its exit status, and the internal error', () => {
    const codes = CLI_REFERENCE.exitCodes.map((e) => e.code);
    expect(codes).toEqual([0, ...Object.values(LOADGEN_ERROR_CODES).map((c) => c.exitCode), 70]);
    for (const [code, { exitCode, description }] of Object.entries(LOADGEN_ERROR_CODES)) {
      const row = CLI_REFERENCE.exitCodes.find((e) => e.code === exitCode);
      expect(row?.errors).toContain(code);
      expect(row?.meaning).toContain(description);
    }
  });

  it('shows the usage lines of the help', () => {
    const help = renderHelp('0.0.0');
    for (const line of CLI_REFERENCE.usage.split('\n')) expect(help).toContain(`  ${line} `);
  });
});
