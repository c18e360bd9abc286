import type { LoadgenResult } from '../result.ts';

/** The result as `--json` prints it: one JSON object on one line. */
export function formatJson(result: LoadgenResult): string {
  return `${JSON.stringify(result)}\n`;
}
