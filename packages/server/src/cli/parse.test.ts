import { describe, expect, it } from 'vitest';
import { ServerError } from '../errors.ts';
import { machineTimeZone } from '../options.ts';
import { parseCommandLine } from './parse.ts';

function usageError(argv: string[]): ServerError {
  try {
    parseCommandLine(argv);
  } catch (error) {
    if (error instanceof ServerError) return error;
    throw error;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
}

describe('parseCommandLine', () => {
  it('defaults to 127.0.0.1:5005, ctime, the machine zone, stratum 2', () => {
    expect(parseCommandLine([])).toEqual({
      kind: 'serve',
      settings: {
        host: '127.0.0.1',
        port: 5005,
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
      },
    });
  });

  it('reads every flag, with a space or "=" before the value', () => {
    const command = parseCommandLine([
      '--host',
      '::',
      '--port=0',
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
    ]);
    expect(command).toMatchObject({
      kind: 'serve',
      settings: {
        host: '::',
        port: 0,
        textFormat: 'unix-ms',
        timeZone: 'UTC',
        ntp: { stratum: 1, referenceId: 'GPS', leap: 3, precision: -23 },
      },
    });
  });

  it('accepts 0.0.0.0, ::1 and an IPv4 reference id', () => {
    expect(parseCommandLine(['--host', '0.0.0.0'])).toMatchObject({ settings: { host: '0.0.0.0' } });
    expect(parseCommandLine(['--host', '::1'])).toMatchObject({ settings: { host: '::1' } });
    expect(parseCommandLine(['--reference-id', '192.0.2.1'])).toMatchObject({
      settings: { ntp: { referenceId: '192.0.2.1' } },
    });
  });

  it('lets --help and --version win over anything else', () => {
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['-h', '--port', 'nonsense'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['--version'])).toEqual({ kind: 'version' });
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
    [['--prot', '5005'], 'unknown flag --prot; did you mean --port?'],
    [
      ['-x'],
      'unknown flag -x; the flags are --host, --port, --format, --time-zone, --stratum, --reference-id, --leap, --precision, --help, --version',
    ],
    [['serve'], 'unexpected argument "serve": tockd takes only flags'],
  ] as Array<[string[], string]>)('rejects %j with a USAGE error naming the flag', (argv, message) => {
    const error = usageError(argv);
    expect(error.code).toBe('USAGE');
    expect(error.message).toBe(message);
  });
});
