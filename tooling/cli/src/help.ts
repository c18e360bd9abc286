import type { ExitStatus } from './exit.ts';
import { allowedOf, type OptionSpec, placeholderOf, takesValue } from './options.ts';

/** The widest `--help` line. */
export const HELP_WIDTH = 100;

/** Splits `text` into lines of at most `width` characters, at spaces. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
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

/** Markdown code spans become plain text on a terminal. */
export function plain(text: string): string {
  return text.replaceAll('`', '');
}

/** How an option is written: `-p, --port PORT`, or `    --io MODE` without a short form. */
export function synopsis(option: OptionSpec): string {
  const value = takesValue(option) ? ` ${placeholderOf(option)}` : '';
  return `${option.short === undefined ? '    ' : `-${option.short}, `}--${option.name}${value}`;
}

/** The sections of a table of options, in the order they first appear. */
export function sectionsOf(options: readonly OptionSpec[]): string[] {
  return [...new Set(options.map((o) => o.section))];
}

/** What `--help` prints about a command: everything but the options is prose the command supplies. */
export interface HelpPage {
  /** The program's name: `tockd`. */
  readonly command: string;
  /** Its version, printed after the name on the first line. */
  readonly version: string;
  /** What it does, one paragraph (Markdown code spans allowed). */
  readonly summary: string;
  /** How it is invoked, one form each, with what that form does when there are several. */
  readonly usages: ReadonlyArray<{ readonly usage: string; readonly what?: string }>;
  /** Every option, in the order of the help; grouped by `section`. */
  readonly options: readonly OptionSpec[];
  /** Paragraphs after the options (precedence, logging, signals), each wrapped. */
  readonly notes?: readonly string[];
  /** Every exit status. */
  readonly exitStatuses: readonly ExitStatus[];
  /** Example command lines, each with what it does. */
  readonly examples?: ReadonlyArray<{ readonly command: string; readonly what: string }>;
}

/**
 * The text of `COMMAND --help`, at most {@link HELP_WIDTH} columns wide, in the same layout for every tock
 * command: name and version, summary, usage, options by section (each with what it allows, its default and
 * its environment variable), notes, exit statuses, examples.
 */
export function renderHelp(page: HelpPage): string {
  const width = HELP_WIDTH - 2;
  const lines = [`${page.command} ${page.version}`, ...wrap(plain(page.summary), width), ''];
  const [only] = page.usages;
  if (page.usages.length === 1 && only?.what === undefined) lines.push(`Usage: ${only?.usage}`);
  else {
    lines.push('Usage:');
    const usageWidth = Math.max(...page.usages.map((u) => u.usage.length)) + 4;
    for (const u of page.usages)
      lines.push(u.what === undefined ? `  ${u.usage}` : `  ${u.usage.padEnd(usageWidth)}${u.what}`);
  }
  const column = Math.min(Math.max(...page.options.map((o) => synopsis(o).length)) + 2, 34);
  for (const section of sectionsOf(page.options)) {
    lines.push('', `${section}:`);
    for (const option of page.options.filter((o) => o.section === section)) {
      const details = [plain(option.description)];
      const allowed = allowedOf(option);
      if (allowed !== undefined && takesValue(option)) details.push(`Allowed: ${allowed}.`);
      if (option.default !== undefined) details.push(`Default: ${option.default}.`);
      if (option.env !== undefined) details.push(`Env: ${option.env}.`);
      const text = wrap(details.join(' '), width - column);
      const head = `  ${synopsis(option)}`;
      const indent = ' '.repeat(column + 2);
      if (head.length <= column + 1) {
        const [first, ...rest] = text;
        lines.push(`${head.padEnd(column + 2)}${first}`, ...rest.map((l) => `${indent}${l}`));
      } else {
        lines.push(head, ...text.map((l) => `${indent}${l}`));
      }
    }
  }
  for (const note of page.notes ?? []) lines.push('', ...wrap(plain(note), width));
  lines.push('', 'Exit status:');
  const statusWidth = Math.max(...page.exitStatuses.map((s) => String(s.code).length)) + 2;
  for (const s of page.exitStatuses) {
    const codes = s.errors === undefined ? '' : ` [${s.errors.join(', ')}]`;
    const [first, ...rest] = wrap(`${plain(s.meaning)}${codes}`, width - statusWidth);
    lines.push(
      `  ${String(s.code).padEnd(statusWidth)}${first}`,
      ...rest.map((l) => `  ${' '.repeat(statusWidth)}${l}`),
    );
  }
  if (page.examples !== undefined && page.examples.length > 0) {
    lines.push('', 'Examples:');
    const short = page.examples.filter((e) => e.command.length <= 48);
    const exampleWidth = Math.max(0, ...short.map((e) => e.command.length)) + 3;
    for (const e of page.examples) {
      if (e.command.length <= 48) lines.push(`  ${e.command.padEnd(exampleWidth)}${e.what}`);
      else lines.push(`  ${e.command}`, `  ${' '.repeat(exampleWidth)}${e.what}`);
    }
  }
  lines.push('');
  return lines.join('\n');
}
