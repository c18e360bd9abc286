/**
 * What tock's tests, benchmarks and release scripts share (private, never published; TypeScript run as is
 * by Node's type stripping and by vitest).
 */

export { bestOf, offsetError } from './best-of.ts';
export {
  LAB_SERVERS,
  ntpRequest,
  type PeerServer,
  startChronyd,
  startLabServer,
  startListening,
  waitForNtp,
} from './peers.ts';
export { freeTcpPort, freeUdpPort } from './ports.ts';
export {
  type Exit,
  type RunOptions,
  type RunResult,
  run,
  runOk,
  type Started,
  type StartOptions,
  start,
  stopAll,
} from './process.ts';
export { findProgram, type Need, needProgram, type SkipContext } from './programs.ts';
export { REPO_ROOT } from './repo.ts';
export { exchange, type UdpClient, udpClient } from './udp-client.ts';
