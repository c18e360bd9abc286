import { describe, expect, it } from 'vitest';
import { UsageError } from './errors.ts';
import { HELP_OPTION, type OptionSpec, VERSION_OPTION } from './options.ts';
import { parseFlags, readEnvironment } from './parse.ts';
import { nearest } from './suggest.ts';

const OPTIONS: readonly OptionSpec[] = [
  {
    name: 'port',
    short: 'p',
    type: 'integer',
    min: 0,
    max: 65_535,
    section: 'A',
    description: 'd',
    env: 'X_PORT',
  },
  { name: 'rate', type: 'number', min: 0, section: 'A', description: 'd', env: 'X_RATE' },
  { name: 'mode', type: 'choice', choices: ['fast', 'slow'], section: 'A', description: 'd' },
  { name: 'list', type: 'list', section: 'A', description: 'd' },
  {
    name: 'zone',
    type: 'text',
    parse: (raw) => (raw.includes('/') ? raw : undefined),
    allowed: 'a zone such as Europe/Paris',
    section: 'A',
    description: 'd',
  },
  { name: 'strict', type: 'boolean', negatable: true, section: 'B', description: 'd', env: 'X_STRICT' },
  { name: 'json', short: 'j', type: 'boolean', section: 'B', description: 'd' },
  HELP_OPTION,
  { ...VERSION_OPTION, deprecatedShort: 'v' },
];

function usageMessage(argv: string[]): string {
  try {
    parseFlags(OPTIONS, argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({ code: 'USAGE', exitCode: 2 });
    return (error as Error).message;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
}

describe('parseFlags', () => {
  it('converts every type, long and short, with = or a space, a value that starts with a dash too', () => {
    const parsed = parseFlags(OPTIONS, [
      '-p',
      '5005',
      '--rate=0.5',
      '--mode',
      'slow',
      '--list',
      'a, b',
      '--zone',
      'Europe/Paris',
      '--strict',
      '--no-strict',
      '-j',
      'host',
      '--',
      '-x',
    ]);
    expect(Object.fromEntries(parsed.values)).toEqual({
      port: 5005,
      rate: 0.5,
      mode: 'slow',
      list: ['a', 'b'],
      zone: 'Europe/Paris',
      strict: false,
      json: true,
    });
    expect(parsed.raw.get('rate')).toBe('0.5');
    expect(parsed.positionals).toEqual(['host', '-x']);
    expect(parseFlags(OPTIONS, ['--list', 'none']).values.get('list')).toEqual([]);
    expect(parseFlags(OPTIONS, ['--port', '-0']).values.get('port')).toBe(-0);
  });

  it('lets --help, then --version, win over anything else, and keeps a deprecated short form working', () => {
    expect(parseFlags(OPTIONS, ['--bogus', '-h'])).toMatchObject({ help: true, version: false });
    expect(parseFlags(OPTIONS, ['--port', 'x', '-V'])).toMatchObject({ help: false, version: true });
    expect(parseFlags(OPTIONS, ['-v'])).toMatchObject({ version: true });
    expect(parseFlags(OPTIONS, ['--help', '--version'])).toMatchObject({ help: true });
  });

  it.each([
    [['--prot', '1'], 'unknown flag --prot; did you mean --port?'],
    [['--jsn'], 'unknown flag --jsn; did you mean --json?'],
    [['--frobnicate'], 'unknown flag --frobnicate'],
    [['-x'], 'unknown flag -x'],
    [['--no-json'], 'unknown flag --no-json'],
    [['--no-port'], 'unknown flag --no-port'],
    [['--json=yes'], '--json takes no value'],
    [['--port'], '--port needs a value: an integer from 0 to 65535'],
    [['--port', 'x'], '--port must be an integer from 0 to 65535, not "x"'],
    [['--port', '70000'], '--port must be an integer from 0 to 65535, not "70000"'],
    [['--port', '1.5'], '--port must be an integer from 0 to 65535, not "1.5"'],
    [['--rate', '-1'], '--rate must be a number of at least 0, not "-1"'],
    [['--rate', '1e6'], '--rate must be a number of at least 0, not "1e6"'],
    [['--mode', 'medium'], '--mode must be one of fast, slow, not "medium"'],
    [['--list', 'a,,b'], '--list must be a comma-separated list, or none, not "a,,b"'],
    [['--zone', 'Paris'], '--zone must be a zone such as Europe/Paris, not "Paris"'],
    [['--mode', 'x'.repeat(60)], `--mode must be one of fast, slow, not "${'x'.repeat(37)}..."`],
  ])('refuses %j: %s', (argv, message) => {
    expect(usageMessage(argv)).toBe(message);
  });
});

describe('readEnvironment', () => {
  const fail = (message: string): Error => new Error(`ENV ${message}`);

  it('reads the options that have a variable, ignoring empty ones, and warns about likely typos', () => {
    const env = readEnvironment(
      OPTIONS,
      { X_PORT: '123', X_RATE: '', X_STRICT: 'yes', X_PROT: '1', X_OTHER_THING: '1', X_CONF: 'f' },
      'X_',
      fail,
      ['X_CONFIG'],
    );
    expect(Object.fromEntries(env.values)).toEqual({ port: 123, strict: true });
    expect(env.raw.get('port')).toBe('123');
    expect(env.warnings).toEqual([
      'unknown environment variable X_PROT is ignored; did you mean X_PORT?',
      'unknown environment variable X_CONF is ignored; did you mean X_CONFIG?',
    ]);
  });

  it('refuses a bad value with the package’s error, naming the variable', () => {
    expect(() => readEnvironment(OPTIONS, { X_PORT: 'http' }, 'X_', fail)).toThrow(
      'ENV X_PORT must be an integer from 0 to 65535, not "http"',
    );
    expect(() => readEnvironment(OPTIONS, { X_STRICT: 'maybe' }, 'X_', fail)).toThrow('ENV X_STRICT must be');
  });
});

describe('nearest', () => {
  it('suggests within two edits, never for a word shorter than its distance', () => {
    expect(nearest('prot', ['port', 'json'])).toBe('port');
    expect(nearest('x', ['io'])).toBeUndefined();
    expect(nearest('completely', ['port'])).toBeUndefined();
  });
});
