import { describe, expect, it } from 'vitest';
import { CodedError, type ErrorInfo, EXIT_INTERNAL, EXIT_USAGE, UsageError } from './errors.ts';
import { exitStatuses } from './exit.ts';
import { renderHelp } from './help.ts';
import {
  renderErrorCodeTable,
  renderExitStatusTable,
  renderFlagTable,
  updateGeneratedSections,
} from './markdown.ts';
import { HELP_OPTION, type OptionSpec, VERSION_OPTION } from './options.ts';
import { cliReference } from './reference.ts';
import { reportError } from './run.ts';

const OPTIONS: readonly OptionSpec[] = [
  {
    name: 'port',
    short: 'p',
    type: 'integer',
    min: 0,
    max: 65_535,
    placeholder: 'PORT',
    default: '5005',
    env: 'X_PORT',
    configKey: 'port',
    section: 'Listening',
    description:
      'The `UDP` port. A long description that has to wrap over more than one line of the help, because it goes on and on about ports.',
  },
  { name: 'mode', type: 'choice', choices: ['a', 'b'], section: 'Listening', description: 'A | B.' },
  HELP_OPTION,
  VERSION_OPTION,
];

const TABLE: Readonly<Record<'USAGE' | 'BUSY' | 'MISUSE' | 'BROKEN', ErrorInfo>> = {
  USAGE: { exitCode: 2, description: 'Bad command line.' },
  BUSY: { exitCode: 1, description: 'The port is in use.' },
  MISUSE: { exitCode: 1, apiOnly: true, description: 'The API was misused.' },
  BROKEN: { exitCode: 70, description: 'A worker died.' },
};

class TestError extends CodedError<keyof typeof TABLE> {
  get exitCode(): number {
    return TABLE[this.code].exitCode;
  }
}

const STATUSES = exitStatuses('x', TABLE, 'It worked.');

describe('exitStatuses', () => {
  it('has 0, one row per status of the table (API-only codes left out), and 70 for a bug, in order', () => {
    expect(STATUSES).toEqual([
      { code: 0, meaning: 'It worked.' },
      { code: 1, meaning: 'The port is in use.', errors: ['BUSY'] },
      { code: 2, meaning: 'Bad command line.', errors: ['USAGE'] },
      {
        code: 70,
        meaning: 'A worker died. An internal error (a bug in x): the only case that prints a stack trace.',
        errors: ['BROKEN'],
      },
    ]);
    expect(EXIT_USAGE).toBe(2);
    expect(EXIT_INTERNAL).toBe(70);
  });
});

describe('renderHelp', () => {
  const help = renderHelp({
    command: 'x',
    version: '1.2.3',
    summary: 'Does `x`.',
    usages: [{ usage: 'x [flags]' }],
    options: OPTIONS,
    notes: ['A note.'],
    exitStatuses: STATUSES,
    examples: [{ command: 'x -p 1', what: 'port 1' }],
  });

  it('lays out name, summary, usage, sections, notes, exit statuses and examples, at most 100 columns', () => {
    expect(
      help.startsWith('x 1.2.3\nDoes x.\n\nUsage: x [flags]\n\nListening:\n  -p, --port PORT  The UDP port.'),
    ).toBe(true);
    for (const line of help.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
    expect(help.replace(/\s+/g, ' ')).toContain(
      'Allowed: an integer from 0 to 65535. Default: 5005. Env: X_PORT.',
    );
    expect(help).toContain('      --mode a|b');
    expect(help).toContain('\nOther:\n  -h, --help');
    expect(help).toContain('  -V, --version');
    expect(help).toContain('\nA note.\n');
    expect(help).toContain('\nExit status:\n  0   It worked.\n  1   The port is in use. [BUSY]\n');
    expect(help).toMatch(/\n {2}70 {2}A worker died\. An internal error/);
    expect(help.endsWith('Examples:\n  x -p 1   port 1\n')).toBe(true);
  });
});

describe('Markdown tables', () => {
  it('render flags with value, default, environment, config key and escaped pipes', () => {
    const table = renderFlagTable(OPTIONS);
    expect(table.split('\n')[0]).toBe('| Flag | Value | Default | Environment | Config key | Description |');
    expect(table).toContain(
      '| `-p`, `--port` | `PORT`: an integer from 0 to 65535 | `5005` | `X_PORT` | `port` |',
    );
    expect(table).toContain('| `--mode` | `a\\|b` |  |  |  | A \\| B. |');
    expect(renderFlagTable([HELP_OPTION]).split('\n')[0]).toBe('| Flag | Value | Default | Description |');
  });

  it('render exit statuses and error codes', () => {
    expect(renderExitStatusTable(STATUSES)).toContain('| 1 | `BUSY` | The port is in use. |');
    expect(renderErrorCodeTable(TABLE)).toContain('| `MISUSE` | 1 (API only) | The API was misused. |');
  });

  it('replace only what lies between the markers, and say which markers are missing', () => {
    const readme = 'a\n<!-- generated:t -->\nold\n<!-- /generated:t -->\nb\n';
    expect(updateGeneratedSections(readme, { t: () => 'new\n' })).toBe(
      'a\n<!-- generated:t -->\nnew\n<!-- /generated:t -->\nb\n',
    );
    expect(() => updateGeneratedSections('a', { t: () => '' })).toThrow('the README lacks the markers');
  });
});

describe('cliReference', () => {
  it('holds every option with what the help shows, and every exit status with its codes', () => {
    const ref = cliReference({
      command: 'x',
      summary: 'S.',
      usages: [{ usage: 'x a' }, { usage: 'x b' }],
      options: OPTIONS,
      exitStatuses: STATUSES,
    });
    expect(ref.usage).toBe('x a\nx b');
    expect(ref.flags[0]).toEqual({
      long: '--port',
      short: '-p',
      value: 'PORT',
      description: OPTIONS[0]!.description,
      default: '5005',
      allowed: 'an integer from 0 to 65535',
      env: 'X_PORT',
      configKey: 'port',
      section: 'Listening',
    });
    expect(ref.flags.find((f) => f.long === '--help')).toEqual({
      long: '--help',
      short: '-h',
      description: 'Print this help and exit.',
      section: 'Other',
    });
    expect(ref.exitCodes.map((e) => e.code)).toEqual([0, 1, 2, 70]);
  });
});

describe('reportError', () => {
  function report(error: unknown): { status: number; err: string } {
    let err = '';
    const status = reportError('x', error, (stream, text) => {
      expect(stream).toBe('err');
      err += text;
    });
    return { status, err };
  }

  it('prints a usage error with its code and where to look, exit 2', () => {
    expect(report(new UsageError('unknown flag --y'))).toEqual({
      status: 2,
      err: 'x: unknown flag --y [USAGE]\nRun "x --help" to see every flag.\n',
    });
  });

  it("prints another coded error as one line, with the exit status of the package's table", () => {
    expect(report(new TestError('BUSY', 'port 1 is in use'))).toEqual({
      status: 1,
      err: 'x: port 1 is in use [BUSY]\n',
    });
  });

  it('prints a bug with its stack trace, exit 70', () => {
    const r = report(new TypeError('boom'));
    expect(r.status).toBe(70);
    expect(r.err).toMatch(/^x: internal error: TypeError: boom\n\s+at /);
  });
});
