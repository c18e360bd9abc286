/**
 * The one command-line kit of `tockd`, `tock` and `tock-loadgen`. Options are declared once, as data
 * ({@link OptionSpec}); the parser, `--help`, the README tables, `CLI_REFERENCE` (and through it the
 * documentation site's CLI pages) are generated from them. Errors follow one convention: a code table per
 * package ({@link ErrorTable}), one error class per package ({@link CodedError}), one way to report them
 * ({@link reportError}). Private: each CLI's build bundles it.
 */
export {
  CodedError,
  type ErrorInfo,
  type ErrorTable,
  EXIT_INTERNAL,
  EXIT_USAGE,
  UsageError,
} from './errors.ts';
export { type ExitStatus, exitStatuses } from './exit.ts';
export { HELP_WIDTH, type HelpPage, plain, renderHelp, sectionsOf, synopsis, wrap } from './help.ts';
export {
  cell,
  renderErrorCodeTable,
  renderExitStatusTable,
  renderFlagTable,
  updateGeneratedSections,
} from './markdown.ts';
export {
  allowedOf,
  badValueMessage,
  convertValue,
  HELP_OPTION,
  type OptionSpec,
  type OptionType,
  placeholderOf,
  quote,
  takesValue,
  VERSION_OPTION,
} from './options.ts';
export {
  type EnvironmentValues,
  type ParsedFlags,
  parseFlags,
  readEnvironment,
  unknownFlagMessage,
} from './parse.ts';
export {
  type CliReference,
  type CliReferenceFlag,
  type CliReferenceSource,
  cliReference,
  referenceFlag,
} from './reference.ts';
export { reportError, versionText, type WriteText, writeProcess } from './run.ts';
export { distance, nearest } from './suggest.ts';
