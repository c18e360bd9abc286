import { LOADGEN_ERROR_CODES, type LoadgenErrorCode } from '../errors.ts';
import { FLAGS, type Flag, type FlagGroup } from './flags.ts';

const GROUPS: readonly FlagGroup[] = ['Load', 'Open loop and ramp', 'Validation', 'Output and gate', 'Other'];

function synopsis(flag: Flag): string {
  const value = flag.kind === 'boolean' ? '' : ` ${flag.valueName ?? 'VALUE'}`;
  return flag.short ? `-${flag.short}, --${flag.name}${value}` : `    --${flag.name}${value}`;
}

/** The exit statuses, one per line, for `--help` and the README. */
export function exitStatusLines(): string[] {
  return [
    '0  the run (or merge) finished, every reply was valid, and the gate (if any) passed',
    ...Object.entries(LOADGEN_ERROR_CODES).map(
      ([code, { exitCode, description }]) => `${exitCode}  ${description} [${code}]`,
    ),
    'When several apply, the highest status wins.',
  ];
}

function wrap(text: string, width: number, indent: string): string {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.join(`\n${indent}`);
}

/** What `tock-loadgen` does, as the help's first line says it after the version. */
export const SUMMARY =
  'floods a UDP time server (text, JSON, NTP) with concurrent clients and validates every reply.';

/** The ways to invoke `tock-loadgen`, with what each does. */
export const USAGES: ReadonlyArray<{ readonly usage: string; readonly what: string }> = [
  { usage: 'tock-loadgen [flags] HOST:PORT', what: 'run a load test' },
  {
    usage: 'tock-loadgen merge [flags] RESULT.json...',
    what: 'combine results of runs made at the same time',
  },
];

/** `tock-loadgen --help`, generated from {@link FLAGS}. */
export function renderHelp(version: string): string {
  const out = [
    `tock-loadgen ${version}: ${SUMMARY}`,
    '',
    'Usage:',
    ...USAGES.map((u) => `  ${u.usage.padEnd(44)}${u.what}`),
    '',
    'Examples:',
    '  tock-loadgen 127.0.0.1:5005                          16 clients, closed loop, NTP, 10 s',
    '  tock-loadgen -p text -c 64 -d 30 127.0.0.1:5005      64 text clients for 30 s',
    '  tock-loadgen -R 20000 -d 10 --json [::1]:123          open loop, 20,000 requests/s',
    '  tock-loadgen --ramp 127.0.0.1:123                    highest rate with at most 1% loss',
    '  tock-loadgen -o now.json --compare base.json --max-regression 15 127.0.0.1:5005',
  ];
  const pad = 32;
  for (const group of GROUPS) {
    out.push('', `${group}:`);
    for (const flag of FLAGS.filter((f) => f.group === group)) {
      const head = `  ${synopsis(flag)}`;
      const desc =
        flag.default === undefined ? flag.description : `${flag.description} (default: ${flag.default})`;
      const text = wrap(desc.replaceAll('`', ''), 100 - pad, ' '.repeat(pad));
      out.push(head.length < pad ? `${head.padEnd(pad)}${text}` : `${head}\n${' '.repeat(pad)}${text}`);
    }
  }
  out.push('', 'Exit status:', ...exitStatusLines().map((l) => `  ${l}`), '');
  return out.join('\n');
}

/** The README's flag table (Markdown), generated from {@link FLAGS}. */
export function renderFlagTable(): string {
  const rows = ['| flag | value | default | meaning |', '| ---- | ----- | ------- | ------- |'];
  for (const f of FLAGS) {
    const name = f.short ? `\`-${f.short}\`, \`--${f.name}\`` : `\`--${f.name}\``;
    const value =
      f.kind === 'boolean' ? '' : f.kind === 'choice' ? (f.choices ?? []).join(' \\| ') : (f.valueName ?? '');
    rows.push(`| ${name} | ${value} | ${f.default ?? ''} | ${f.description.replaceAll('|', '\\|')} |`);
  }
  return rows.join('\n');
}

/** Every exit status of `tock-loadgen`: success, the codes of {@link LOADGEN_ERROR_CODES}, and a bug. */
export const EXIT_STATUSES: ReadonlyArray<{
  readonly status: number;
  readonly code?: LoadgenErrorCode;
  readonly meaning: string;
}> = [
  { status: 0, meaning: 'The run (or merge) finished, every reply was valid, and the gate (if any) passed.' },
  ...(
    Object.entries(LOADGEN_ERROR_CODES) as [LoadgenErrorCode, { exitCode: number; description: string }][]
  ).map(([code, { exitCode, description }]) => ({ status: exitCode, code, meaning: description })),
  { status: 70, meaning: 'An internal error (a bug): the message carries a stack trace.' },
];

/** The README's exit status table (Markdown), generated from {@link EXIT_STATUSES}. */
export function renderExitTable(): string {
  return [
    '| status | code | meaning |',
    '| ------ | ---- | ------- |',
    ...EXIT_STATUSES.map(
      (e) =>
        `| ${e.status} | ${e.code === undefined ? '' : `\`${e.code}\` `}| ${e.meaning.replaceAll('|', '\\|')} |`,
    ),
  ].join('\n');
}
