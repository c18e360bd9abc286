import {
  type ExitStatus,
  exitStatuses,
  renderErrorCodeTable,
  renderExitStatusTable,
  renderFlagTable as renderFlags,
  renderHelp as renderHelpPage,
  updateGeneratedSections as update,
} from '@tock/cli-kit';
import { SERVER_ERROR_CODES } from '../errors.ts';
import { METRICS } from '../metrics.ts';
import { DROP_REASON_HELP, DROP_REASONS } from '../stats.ts';
import { CONFIG_ONLY_KEYS, FLAGS } from './flags.ts';

const cell = (text: string): string => text.replaceAll('|', '\\|');

/** The exit statuses of `tockd`, from the error table. */
export const EXIT_STATUSES: readonly ExitStatus[] = exitStatuses(
  'tockd',
  SERVER_ERROR_CODES,
  'Stopped by SIGINT or SIGTERM, or --help / --version.',
);

/** What tockd is, in one sentence: the start of `--help` and of its reference page. */
export const SUMMARY =
  'A UDP time server. One port answers plain text (daytime), JSON and NTP, over IPv4 and IPv6.';

/** How tockd is invoked. */
export const USAGE = 'tockd [flags]';

/** The text `tockd --help` prints, at most 100 columns wide. */
export function renderHelp(version: string): string {
  return renderHelpPage({
    command: 'tockd',
    version,
    summary: SUMMARY,
    usages: [{ usage: USAGE }],
    options: FLAGS,
    notes: [
      'Precedence: flags, then TOCK_* environment variables, then the --config file, then the defaults.',
      'tockd logs one JSON line per event to stdout (listening, stopping, stopped, warnings), never one per request. Errors that stop it go to stderr. SIGINT and SIGTERM stop it gracefully: it stops answering, lets the replies already made leave, and exits 0.',
    ],
    exitStatuses: EXIT_STATUSES,
  });
}

/** The README's flag table, in Markdown: each flag with its environment variable and `--config` key. */
export function renderFlagTable(): string {
  return renderFlags(FLAGS);
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
  'exit-statuses': () => renderExitStatusTable(EXIT_STATUSES),
  'error-codes': () => renderErrorCodeTable(SERVER_ERROR_CODES),
};

/**
 * Rewrites the generated parts of a README: everything between `<!-- generated:NAME -->` and
 * `<!-- /generated:NAME -->` for each NAME of the generated tables (`flags`, `metrics`, `error-codes`, …).
 */
export function updateGeneratedSections(readme: string): string {
  return update(readme, GENERATED);
}
