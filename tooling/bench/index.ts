/**
 * What tock's benchmarks share (private, never published; TypeScript run as is by Node's type stripping).
 * The servers they measure against (chronyd, the lab servers, anything that prints where it listens) are
 * started with @tock/test-utils, which the tests use too.
 */
import { fileURLToPath } from 'node:url';

export {
  cpuSeconds,
  currentLoad,
  describeMachine,
  type MachineDescription,
  median,
  versionOf,
} from './machine.ts';
export { type FinishedBench, printBenchTable } from './tinybench-table.ts';

/** The C closed-loop generator, the yardstick for tock-loadgen: compile it with the machine's cc. */
export const C_CLIENT: string = fileURLToPath(new URL('./c-client.c', import.meta.url));
/** The C recvmmsg/sendmmsg time server, the yardstick for tockd. */
export const C_SERVER: string = fileURLToPath(new URL('./c-server.c', import.meta.url));
