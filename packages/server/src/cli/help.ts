import { SERVER_ERROR_CODES } from '../errors.ts';
import { METRICS } from '../metrics.ts';
import { DROP_REASON_HELP, DROP_REASONS } from '../stats.ts';
import { CONFIG_ONLY_KEYS, configKey, envName, FLAGS, type Flag } from './flags.ts';

const usageOf = (f: Flag): string =>
  `${f.short === undefined ? '' : `-${f.short}, `}--${f.name}${f.valueName === undefined ? '' : ` ${f.valueName}`}`;

/** Markdown code spans in the table become plain text on a terminal. */
const plain = (text: string): string => text.replaceAll('`', '');

/** The exit statuses of `tockd`, from the error table. */
export function exitStatuses(): ReadonlyArray<{ readonly status: number; readonly meaning: string }> {
  const byStatus = new Map<number, string[]>([[0, ['stopped by SIGINT or SIGTERM, or --help / --version']]]);
  for (const [code, info] of Object.entries(SERVER_ERROR_CODES)) {
    // Library misuse, not reachable from the CLI.
    if (code === 'ALREADY_STARTED' || code === 'NOT_LISTENING' || code === 'INVALID_OPTIONS') continue;
    const list = byStatus.get(info.exitCode) ?? [];
    list.push(code);
    byStatus.set(info.exitCode, list);
  }
  byStatus.set(70, [
    ...(byStatus.get(70) ?? []),
    'or any other bug in tockd (the only case that prints a stack trace)',
  ]);
  return [...byStatus.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, list]) => ({ status, meaning: list.join(', ') }));
}

/** Splits `text` into lines of at most `width` characters, at spaces. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines;
}

/** What tockd is, in one sentence: the start of `--help` and of its reference page. */
export const SUMMARY =
  'A UDP time server. One port answers plain text (daytime), JSON and NTP, over IPv4 and IPv6.';

/** How tockd is invoked. */
export const USAGE = 'tockd [flags]';

/** The text `tockd --help` prints, at most 100 columns wide. */
export function renderHelp(version: string): string {
  const width = Math.max(...FLAGS.map((f) => usageOf(f).length)) + 2;
  const lines = [
    ...wrap(`tockd ${version}: ${SUMMARY[0]?.toLowerCase()}${SUMMARY.slice(1)}`, 98),
    '',
    `Usage: ${USAGE}`,
  ];
  let section = '';
  for (const f of FLAGS) {
    if (f.section !== section) {
      section = f.section;
      lines.push('', `${section}:`);
    }
    const details = [plain(f.description)];
    if (f.allowed !== undefined && f.type === 'string') details.push(`Allowed: ${f.allowed}.`);
    if (f.default !== undefined) details.push(`Default: ${f.default}.`);
    if (f.target !== undefined || f.name === 'config') details.push(`Env: ${envName(f)}.`);
    const [first, ...rest] = wrap(details.join(' '), 98 - width);
    lines.push(`  ${usageOf(f).padEnd(width)}${first}`, ...rest.map((l) => `  ${' '.repeat(width)}${l}`));
  }
  lines.push(
    '',
    'Precedence: flags, then TOCK_* environment variables, then the --config file, then the defaults.',
    '',
    'tockd logs one JSON line per event to stdout (listening, stopping, stopped, warnings), never one',
    'per request. Errors that stop it go to stderr. SIGINT and SIGTERM stop it gracefully: it stops',
    'answering, lets the replies already made leave, and exits 0.',
    '',
    'Exit status:',
    ...exitStatuses().map((s) => `  ${s.status}  ${s.meaning}`),
    '',
  );
  return lines.join('\n');
}

const cell = (text: string): string => text.replaceAll('|', '\\|');

/** The README's flag table, in Markdown: each flag with its environment variable and `--config` key. */
export function renderFlagTable(): string {
  const rows = [
    '| Flag | Value | Default | Environment | Config key | Description |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const f of FLAGS) {
    const flag = `${f.short === undefined ? '' : `\`-${f.short}\`, `}\`--${f.name}\``;
    const value =
      f.allowed === undefined || f.type === 'boolean' ? '' : cell(`\`${f.valueName}\`: ${f.allowed}`);
    const def = f.default === undefined ? '' : cell(f.default.includes(' ') ? f.default : `\`${f.default}\``);
    const env = f.target !== undefined || f.name === 'config' ? `\`${envName(f)}\`` : '';
    const key = configKey(f) === undefined ? '' : `\`${configKey(f)}\``;
    rows.push(`| ${flag} | ${value} | ${def} | ${env} | ${key} | ${cell(f.description)} |`);
  }
  return `${rows.join('\n')}\n`;
}

/** The README's exit status table, in Markdown. */
export function renderExitStatusTable(): string {
  const rows = ['| Status | Meaning |', '| --- | --- |'];
  for (const s of exitStatuses()) rows.push(`| ${s.status} | ${cell(s.meaning)} |`);
  return `${rows.join('\n')}\n`;
}

/** The README's error code table, in Markdown. */
export function renderErrorCodeTable(): string {
  const rows = ['| Code | Exit status | Meaning |', '| --- | --- | --- |'];
  for (const [code, info] of Object.entries(SERVER_ERROR_CODES)) {
    rows.push(`| \`${code}\` | ${info.exitCode} | ${cell(info.description)} |`);
  }
  return `${rows.join('\n')}\n`;
}

/** The README's table of metrics, in Markdown. */
export function renderMetricsTable(): string {
  const rows = ['| Metric | Type | Labels | Meaning |', '| --- | --- | --- | --- |'];
  for (const m of METRICS) {
    const labels = m.labels === '' ? '' : `\`${m.labels}\``;
    rows.push(`| \`${m.name}\` | ${m.type} | ${labels} | ${cell(m.help)} |`);
  }
  return `${rows.join('\n')}\n`;
}

/** The README's table of drop reasons, in Markdown. */
export function renderDropReasonTable(): string {
  const rows = ['| Reason | Meaning |', '| --- | --- |'];
  for (const reason of DROP_REASONS) rows.push(`| \`${reason}\` | ${cell(DROP_REASON_HELP[reason])} |`);
  return `${rows.join('\n')}\n`;
}

/** The README's table of options only a `--config` file sets. */
export function renderConfigOnlyTable(): string {
  const rows = ['| Config key | Value | Description |', '| --- | --- | --- |'];
  for (const k of CONFIG_ONLY_KEYS)
    rows.push(`| \`${k.key}\` | ${cell(k.allowed)} | ${cell(k.description)} |`);
  return `${rows.join('\n')}\n`;
}

const GENERATED: Readonly<Record<string, () => string>> = {
  flags: renderFlagTable,
  'config-only': renderConfigOnlyTable,
  metrics: renderMetricsTable,
  'drop-reasons': renderDropReasonTable,
  'exit-statuses': renderExitStatusTable,
  'error-codes': renderErrorCodeTable,
};

/**
 * Rewrites the generated parts of a README: everything between `<!-- generated:NAME -->` and
 * `<!-- /generated:NAME -->` for each NAME of the generated tables (`flags`, `metrics`, `error-codes`, …).
 */
export function updateGeneratedSections(readme: string): string {
  let out = readme;
  for (const [name, render] of Object.entries(GENERATED)) {
    const start = `<!-- generated:${name} -->\n`;
    const end = `<!-- /generated:${name} -->`;
    const i = out.indexOf(start);
    const j = out.indexOf(end, i);
    if (i < 0 || j < 0) throw new Error(`the README lacks the markers ${start.trim()} … ${end}`);
    out = `${out.slice(0, i + start.length)}${render()}${out.slice(j)}`;
  }
  return out;
}
