import type { Progress } from '../run/events.ts';

/** Where a progress bar draws: a terminal. */
export interface ProgressSink {
  write(text: string): void;
  /** Terminal width in characters. */
  readonly columns?: number;
}

/** A one-line progress bar redrawn in place, for a terminal. */
export interface ProgressBar {
  update(progress: Progress): void;
  /** Erases the bar. */
  done(): void;
}

const n = (x: number): string => Math.round(x).toLocaleString('en-US');

/** Creates a progress bar drawing on `sink`. */
export function createProgressBar(sink: ProgressSink): ProgressBar {
  let drawn = false;
  return {
    update(p) {
      const width = Math.max(10, Math.min(30, (sink.columns ?? 80) - 70));
      const filled = Math.round(p.fraction * width);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      const step = p.step ? ` step ${p.step.index + 1} @ ${n(p.step.rate)}/s` : '';
      const c = p.counts;
      const text =
        `${bar} ${Math.round(p.fraction * 100)}% ${p.elapsedS.toFixed(1)}s ${p.phase}${step} | ` +
        `sent ${n(c.sent)} valid ${n(p.rps)}/s lost ${n(c.lost)} invalid ${n(c.invalid)}`;
      sink.write(`\r\x1b[K${text}`);
      drawn = true;
    },
    done() {
      if (drawn) sink.write('\r\x1b[K');
      drawn = false;
    },
  };
}
