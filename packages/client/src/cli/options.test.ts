import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLIENT_ERROR_CODE_LIST, CLIENT_ERROR_CODES } from '../errors.ts';
import { exitStatusFor } from './main.ts';
import { type CliOptions, FLAGS, parseCommandLine, renderHelp } from './options.ts';

const DEFAULTS: CliOptions = {
  protocol: 'ntp',
  port: undefined,
  timeout: 1000,
  retries: 2,
  format: undefined,
  timeZone: undefined,
  json: false,
  help: false,
  version: false,
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

  it('needs no HOST for --help and --version', () => {
    expect(parseCommandLine(['--help'])).toMatchObject({
      kind: 'run',
      target: undefined,
      options: { help: true },
    });
    expect(parseCommandLine(['-V'])).toMatchObject({
      kind: 'run',
      target: undefined,
      options: { version: true },
    });
  });

  it('takes an IPv6 target as a positional', () => {
    expect(parseCommandLine(['::1'])).toMatchObject({ kind: 'run', target: '::1' });
    expect(parseCommandLine(['--', '[::1]:123'])).toMatchObject({ kind: 'run', target: '[::1]:123' });
  });

  it.each([
    [[], 'missing HOST'],
    [['a', 'b'], 'expected one HOST, got 2: a b'],
    [['--frobnicate', 'h'], 'unknown option --frobnicate'],
    [['-x', 'h'], 'unknown option -x'],
    [['h', '--timeout'], 'option -t, --timeout needs a value'],
    [['--timeout', 'soon', 'h'], '--timeout takes a number (1 to 600000), not "soon"'],
    [['--timeout', '0', 'h'], '--timeout must be from 1 to 600000, not 0'],
    [['--retries', '1.5', 'h'], '--retries takes an integer (0 to 10), not "1.5"'],
    [['--retries', '11', 'h'], '--retries must be from 0 to 10, not 11'],
    [['--port', '70000', 'h'], '--port must be from 1 to 65535, not 70000'],
    [['--protocol', 'sntp', 'h'], '--protocol must be one of text, json, ntp, not "sntp"'],
    [['--format', 'rfc', 'h'], '--format must be one of ctime, iso, unix, unix-ms, not "rfc"'],
    [['--json=yes', 'h'], 'option -j, --json takes no value'],
    [['--timeout', '-5', 'h'], 'option --timeout needs a value (write --timeout=-X for one starting with -)'],
  ])('%j is a usage error: %s', (argv, message) => {
    const parsed = parseCommandLine(argv);
    expect(parsed.kind).toBe('error');
    if (parsed.kind === 'error') expect(parsed.message).toBe(message);
  });
});

describe('help', () => {
  it('documents every flag with its default, from the table', () => {
    const help = renderHelp();
    for (const spec of Object.values(FLAGS)) {
      expect(help).toContain(`--${spec.flag}`);
      if (spec.short !== undefined) expect(help).toContain(`-${spec.short}, --${spec.flag}`);
      expect(help).toContain(spec.description);
    }
    expect(help).toContain('(default: ntp)');
    expect(help).toContain('(default: 1000)');
    expect(help).toContain('--protocol text|json|ntp');
    expect(help).toMatch(/^ {2}130 {2}interrupted/m);
  });

  it('is in the README exactly (regenerate the README block when this fails)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(`\`\`\`text\n$ tock --help\n${renderHelp()}\`\`\``);
  });

  it('the README lists every error code with its meaning and exit status', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const code of CLIENT_ERROR_CODE_LIST) {
      expect(readme).toContain(`| \`${code}\` | ${CLIENT_ERROR_CODES[code]} | ${exitStatusFor(code)} |`);
    }
  });
});
