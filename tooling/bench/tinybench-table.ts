/**
 * How tock's tinybench micro-benchmarks (`pnpm bench`) print their results: one table of operations per
 * second, mean and p99 time per operation, and the relative margin of error.
 */

/** The part of a tinybench `Bench` this reads (structural, so that this folder needs no dependency). */
export interface FinishedBench {
  readonly name?: string | undefined;
  readonly tasks: ReadonlyArray<{
    readonly name: string;
    readonly result:
      | { readonly state: 'completed'; readonly latency: { mean: number; p99: number; rme: number } }
      | { readonly state: string };
  }>;
}

/** Prints the results of a finished run as a table on stdout. */
export function printBenchTable(bench: FinishedBench): void {
  console.log(`${bench.name} (${process.version}, ops/s on this machine; compare runs on one machine only)`);
  console.table(
    bench.tasks.map((task) => {
      const r = task.result;
      if (!('latency' in r) || r.state !== 'completed') return { task: task.name, 'ops/s': r.state };
      // tinybench's latencies are in milliseconds; ops/s is the inverse of the mean time per operation.
      return {
        task: task.name,
        'ops/s': Math.round(1000 / r.latency.mean).toLocaleString('en-US'),
        'mean (ns)': Math.round(r.latency.mean * 1e6).toLocaleString('en-US'),
        'p99 (ns)': Math.round(r.latency.p99 * 1e6).toLocaleString('en-US'),
        '± %': r.latency.rme.toFixed(1),
      };
    }),
  );
}
