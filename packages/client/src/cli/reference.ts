import { type CliReference, cliReference } from '@tock/cli-kit';
import { EXIT_STATUSES, FLAGS, SUMMARY, USAGE } from './options.ts';

/**
 * The reference of `tock`, generated from the flag table its parser reads ({@link FLAGS}) and its exit
 * statuses ({@link EXIT_STATUSES}); the documentation site's CLI page is rendered from it.
 */
export const CLI_REFERENCE: CliReference = cliReference({
  command: 'tock',
  summary: SUMMARY,
  usages: [{ usage: USAGE }],
  options: FLAGS,
  exitStatuses: EXIT_STATUSES,
});
