import { type CliReference, cliReference } from '@tock/cli-kit';
import { SHOWN_FLAGS } from './flags.ts';
import { EXIT_STATUSES, SUMMARY, USAGES } from './help.ts';

/**
 * The reference of `tock-loadgen`, generated from the flag table its parser reads and its exit statuses;
 * the documentation site's CLI page is rendered from it.
 */
export const CLI_REFERENCE: CliReference = cliReference({
  command: 'tock-loadgen',
  summary: SUMMARY,
  usages: USAGES,
  options: SHOWN_FLAGS,
  exitStatuses: EXIT_STATUSES,
});
