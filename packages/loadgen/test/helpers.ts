import type { CliIo } from '../src/cli/main.ts';

/** A {@link CliIo} that records what `main` writes. */
export interface CapturedIo extends CliIo {
  readonly out: string;
  readonly err: string;
}

/** Captures stdout and stderr; no terminal, no signals. */
export function captureIo(): CapturedIo {
  let out = '';
  let err = '';
  return {
    write(stream, text) {
      if (stream === 'out') out += text;
      else err += text;
    },
    progressTerminal: false,
    onStop: () => () => undefined,
    get out() {
      return out;
    },
    get err() {
      return err;
    },
  };
}
