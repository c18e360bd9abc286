import { type CodedError, UsageError } from '@tock/cli-kit';
import { describe, expect, it } from 'vitest';
import { ServerError } from '../errors.ts';
import { machineTimeZone } from '../options.ts';
import { type ConfigSources, parseCommandLine } from './parse.ts';

/** The error a command line is refused with: a UsageError (`USAGE`) or a ServerError (`INVALID_CONFIG`). */
function parseError(argv: string[], sources: ConfigSources = {}): CodedError {
  try {
    parseCommandLine(argv, sources);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ServerError) return error;
    throw error;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
}

/** A config file system holding one file. */
const files =
  (contents: Record<string, string>): ConfigSources['readFile'] =>
  (path) => {
    const text = contents[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return text;
  };

describe('parseCommandLine', () => {
  it('defaults to 127.0.0.1:5005, one worker, ctime, the machine zone, stratum 2, loopback-exempt rate limits', () => {
    expect(parseCommandLine([])).toEqual({
      kind: 'serve',
      warnings: [],
      settings: {
        host: '127.0.0.1',
        port: 5005,
        workers: 1,
        io: 'batched',
        textFormat: 'ctime',
        timeZone: machineTimeZone(),
        ntp: {
          stratum: 2,
          referenceId: 'LOCL',
          precision: -20,
          leap: 0,
          rootDelay: 0,
          rootDispersion: 0.001,
        },
        rateLimit: { rate: 16, burst: 32, table: 65_536, exempt: ['127.0.0.0/8', '::1/128'] },
        strictSize: false,
        metrics: { host: '127.0.0.1' },
        logLevel: 'info',
        clockOffset: '0s',
        clockRate: 0,
      },
    });
  });

  it('reads every flag, with a space or "=" before the value', () => {
    const command = parseCommandLine([
      '--host',
      '::',
      '--port=0',
      '--workers',
      'auto',
      '--format',
      'unix-ms',
      '--time-zone',
      'UTC',
      '--stratum',
      '1',
      '--reference-id=GPS',
      '--leap',
      '3',
      '--precision',
      '-23',
      '--clock-offset',
      '-1h30m',
      '--clock-rate',
      '12.5',
      '--rate-limit',
      '0.5',
      '--rate-burst',
      '4',
      '--rate-limit-table',
      '1000',
      '--rate-limit-exempt',
      '10.0.0.0/8, 2001:db8::/32',
      '--strict-size',
      '--metrics-port',
      '9123',
      '--metrics-host',
      '::',
      '--log-level',
      'debug',
    ]);
    expect(command).toMatchObject({
      kind: 'serve',
      settings: {
        host: '::',
        port: 0,
        workers: 'auto',
        textFormat: 'unix-ms',
        timeZone: 'UTC',
        ntp: { stratum: 1, referenceId: 'GPS', leap: 3, precision: -23 },
        clockOffset: '-1h30m',
        clockRate: 12.5,
        rateLimit: { rate: 0.5, burst: 4, table: 1000, exempt: ['10.0.0.0/8', '2001:db8::/32'] },
        strictSize: true,
        metrics: { port: 9123, host: '::' },
        logLevel: 'debug',
      },
    });
  });

  it('accepts 0.0.0.0, ::1, an IPv4 reference id, `none` exempt, and --no-strict-size', () => {
    expect(parseCommandLine(['--host', '0.0.0.0'])).toMatchObject({ settings: { host: '0.0.0.0' } });
    expect(parseCommandLine(['--host', '::1'])).toMatchObject({ settings: { host: '::1' } });
    expect(parseCommandLine(['--reference-id', '192.0.2.1'])).toMatchObject({
      settings: { ntp: { referenceId: '192.0.2.1' } },
    });
    expect(parseCommandLine(['--rate-limit-exempt', 'none'])).toMatchObject({
      settings: { rateLimit: { exempt: [] } },
    });
    expect(parseCommandLine(['--strict-size', '--no-strict-size'])).toMatchObject({
      settings: { strictSize: false },
    });
  });

  it('lets --help and --version win over anything else', () => {
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['-h', '--port', 'nonsense'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['--version'])).toEqual({ kind: 'version' });
    expect(parseCommandLine(['-V'])).toEqual({ kind: 'version' });
    // The old spelling, still accepted.
    expect(parseCommandLine(['-v'])).toEqual({ kind: 'version' });
    expect(parseCommandLine(['--help=yes'])).toEqual({ kind: 'help' });
  });

  it.each([
    [['--port', 'abc'], '--port must be an integer from 0 to 65535, not "abc"'],
    [['--port', '65536'], '--port must be an integer from 0 to 65535, not "65536"'],
    [['--port', '1.5'], '--port must be an integer from 0 to 65535, not "1.5"'],
    [['--port'], '--port needs a value: an integer from 0 to 65535'],
    [
      ['--host', 'localhost'],
      '--host must be an IP address such as 127.0.0.1, ::1, 0.0.0.0 or ::, not "localhost"',
    ],
    [['--format', 'rfc2822'], '--format must be one of ctime, iso, unix, unix-ms, not "rfc2822"'],
    [
      ['--time-zone', 'Mars/Olympus'],
      '--time-zone must be an IANA time zone such as UTC or Europe/Paris, not "Mars/Olympus"',
    ],
    [['--stratum', '0'], '--stratum must be an integer from 1 to 15, not "0"'],
    [['--stratum', '16'], '--stratum must be an integer from 1 to 15, not "16"'],
    [
      ['--reference-id', 'TOOLONG'],
      '--reference-id must be 1 to 4 ASCII characters (LOCL, GPS) or an IPv4 address, not "TOOLONG"',
    ],
    [['--leap', '4'], '--leap must be an integer from 0 to 3, not "4"'],
    [['--precision', '1'], '--precision must be an integer from -32 to 0, not "1"'],
    [['--workers', '0'], '--workers must be an integer from 1 to 256, or auto (one per core), not "0"'],
    [['--workers', 'all'], '--workers must be an integer from 1 to 256, or auto (one per core), not "all"'],
    [
      ['--clock-offset', '1 hour'],
      '--clock-offset must be a duration such as 500ms, 90s, 1h or -2d (at most 100 years), not "1 hour"',
    ],
    [
      ['--clock-rate', '1e6'],
      '--clock-rate must be a number of parts per million from -500000 to 500000, not "1e6"',
    ],
    [['--rate-limit', '-1'], '--rate-limit must be a number from 0 (no limit) to 1000000, not "-1"'],
    [['--rate-burst', '0'], '--rate-burst must be an integer from 1 to 1000000, not "0"'],
    [
      ['--rate-limit-exempt', '10.0.0.0/33'],
      '--rate-limit-exempt must be a comma-separated list of addresses or CIDR ranges such as 10.0.0.0/8,2001:db8::/32, or none, not "10.0.0.0/33"',
    ],
    [['--log-level', 'trace'], '--log-level must be one of error, warn, info, debug, not "trace"'],
    [['--strict-size=yes'], '--strict-size takes no value'],
    [['--prot', '5005'], 'unknown flag --prot; did you mean --port?'],
    [['--no-port'], 'unknown flag --no-port'],
    [['-x'], 'unknown flag -x'],
    [['serve'], 'unexpected argument "serve": tockd takes only flags'],
  ] as Array<[string[], string]>)('rejects %j with a USAGE error naming the flag', (argv, message) => {
    const error = parseError(argv);
    expect(error.code).toBe('USAGE');
    expect(error.message).toBe(message);
  });
});

describe('parseCommandLine with environment variables and a config file', () => {
  const config = JSON.stringify({
    port: 123,
    workers: 2,
    ntp: { stratum: 3, rootDelay: 0.5 },
    rateLimit: { rate: 100, exempt: [] },
    metrics: { port: 9123 },
  });

  it('takes options from the config file, then TOCK_* variables, then flags, each over the one before', () => {
    const readFile = files({ '/etc/tockd.json': config });
    const fromFile = parseCommandLine(['--config', '/etc/tockd.json'], { readFile });
    expect(fromFile).toMatchObject({
      configFile: '/etc/tockd.json',
      settings: {
        port: 123,
        workers: 2,
        ntp: { stratum: 3, rootDelay: 0.5, referenceId: 'LOCL' },
        rateLimit: { rate: 100, burst: 32, exempt: [] },
        metrics: { port: 9123, host: '127.0.0.1' },
      },
    });
    const env = {
      TOCK_CONFIG: '/etc/tockd.json',
      TOCK_PORT: '1123',
      TOCK_RATE_BURST: '5',
      TOCK_STRICT_SIZE: 'yes',
    };
    expect(parseCommandLine([], { env, readFile })).toMatchObject({
      settings: { port: 1123, workers: 2, rateLimit: { rate: 100, burst: 5 }, strictSize: true },
    });
    expect(parseCommandLine(['--port', '2123', '--no-strict-size'], { env, readFile })).toMatchObject({
      settings: { port: 2123, ntp: { stratum: 3 }, rateLimit: { burst: 5 }, strictSize: false },
    });
  });

  it('ignores empty variables, and warns about unknown TOCK_* ones that look like typos', () => {
    const command = parseCommandLine([], {
      env: { TOCK_PORT: '', TOCK_PROT: '9', TOCK_FUZZ_SEED: '1', PORT: 'x' },
    });
    expect(command).toMatchObject({
      settings: { port: 5005 },
      warnings: ['unknown environment variable TOCK_PROT is ignored; did you mean TOCK_PORT?'],
    });
  });

  it.each([
    [{ TOCK_PORT: 'http' }, 'TOCK_PORT must be an integer from 0 to 65535, not "http"'],
    [{ TOCK_PORT: '70000' }, 'TOCK_PORT must be an integer from 0 to 65535, not "70000"'],
    [{ TOCK_STRICT_SIZE: 'maybe' }, 'TOCK_STRICT_SIZE must be true or false, not "maybe"'],
    [{ TOCK_CONFIG: '/nowhere.json' }, 'cannot read the config file /nowhere.json: no such file'],
  ])('rejects %j with an INVALID_CONFIG error naming the variable', (env, message) => {
    const error = parseError([], { env, readFile: files({}) });
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toBe(message);
  });

  it.each([
    ['{"port": 99999}', 'c.json: "port" must be an integer from 0 to 65535, not 99999'],
    ['{"port": "123"}', 'c.json: "port" must be an integer from 0 to 65535, not "123"'],
    ['{"prot": 123}', 'c.json: unknown key "prot"; did you mean "port"?'],
    ['{"ntp": {"stratun": 3}}', 'c.json: unknown key "ntp.stratun"; did you mean "ntp.stratum"?'],
    [
      '{"rateLimit": {"exempt": ["10.0.0.0/8", "nope"]}}',
      'c.json: "rateLimit.exempt" must be a comma-separated list of addresses or CIDR ranges such as 10.0.0.0/8,2001:db8::/32, or none, not ["10.0.0.0/8","nope"]',
    ],
    [
      '{"ntp": {"rootDelay": -1}}',
      'c.json: "ntp.rootDelay" must be a number of seconds from 0 to 65535, not -1',
    ],
    [
      '{"workers": "many"}',
      'c.json: "workers" must be an integer from 1 to 256, or auto (one per core), not "many"',
    ],
    ['{"port": 123,}', 'c.json is not valid JSON: '],
    ['[1, 2]', 'c.json must hold a JSON object, such as {"port": 123}'],
  ])('rejects the config file %s with an INVALID_CONFIG error naming the key', (text, message) => {
    const error = parseError(['--config', 'c.json'], { readFile: files({ 'c.json': text }) });
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message.startsWith(message)).toBe(true);
  });

  it('blames the flag or variable that set a bad value over the file', () => {
    const readFile = files({ 'c.json': '{"port": 1}' });
    expect(parseError(['--config', 'c.json'], { readFile, env: { TOCK_PORT: '99999' } }).message).toBe(
      'TOCK_PORT must be an integer from 0 to 65535, not "99999"',
    );
  });
});
