/**
 * `@tock/udp`: UDP sockets for Linux that move datagrams in batches (`recvmmsg`/`sendmmsg`) and stamp each
 * received datagram with the kernel's receive time (`SO_TIMESTAMPNS`). A small N-API addon in C
 * (`native/src/tock_udp.c`); tockd's batched transport and tock-loadgen's batched engine are built on it.
 *
 * The addon and JavaScript share one `ArrayBuffer` per socket: receive slots and their meta, then send slots
 * and their meta (offsets in {@link NativeBinding}; the fields of one meta in {@link META_FIELDS}). When the
 * socket is readable, the addon fills up to `BATCH` receive slots with one `recvmmsg` and calls back with
 * their count; JavaScript writes replies into send slots and sends them with one call.
 *
 * @packageDocumentation
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { getSystemErrorName } from 'node:util';

/** A socket of the addon, made by {@link NativeBinding.open}. */
export interface NativeSocket {
  /** Sends send slots `0..count-1` (sendmmsg); returns how many the kernel refused (errno in their meta). */
  send(count: number): number;
  /** Stops polling and closes the socket; no callback runs afterwards. Safe to call more than once. */
  close(): void;
  /** The bound address; throws `EBADF` once closed. */
  address(): { readonly family: number; readonly address: string; readonly port: number };
  /** The socket's counters. */
  stats(): NativeStats;
}

/** Counters of one native socket. */
export interface NativeStats {
  /** Datagrams received. */
  readonly datagrams: number;
  /** recvmmsg calls that returned datagrams. */
  readonly batches: number;
  /** Datagrams larger than their slot: cut at the slot, flagged {@link FLAG_TRUNCATED}. */
  readonly truncated: number;
  /** Datagrams that came without a kernel timestamp (the addon read CLOCK_REALTIME instead). */
  readonly noTimestamp: number;
}

/** The addon's exports: functions and the layout of the buffer it shares with JavaScript. */
export interface NativeBinding {
  /**
   * Opens a non-blocking UDP socket bound to `host:port` (`::` is dual stack; port 0 lets the OS pick),
   * with `SO_REUSEPORT` when asked. `buffer` (at least `BUFFER_BYTES`) is shared with the addon while the
   * socket is open; `onBatch(n)` is called with the number of datagrams in the receive slots, or with a
   * negative errno when the socket reports an error.
   * @throws an Error with `code`, `errno` and `syscall` when the OS refuses; TypeError or RangeError for bad
   * arguments.
   */
  open(
    host: string,
    port: number,
    reusePort: boolean,
    buffer: ArrayBuffer,
    onBatch: (count: number) => void,
  ): NativeSocket;
  /** The address text of the meta at byte `offset` of `buffer`. */
  ntop(buffer: ArrayBuffer, offset: number): string;
  /**
   * Writes the family, address and scope id of `address` (`fe80::1%2` takes a numeric scope) into the meta
   * at byte `offset` of `buffer`; returns the family, 4 or 6, or 0 when `address` is not an IP address.
   */
  pton(address: string, buffer: ArrayBuffer, offset: number): number;
  /** Datagrams per batch, both ways. */
  readonly BATCH: number;
  /** Bytes of one receive slot: a longer datagram is cut here and flagged {@link FLAG_TRUNCATED}. */
  readonly SLOT: number;
  /** Bytes of one send slot: the longest datagram that can be sent. */
  readonly SEND_SLOT: number;
  /** Bytes of one meta record. */
  readonly META: number;
  /** Where the receive meta starts (receive slot `i` starts at `i * SLOT`). */
  readonly RECV_META_OFF: number;
  /** Where the send slots start. */
  readonly SEND_DATA_OFF: number;
  /** Where the send meta starts. */
  readonly SEND_META_OFF: number;
  /** The least size of the shared buffer. */
  readonly BUFFER_BYTES: number;
}

/**
 * Byte offsets of the fields in one meta record (host byte order, 8-byte aligned). `receiveTime` is an
 * int64 of nanoseconds since the Unix epoch (receive only); `length` an int32; `flags` an int32 of
 * {@link FLAG_TRUNCATED} and {@link FLAG_NO_TIMESTAMP} (receive only); `family` a uint16, 4 or 6; `port` a
 * uint16; `address` 16 bytes (IPv4 in the first 4); `scope` the uint32 IPv6 scope id; `errno` the int32
 * the kernel refused a sent datagram with, or 0 (send only).
 */
export const META_FIELDS = {
  receiveTime: 0,
  length: 8,
  flags: 12,
  family: 16,
  port: 18,
  address: 20,
  scope: 36,
  errno: 40,
} as const;

/** Receive flag: the datagram was larger than its slot, which holds its first `SLOT` bytes. */
export const FLAG_TRUNCATED = 1;
/** Receive flag: the kernel gave no timestamp; the receive time was read from the clock in the addon. */
export const FLAG_NO_TIMESTAMP = 2;

/** Whether the addon loaded here, and if not, why. */
export type BatchedUdpStatus =
  | { readonly ok: true; readonly binding: NativeBinding }
  | { readonly ok: false; readonly reason: string };

/**
 * Where the addon's `binding.gyp`, `build/` and `prebuilds/` are: `native/` in this package, beside `src/`
 * and `dist/`. `TOCK_IO_ADDON` names another directory (a sanitizer build, or an empty one to see the
 * fallback).
 */
function addonDirectory(): string {
  const fromEnv = process.env.TOCK_IO_ADDON;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return fileURLToPath(new URL('../native', import.meta.url));
}

let status: BatchedUdpStatus | undefined;

/**
 * Loads the addon once (a prebuilt binary for this platform, or the one built from source at install) and
 * says why not where it cannot: not Linux, no binary, a binary of another version. Never throws.
 */
export function loadBatchedUdp(): BatchedUdpStatus {
  status ??= load();
  return status;
}

function load(): BatchedUdpStatus {
  if (process.platform !== 'linux') {
    return { ok: false, reason: `batched I/O (recvmmsg/sendmmsg) is for Linux, not ${process.platform}` };
  }
  try {
    const require = createRequire(import.meta.url);
    const nodeGypBuild = require('node-gyp-build') as (directory: string) => unknown;
    const binding = nodeGypBuild(addonDirectory()) as NativeBinding;
    if (typeof binding.open !== 'function' || !(binding.BUFFER_BYTES > 0)) {
      return { ok: false, reason: 'the batched I/O addon is not the one this version expects' };
    }
    return { ok: true, binding };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: explainLoadFailure(message, process.arch, linuxLibc()) };
  }
}

/** The parts of a Node diagnostic report (`process.report.getReport()`) that tell the C library apart. */
export interface LibcReport {
  readonly header?: { readonly glibcVersionRuntime?: string };
  readonly sharedObjects?: readonly string[];
}

/**
 * The C library this Linux process runs on: `glibc` when the report names a glibc version, `musl` when musl's
 * loader is among the shared objects (Alpine), `undefined` when neither (another platform, or a report that
 * says nothing). The prebuilt binaries are tagged by it, as node-gyp-build picks them.
 */
export function linuxLibc(
  report: LibcReport = process.report.getReport() as LibcReport,
): 'glibc' | 'musl' | undefined {
  if (typeof report.header?.glibcVersionRuntime === 'string') return 'glibc';
  if (report.sharedObjects?.some((path) => /(?:^|\/)(?:ld-musl-|libc\.musl-)[^/]*$/.test(path)))
    return 'musl';
  return undefined;
}

/** What to install to build the addon from source, per C library. */
const BUILD_TOOLS = {
  glibc: 'a C compiler, make and python3 (Debian, Ubuntu: apt-get install gcc g++ make python3)',
  musl: 'a C compiler, make and python3 (Alpine: apk add build-base python3)',
} as const;

/**
 * The reason {@link loadBatchedUdp} gives when the addon did not load, from the loader's error `message`:
 * when no binary matches this platform, architecture and C library, it names them and says what to install
 * so that reinstalling builds one; otherwise the loader's first line (a binary for another C library fails
 * here, with a hint when that is the likely cause).
 */
export function explainLoadFailure(
  message: string,
  arch: string,
  libc: 'glibc' | 'musl' | undefined,
): string {
  const first = message.split('\n')[0] ?? '';
  const target = `linux-${arch}${libc === undefined ? '' : ` (${libc})`}`;
  if (/^No native build was found/.test(first)) {
    const tools = libc === undefined ? `${BUILD_TOOLS.glibc}, or ${BUILD_TOOLS.musl}` : BUILD_TOOLS[libc];
    return (
      `the batched I/O addon did not load: no binary for ${target}. No prebuilt binary matches it and none ` +
      `was built when @tock/udp was installed; building one needs ${tools}: install them, then reinstall`
    );
  }
  const wrongLibc =
    libc === 'musl' && /ld-linux|GLIBC_|__[a-z_]+_chk/.test(first)
      ? ' (a binary built for glibc; on musl it needs one built for musl)'
      : libc === 'glibc' && /musl/.test(first)
        ? ' (a binary built for musl; on glibc it needs one built for glibc)'
        : '';
  return `the batched I/O addon did not load on ${target}: ${first}${wrongLibc}`;
}

/** Linux's errno for a datagram too long to send (the errno a send meta holds for one beyond `SEND_SLOT`). */
export const EMSGSIZE = 90;

/**
 * An Error like Node's system errors, for an errno a native socket reported (positive, as in a send meta or
 * negated from `onBatch`): `code` (`EMSGSIZE`), `errno` (negative, as Node gives it) and `syscall`.
 */
export function systemError(
  errno: number,
  syscall: string,
): Error & { code: string; errno: number; syscall: string } {
  let code = `E${errno}`; // for an errno Node has no name for ("Unknown system error -N")
  try {
    const name = getSystemErrorName(-errno);
    if (/^E[A-Z0-9]+$/.test(name)) code = name;
  } catch {
    // Not a negative integer: keep E<errno>.
  }
  return Object.assign(new Error(`${syscall} ${code}`), { code, errno: -errno, syscall });
}

/**
 * Reads the payloads of a socket's receive slots as views of `buffer` (the one given to
 * {@link NativeBinding.open}). `payload(i)` is receive slot `i`'s datagram: its length from the meta, never
 * longer than the slot (a datagram flagged {@link FLAG_TRUNCATED} is the whole slot). A slot's view is kept
 * while its datagrams have the same length, so that a steady stream allocates nothing. A view is valid only
 * until the next batch overwrites the slot.
 */
export function createPayloadReader(
  binding: NativeBinding,
  buffer: ArrayBuffer,
): (index: number) => Uint8Array {
  const { BATCH, SLOT, META, RECV_META_OFF } = binding;
  const i32 = new Int32Array(buffer);
  const views: Uint8Array[] = Array.from({ length: BATCH }, (_, i) => new Uint8Array(buffer, i * SLOT, 0));
  return (index) => {
    const w = (RECV_META_OFF + index * META) >> 2;
    const stated = i32[w + (META_FIELDS.length >> 2)] as number;
    const truncated = ((i32[w + (META_FIELDS.flags >> 2)] as number) & FLAG_TRUNCATED) !== 0;
    const length = truncated ? SLOT : Math.min(Math.max(stated, 0), SLOT);
    let view = views[index] as Uint8Array;
    if (view.length !== length) {
      view = new Uint8Array(buffer, index * SLOT, length);
      views[index] = view;
    }
    return view;
  };
}
