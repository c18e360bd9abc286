import type { ErrorInfo } from './errors.ts';
import type { ExitStatus } from './exit.ts';
import { allowedOf, type OptionSpec, placeholderOf, takesValue } from './options.ts';

/** Text for a Markdown table cell: pipes escaped, code spans included. */
export function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return `${[line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n')}\n`;
}

/** A default in a table: a code span when it is one word, prose when it is a phrase. */
function literal(text: string): string {
  return /^\S+$/.test(text) ? `\`${text}\`` : text;
}

/**
 * A README's flag table, in Markdown: each option with its value and what it allows, its default, its
 * environment variable and config key (columns left out when no option has one), and what it does.
 */
export function renderFlagTable(options: readonly OptionSpec[]): string {
  const env = options.some((o) => o.env !== undefined);
  const config = options.some((o) => o.configKey !== undefined);
  const head = [
    'Flag',
    'Value',
    'Default',
    ...(env ? ['Environment'] : []),
    ...(config ? ['Config key'] : []),
  ];
  const rows = options.map((o) => {
    const flag = `${o.short === undefined ? '' : `\`-${o.short}\`, `}\`--${o.name}\``;
    // A choice without a placeholder of its own shows its values as the placeholder already.
    const allowed = o.type === 'choice' && o.placeholder === undefined ? undefined : allowedOf(o);
    const value = takesValue(o)
      ? cell(`\`${placeholderOf(o)}\`${allowed === undefined ? '' : `: ${allowed}`}`)
      : '';
    return [
      flag,
      value,
      o.default === undefined ? '' : cell(literal(o.default)),
      ...(env ? [o.env === undefined ? '' : `\`${o.env}\``] : []),
      ...(config ? [o.configKey === undefined ? '' : `\`${o.configKey}\``] : []),
      cell(o.description),
    ];
  });
  return table([...head, 'Description'], rows);
}

/** A README's exit status table, in Markdown. */
export function renderExitStatusTable(statuses: readonly ExitStatus[]): string {
  return table(
    ['Status', 'Error codes', 'Meaning'],
    statuses.map((s) => [
      String(s.code),
      (s.errors ?? []).map((c) => `\`${c}\``).join(', '),
      cell(s.meaning),
    ]),
  );
}

/** A README's table of error codes, in Markdown: code, exit status (or "API only"), meaning. */
export function renderErrorCodeTable(table_: Readonly<Record<string, ErrorInfo>>): string {
  return table(
    ['Code', 'Exit status', 'Meaning'],
    Object.entries(table_).map(([code, info]) => [
      `\`${code}\``,
      info.apiOnly === true ? `${info.exitCode} (API only)` : String(info.exitCode),
      cell(info.description),
    ]),
  );
}

/**
 * Rewrites the generated parts of a README: everything between `<!-- generated:NAME -->` and
 * `<!-- /generated:NAME -->`, for each NAME of `sections`, becomes what its function renders.
 * A package's test checks `updateGeneratedSections(readme, …) === readme`, so that CI fails when the
 * README is stale; its `docs` script writes the result.
 * @throws Error naming the markers a section lacks.
 */
export function updateGeneratedSections(
  readme: string,
  sections: Readonly<Record<string, () => string>>,
): string {
  let out = readme;
  for (const [name, render] of Object.entries(sections)) {
    const start = `<!-- generated:${name} -->\n`;
    const end = `<!-- /generated:${name} -->`;
    const i = out.indexOf(start);
    const j = out.indexOf(end, i);
    if (i < 0 || j < 0) throw new Error(`the README lacks the markers ${start.trim()} … ${end}`);
    out = `${out.slice(0, i + start.length)}${render()}${out.slice(j)}`;
  }
  return out;
}
