import { renderErrorCodeTable, renderExitStatusTable, renderFlagTable } from '@tock/cli-kit';
import { CLIENT_ERROR_CODES } from '../errors.ts';
import { EXIT_STATUSES, FLAGS } from './options.ts';

/**
 * The generated sections of the README (`<!-- generated:NAME -->`), by name: what
 * `pnpm --filter @tock/client run docs` writes, and what a test checks is not stale.
 */
export const README_SECTIONS: Readonly<Record<string, () => string>> = {
  flags: () => renderFlagTable(FLAGS),
  'exit-statuses': () => renderExitStatusTable(EXIT_STATUSES),
  'error-codes': () => renderErrorCodeTable(CLIENT_ERROR_CODES),
};
