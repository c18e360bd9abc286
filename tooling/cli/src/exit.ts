import { type ErrorInfo, EXIT_INTERNAL } from './errors.ts';

/** One exit status of a command, with what it means and the error codes that end with it. */
export interface ExitStatus {
  /** The exit status. */
  readonly code: number;
  /** What it means, for people (Markdown code spans allowed). */
  readonly meaning: string;
  /** The error codes of the package's table that end with this status, if any. */
  readonly errors?: readonly string[];
}

/**
 * Every exit status of a command, from its code table: 0 with `success`, one row per status the table
 * gives (codes marked `apiOnly` left out, codes sharing a status on one row), and {@link EXIT_INTERNAL}
 * for a bug, in ascending order.
 */
export function exitStatuses(
  command: string,
  table: Readonly<Record<string, ErrorInfo>>,
  success: string,
): readonly ExitStatus[] {
  const rows = new Map<number, { meanings: string[]; errors: string[] }>([
    [0, { meanings: [success], errors: [] }],
  ]);
  for (const [code, info] of Object.entries(table)) {
    if (info.apiOnly === true) continue;
    const row = rows.get(info.exitCode) ?? { meanings: [], errors: [] };
    row.meanings.push(info.description);
    row.errors.push(code);
    rows.set(info.exitCode, row);
  }
  const internal = rows.get(EXIT_INTERNAL) ?? { meanings: [], errors: [] };
  internal.meanings.push(`An internal error (a bug in ${command}): the only case that prints a stack trace.`);
  rows.set(EXIT_INTERNAL, internal);
  return [...rows.entries()]
    .sort(([a], [b]) => a - b)
    .map(([code, row]) => ({
      code,
      meaning: row.meanings.join(' '),
      ...(row.errors.length === 0 ? {} : { errors: row.errors }),
    }));
}
