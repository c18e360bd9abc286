import { SERVER_ERROR_CODES } from '../errors.ts';
import { FLAGS, type Flag } from './flags.ts';

const usageOf = (f: Flag): string =>
  `${f.short === undefined ? '' : `-${f.short}, `}--${f.name}${f.valueName === undefined ? '' : ` ${f.valueName}`}`;

/** Markdown code spans in the table become plain text on a terminal. */
const plain = (text: string): string => text.replaceAll('`', '');

/** The exit statuses of `tockd`, from the error table. */
export function exitStatuses(): ReadonlyArray<{ readonly status: number; readonly meaning: string }> {
  const byStatus = new Map<number, string[]>([[0, ['stopped by SIGINT or SIGTERM, or --help / --version']]]);
  for (const [code, info] of Object.entries(SERVER_ERROR_CODES)) {
    if (code === 'ALREADY_STARTED' || code === 'NOT_LISTENING') continue; // library misuse, not reachable from the CLI
    const list = byStatus.get(info.exitCode) ?? [];
    list.push(code);
    byStatus.set(info.exitCode, list);
  }
  byStatus.set(70, ['internal error: a bug in tockd (the only case that prints a stack trace)']);
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

/** The text `tockd --help` prints, at most 100 columns wide. */
export function renderHelp(version: string): string {
  const width = Math.max(...FLAGS.map((f) => usageOf(f).length)) + 2;
  const lines = [
    `tockd ${version}: a UDP time server. One port answers plain text (daytime), JSON and NTP,`,
    'over IPv4 and IPv6.',
    '',
    'Usage: tockd [flags]',
    '',
    'Flags:',
  ];
  for (const f of FLAGS) {
    const details = [plain(f.description)];
    if (f.allowed !== undefined) details.push(`Allowed: ${f.allowed}.`);
    if (f.default !== undefined) details.push(`Default: ${f.default}.`);
    const [first, ...rest] = wrap(details.join(' '), 98 - width);
    lines.push(`  ${usageOf(f).padEnd(width)}${first}`, ...rest.map((l) => `  ${' '.repeat(width)}${l}`));
  }
  lines.push(
    '',
    'tockd prints one line to stdout once it listens, and nothing per request. Errors go to stderr.',
    'SIGINT and SIGTERM close the socket and exit 0.',
    '',
    'Exit status:',
    ...exitStatuses().map((s) => `  ${s.status}  ${s.meaning}`),
    '',
  );
  return lines.join('\n');
}

const cell = (text: string): string => text.replaceAll('|', '\\|');

/** The README's flag table, in Markdown. */
export function renderFlagTable(): string {
  const rows = ['| Flag | Value | Default | Description |', '| --- | --- | --- | --- |'];
  for (const f of FLAGS) {
    const flag = `${f.short === undefined ? '' : `\`-${f.short}\`, `}\`--${f.name}\``;
    const value = f.allowed === undefined ? '' : cell(`\`${f.valueName}\`: ${f.allowed}`);
    const def = f.default === undefined ? '' : cell(f.default.includes(' ') ? f.default : `\`${f.default}\``);
    rows.push(`| ${flag} | ${value} | ${def} | ${cell(f.description)} |`);
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

const GENERATED: Readonly<Record<string, () => string>> = {
  flags: renderFlagTable,
  'exit-statuses': renderExitStatusTable,
  'error-codes': renderErrorCodeTable,
};

/**
 * Rewrites the generated parts of a README: everything between `<!-- generated:NAME -->` and
 * `<!-- /generated:NAME -->` for NAME in `flags`, `exit-statuses`, `error-codes`.
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
