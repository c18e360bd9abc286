import { readFileSync } from 'node:fs';
import { updateGeneratedSections } from '@tock/cli-kit';
import { describe, expect, it } from 'vitest';
import { captureIo } from '../../test/helpers.ts';
import { FLAGS } from './flags.ts';
import { README_SECTIONS, renderExitTable, renderFlagTable } from './help.ts';
import { main } from './main.ts';
import { parseCommandLine } from './parse.ts';

async function cli(...argv: string[]) {
  const io = captureIo();
  const status = await main(argv, io);
  return { status, out: io.out, err: io.err };
}

describe('bad command lines', () => {
  it.each([
    [['--bogus', '127.0.0.1:5005'], 'unknown flag --bogus'],
    [['--conections', '4', '127.0.0.1:5005'], 'unknown flag --conections; did you mean --connections?'],
    [['-c', 'abc', '127.0.0.1:5005'], '--connections must be an integer from 1 to 65536, not "abc"'],
    [['-c', '0', '127.0.0.1:5005'], '--connections must be an integer from 1 to 65536, not "0"'],
    [['-d', '1', '-a', '5', '127.0.0.1:5005'], '--amount: give a duration or an amount, not both'],
    [['-p', 'smtp', '127.0.0.1:5005'], '--protocol must be one of ntp, json, text, echo, not "smtp"'],
    [['--io', 'uring', '127.0.0.1:5005'], '--io must be one of batched, dgram, not "uring"'],
    [
      ['--time-zone', 'Mars/Olympus', '127.0.0.1:5005'],
      '--time-zone must be an IANA time zone such as UTC or Europe/Paris, not "Mars/Olympus"',
    ],
    [['--ramp-start', '10', '127.0.0.1:5005'], '--ramp-start needs --ramp'],
    [['--ramp', '-R', '100', '127.0.0.1:5005'], '--rate: a ramp sets the rate itself (see ramp.start)'],
    [
      ['-d', '-3', '127.0.0.1:5005'],
      '--duration must be a number of seconds above 0, at most 86400, not "-3"',
    ],
    [['-d', '0', '127.0.0.1:5005'], '--duration must be a number of seconds above 0, at most 86400, not "0"'],
    [['--json=1', '127.0.0.1:5005'], '--json takes no value'],
    [['127.0.0.1:5005', '-c'], '--connections needs a value: an integer from 1 to 65536'],
    [[], 'missing the target HOST:PORT (e.g. tock-loadgen 127.0.0.1:5005)'],
    [['localhost'], /^target "localhost" is not HOST:PORT/],
    [['127.0.0.1:70000'], /port must be an integer from 1 to 65535/],
    [['127.0.0.1:5005', 'extra'], 'one target only; unexpected "extra"'],
    [['merge'], 'merge needs at least one result file (tock-loadgen merge a.json b.json)'],
    [['merge', '-c', '4', 'a.json'], '--connections does not apply to merge'],
  ] as Array<[string[], string | RegExp]>)(
    '%j exits 2 with a message and no stack trace',
    async (argv, message) => {
      const r = await cli(...argv);
      expect(r.status).toBe(2);
      const [first, second, ...rest] = r.err.split('\n');
      expect(first).toMatch(/^tock-loadgen: .* \[USAGE\]$/);
      const text = first!.slice('tock-loadgen: '.length, -' [USAGE]'.length);
      if (typeof message === 'string') expect(text).toBe(message);
      else expect(text).toMatch(message);
      expect(second).toBe('Run "tock-loadgen --help" to see every flag.');
      expect(rest).toEqual(['']);
      expect(r.out).toBe('');
    },
  );
});

describe('parseCommandLine', () => {
  it('maps flags onto run options, ramp flags into the ramp', () => {
    const command = parseCommandLine([
      '-c',
      '32',
      '-p',
      'json',
      '--ramp',
      '--ramp-start',
      '500',
      '--max-loss',
      '0.5',
      '-t',
      '0.25',
      '--io',
      'dgram',
      '[::1]:123',
    ]);
    expect(command).toMatchObject({
      kind: 'run',
      options: {
        target: '[::1]:123',
        connections: 32,
        protocol: 'json',
        timeout: 0.25,
        io: 'dgram',
        ramp: { start: 500, maxLossPct: 0.5 },
      },
      output: { json: false, maxRegressionPct: 10 },
    });
  });

  it('reads merge with its output flags', () => {
    expect(parseCommandLine(['merge', '--json', '-o', 'all.json', 'a.json', 'b.json'])).toEqual({
      kind: 'merge',
      files: ['a.json', 'b.json'],
      output: { json: true, outputFile: 'all.json', compare: undefined, maxRegressionPct: 10 },
    });
  });
});

describe('--help and --version', () => {
  it('documents every flag and the exit statuses', async () => {
    const r = await cli('--help');
    expect(r.status).toBe(0);
    for (const flag of FLAGS) expect(r.out).toContain(`--${flag.name}`);
    expect(r.out).toContain('Exit status:');
    expect(r.out).toMatch(/^ {2}4 {3}The run finished, but the server gave no valid reply/m);
    expect(r.out).toMatch(/^ {2}70 {2}An internal error \(a bug in tock-loadgen\)/m);
  });

  it('prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect((await cli('--version')).out).toBe(`${pkg.version}\n`);
    expect((await cli('-V')).out).toBe(`${pkg.version}\n`);
    // The old spelling, still accepted.
    expect((await cli('-v')).out).toBe(`${pkg.version}\n`);
  });
});

describe('README', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

  it('holds the flag table generated from the flag declarations (regenerate: see README)', () => {
    expect(readme).toContain(renderFlagTable());
  });

  it('holds the exit status table generated from the error codes', () => {
    expect(readme).toContain(renderExitTable());
  });

  it('is not stale in any generated section (pnpm --filter @tock/loadgen run docs)', () => {
    expect(updateGeneratedSections(readme, README_SECTIONS)).toBe(readme);
  });
});
