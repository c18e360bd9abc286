import {
  type ExitStatus,
  exitStatuses,
  renderExitStatusTable,
  renderFlagTable as renderFlags,
  renderHelp as renderHelpPage,
} from '@tock/cli-kit';
import { LOADGEN_ERROR_CODES } from '../errors.ts';
import { SHOWN_FLAGS } from './flags.ts';

/** What `tock-loadgen` does, one paragraph. */
export const SUMMARY =
  'Floods a UDP time server (text, JSON, NTP) with concurrent clients and validates every reply. It reports latency percentiles from an HDR histogram at microsecond resolution, throughput, and how many replies were valid, invalid, lost, late or duplicated; it can find the highest rate a server sustains, and fail a CI job when a server got slower than a saved baseline.';

/** The ways to invoke `tock-loadgen`, with what each does. */
export const USAGES: ReadonlyArray<{ readonly usage: string; readonly what: string }> = [
  { usage: 'tock-loadgen [flags] HOST:PORT', what: 'run a load test' },
  {
    usage: 'tock-loadgen merge [flags] RESULT.json...',
    what: 'combine results of runs made at the same time',
  },
];

/** Every exit status of `tock-loadgen`: success, the codes of {@link LOADGEN_ERROR_CODES}, and a bug. */
export const EXIT_STATUSES: readonly ExitStatus[] = exitStatuses(
  'tock-loadgen',
  LOADGEN_ERROR_CODES,
  'The run (or merge) finished, every reply was valid, and the gate (if any) passed.',
);

/** `tock-loadgen --help`, generated from the flag table. */
export function renderHelp(version: string): string {
  return renderHelpPage({
    command: 'tock-loadgen',
    version,
    summary: SUMMARY,
    usages: USAGES,
    options: SHOWN_FLAGS,
    notes: ['When several exit statuses apply, the highest one wins.'],
    exitStatuses: EXIT_STATUSES,
    examples: [
      { command: 'tock-loadgen 127.0.0.1:5005', what: '16 clients, closed loop, NTP, 10 s' },
      { command: 'tock-loadgen -p text -c 64 -d 30 127.0.0.1:5005', what: '64 text clients for 30 s' },
      { command: 'tock-loadgen -R 20000 -d 10 --json [::1]:123', what: 'open loop, 20,000 requests/s' },
      { command: 'tock-loadgen --ramp 127.0.0.1:123', what: 'highest rate with at most 1% loss' },
      {
        command: 'tock-loadgen -o now.json --compare base.json --max-regression 15 127.0.0.1:5005',
        what: 'regression gate against a saved run',
      },
    ],
  });
}

/** The README's flag table (Markdown), generated from the flag table. */
export function renderFlagTable(): string {
  return renderFlags(SHOWN_FLAGS);
}

/** The README's exit status table (Markdown), generated from {@link EXIT_STATUSES}. */
export function renderExitTable(): string {
  return renderExitStatusTable(EXIT_STATUSES);
}

/** The generated sections of the README, by name (`<!-- generated:NAME -->`). */
export const README_SECTIONS: Readonly<Record<string, () => string>> = {
  flags: renderFlagTable,
  'exit-statuses': renderExitTable,
};
