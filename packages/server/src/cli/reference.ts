import { type CliReference, cliReference } from '@tock/cli-kit';
import { FLAGS } from './flags.ts';
import { EXIT_STATUSES, SUMMARY, USAGE } from './help.ts';

/**
 * The reference of `tockd`, generated from the flag table its parser reads ({@link FLAGS}) and its exit
 * statuses; the documentation site's CLI page is rendered from it.
 */
export const CLI_REFERENCE: CliReference = cliReference({
  command: 'tockd',
  summary: SUMMARY,
  usages: [{ usage: USAGE }],
  options: FLAGS,
  exitStatuses: EXIT_STATUSES,
});
