import { LOADGEN_ERROR_CODES } from '../errors.ts';
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

/** `tock-loadgen --help`, generated from {@link FLAGS}. */
export function renderHelp(version: string): string {
  const out = [
    `tock-loadgen ${version}: floods a UDP time server (text, JSON, NTP) with concurrent clients and validates every reply.`,
    '',
    'Usage:',
    '  tock-loadgen [flags] HOST:PORT              run a load test',
    '  tock-loadgen merge [flags] RESULT.json...   combine results of runs made at the same time',
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

/** The README's exit status table (Markdown), generated from {@link LOADGEN_ERROR_CODES}. */
export function renderExitTable(): string {
  return [
    '| status | code | meaning |',
    '| ------ | ---- | ------- |',
    '| 0 | | The run (or merge) finished, every reply was valid, and the gate (if any) passed. |',
    ...Object.entries(LOADGEN_ERROR_CODES).map(
      ([code, { exitCode, description }]) =>
        `| ${exitCode} | \`${code}\` | ${description.replaceAll('|', '\\|')} |`,
    ),
    '| 70 | | An internal error (a bug): the message carries a stack trace. |',
  ].join('\n');
}
