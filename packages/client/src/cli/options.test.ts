import { readFileSync } from 'node:fs';
import { UsageError, updateGeneratedSections } from '@tock/cli-kit';
import { describe, expect, it } from 'vitest';
import { CLIENT_ERROR_CODE_LIST, CLIENT_ERROR_CODES } from '../errors.ts';
import { type CliOptions, FLAGS, parseCommandLine, renderHelp } from './options.ts';
import { README_SECTIONS } from './readme.ts';

const DEFAULTS: CliOptions = {
  protocol: 'ntp',
  port: undefined,
  timeout: 1000,
  retries: 2,
  format: undefined,
  timeZone: undefined,
  json: false,
};

describe('parseCommandLine', () => {
  it('fills in the defaults from the flag table', () => {
    expect(parseCommandLine(['127.0.0.1'])).toEqual({ kind: 'run', target: '127.0.0.1', options: DEFAULTS });
  });

  it('reads every flag, long and short', () => {
    const long = parseCommandLine([
      '--protocol=json',
      '--port',
      '123',
      '--timeout',
      '2.5',
      '--retries',
      '0',
      '--format',
      'iso',
      '--time-zone',
      'Asia/Kolkata',
      '--json',
      'host',
    ]);
    const expected = {
      kind: 'run',
      target: 'host',
      options: {
        ...DEFAULTS,
        protocol: 'json',
        port: 123,
        timeout: 2.5,
        retries: 0,
        format: 'iso',
        timeZone: 'Asia/Kolkata',
        json: true,
      },
    };
    expect(long).toEqual(expected);
    const short = parseCommandLine([
      '-p',
      'json',
      '--port=123',
      '-t',
      '2.5',
      '-r',
      '0',
      '-f',
      'iso',
      '-z',
      'Asia/Kolkata',
      '-j',
      'host',
    ]);
    expect(short).toEqual(expected);
  });

  it('needs no HOST for --help and --version, which win over a bad flag', () => {
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['-V'])).toEqual({ kind: 'version' });
    expect(parseCommandLine(['--version'])).toEqual({ kind: 'version' });
    expect(parseCommandLine(['--bogus', '-h'])).toEqual({ kind: 'help' });
  });

  it('takes an IPv6 target as a positional', () => {
    expect(parseCommandLine(['::1'])).toMatchObject({ kind: 'run', target: '::1' });
    expect(parseCommandLine(['--', '[::1]:123'])).toMatchObject({ kind: 'run', target: '[::1]:123' });
  });

  it.each([
    [[], 'missing HOST (e.g. tock 127.0.0.1:5005)'],
    [['a', 'b'], 'one HOST only; unexpected "b"'],
    [['--frobnicate', 'h'], 'unknown flag --frobnicate'],
    [['--protocl', 'ntp', 'h'], 'unknown flag --protocl; did you mean --protocol?'],
    [['-x', 'h'], 'unknown flag -x'],
    [['h', '--timeout'], '--timeout needs a value: a number from 1 to 600000'],
    [['--timeout', 'soon', 'h'], '--timeout must be a number from 1 to 600000, not "soon"'],
    [['--timeout', '0', 'h'], '--timeout must be a number from 1 to 600000, not "0"'],
    [['--timeout', '-5', 'h'], '--timeout must be a number from 1 to 600000, not "-5"'],
    [['--retries', '1.5', 'h'], '--retries must be an integer from 0 to 10, not "1.5"'],
    [['--retries', '11', 'h'], '--retries must be an integer from 0 to 10, not "11"'],
    [['--port', '70000', 'h'], '--port must be an integer from 1 to 65535, not "70000"'],
    [['--protocol', 'sntp', 'h'], '--protocol must be one of text, json, ntp, not "sntp"'],
    [['--format', 'rfc', 'h'], '--format must be one of ctime, iso, unix, unix-ms, not "rfc"'],
    [
      ['-z', 'Nowhere/City', 'h'],
      '--time-zone must be an IANA time zone such as UTC or Europe/Paris, not "Nowhere/City"',
    ],
    [['--json=yes', 'h'], '--json takes no value'],
  ])('%j is a usage error: %s', (argv, message) => {
    let error: unknown;
    try {
      parseCommandLine(argv);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({ code: 'USAGE', exitCode: 2, message });
  });
});

describe('help', () => {
  it('documents every flag with its default, from the table', () => {
    const help = renderHelp();
    for (const spec of FLAGS) {
      expect(help).toContain(`--${spec.name}`);
      if (spec.short !== undefined) expect(help).toContain(`-${spec.short}, --${spec.name}`);
    }
    expect(help).toContain('Default: ntp.');
    expect(help).toContain('Default: 1000.');
    expect(help).toContain('--protocol text|json|ntp');
    expect(help).toMatch(/^ {2}130 {2}The query was interrupted/m);
    expect(help).toMatch(/^ {2}70 {3}An internal error \(a bug in tock\)/m);
  });

  it('the README holds the generated flag, exit status and error code tables (pnpm --filter @tock/client run docs)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(updateGeneratedSections(readme, README_SECTIONS)).toBe(readme);
    for (const code of CLIENT_ERROR_CODE_LIST) {
      expect(readme).toContain(`| \`${code}\` | ${CLIENT_ERROR_CODES[code].exitCode}`);
    }
  });
});
