import { spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createPayloadReader,
  EMSGSIZE,
  explainLoadFailure,
  FLAG_NO_TIMESTAMP,
  FLAG_TRUNCATED,
  linuxLibc,
  loadBatchedUdp,
  META_FIELDS,
  type NativeSocket,
  systemError,
} from './index.ts';

const loaded = loadBatchedUdp();
const open: Array<NativeSocket | Socket> = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

describe('loadBatchedUdp', () => {
  it('loads on Linux, where the install built the addon', () => {
    if (process.platform === 'linux') expect(loaded).toMatchObject({ ok: true });
    else expect(loaded).toMatchObject({ ok: false, reason: expect.stringMatching(/for Linux/) });
  });

  it('says why when there is no addon to load, and does not throw', () => {
    const empty = mkdtempSync(join(tmpdir(), 'tock-udp-empty-'));
    try {
      const script = `import { loadBatchedUdp } from ${JSON.stringify(new URL('./index.ts', import.meta.url).href)};
        console.log(JSON.stringify(loadBatchedUdp()));`;
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        env: { ...process.env, TOCK_IO_ADDON: empty },
      });
      expect(run.status, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/did not load|for Linux/),
      });
      if (process.platform === 'linux')
        expect(JSON.parse(run.stdout).reason).toMatch(
          /^the batched I\/O addon did not load: no binary for linux-/,
        );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('linuxLibc', () => {
  it('tells glibc from musl by the report: a glibc version, or musl loaded', () => {
    expect(
      linuxLibc({
        header: { glibcVersionRuntime: '2.36' },
        sharedObjects: ['/lib/x86_64-linux-gnu/libc.so.6'],
      }),
    ).toBe('glibc');
    expect(linuxLibc({ header: {}, sharedObjects: ['/usr/bin/node', '/lib/ld-musl-x86_64.so.1'] })).toBe(
      'musl',
    );
    expect(linuxLibc({ header: {}, sharedObjects: ['/usr/lib/libc.musl-aarch64.so.1'] })).toBe('musl');
    expect(linuxLibc({ header: {}, sharedObjects: ['/usr/lib/libmuslish.so'] })).toBeUndefined();
    expect(linuxLibc({})).toBeUndefined();
  });

  it('reads this process: glibc on Debian, musl on Alpine', () => {
    if (process.platform !== 'linux') return;
    expect(linuxLibc()).toBe(existsSync('/etc/alpine-release') ? 'musl' : 'glibc');
  });
});

describe('explainLoadFailure', () => {
  const noBuild =
    'No native build was found for platform=linux arch=x64 runtime=node abi=137 uv=1 libc=musl node=24.21.0\n    attempted loading from: /app/node_modules/@tock/udp/native';

  it('with no binary for this libc: names platform, arch and libc, and what to install (Alpine)', () => {
    const reason = explainLoadFailure(noBuild, 'x64', 'musl');
    expect(reason).toBe(
      'the batched I/O addon did not load: no binary for linux-x64 (musl). No prebuilt binary matches it and ' +
        'none was built when @tock/udp was installed; building one needs a C compiler, make and python3 ' +
        '(Alpine: apk add build-base python3): install them, then reinstall',
    );
    expect(reason).not.toContain('\n');
  });

  it('names the Debian packages on glibc, and both when the libc is unknown', () => {
    expect(explainLoadFailure(noBuild, 'arm64', 'glibc')).toMatch(
      /no binary for linux-arm64 \(glibc\)\..*apt-get install gcc g\+\+ make python3\)/,
    );
    const unknown = explainLoadFailure(noBuild, 'x64', undefined);
    expect(unknown).toContain('no binary for linux-x64.');
    expect(unknown).toContain('apt-get install');
    expect(unknown).toContain('apk add build-base');
  });

  it('keeps the loader’s first line otherwise, with a hint when the binary is for the other libc', () => {
    expect(
      explainLoadFailure(
        'Error loading shared library ld-linux-x86-64.so.2: No such file or directory',
        'x64',
        'musl',
      ),
    ).toBe(
      'the batched I/O addon did not load on linux-x64 (musl): Error loading shared library ' +
        'ld-linux-x86-64.so.2: No such file or directory (a binary built for glibc; on musl it needs one built for musl)',
    );
    expect(explainLoadFailure('tock_udp.node: invalid ELF header\nmore', 'x64', 'glibc')).toBe(
      'the batched I/O addon did not load on linux-x64 (glibc): tock_udp.node: invalid ELF header',
    );
  });
});

describe('systemError', () => {
  it("names an errno as Node's system errors do", () => {
    expect(systemError(EMSGSIZE, 'sendmmsg')).toMatchObject({
      message: 'sendmmsg EMSGSIZE',
      code: 'EMSGSIZE',
      errno: -EMSGSIZE,
      syscall: 'sendmmsg',
    });
    expect(systemError(99_999, 'recvmmsg').code).toBe('E99999');
  });
});

describe.runIf(loaded.ok)('a native socket', () => {
  const native = loaded.ok ? loaded.binding : (undefined as never);

  /** Opens a native socket on 127.0.0.1 and a dgram client; resolves batches as arrays of counts. */
  async function pair() {
    const buffer = new ArrayBuffer(native.BUFFER_BYTES);
    const batches: number[] = [];
    let wake: (() => void) | undefined;
    const socket = native.open('127.0.0.1', 0, false, buffer, (n) => {
      batches.push(n);
      wake?.();
    });
    open.push(socket);
    const client = createSocket('udp4');
    open.push(client);
    await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', resolve));
    const next = (): Promise<void> =>
      new Promise((resolve) => {
        wake = resolve;
      });
    return { buffer, batches, socket, client, port: socket.address().port, next };
  }

  it('hands over a datagram with its length, sender and the kernel receive time, and sends a reply', async () => {
    const { buffer, socket, client, port, next } = await pair();
    const view = new DataView(buffer);
    const got = next();
    const before = BigInt(Date.now()) * 1_000_000n;
    client.send('hello', port, '127.0.0.1');
    await got;
    const meta = native.RECV_META_OFF;
    expect(view.getInt32(meta + META_FIELDS.length, true)).toBe(5);
    expect(view.getInt32(meta + META_FIELDS.flags, true) & (FLAG_TRUNCATED | FLAG_NO_TIMESTAMP)).toBe(0);
    expect(view.getUint16(meta + META_FIELDS.family, true)).toBe(4);
    expect(view.getUint16(meta + META_FIELDS.port, true)).toBe(client.address().port);
    expect(native.ntop(buffer, meta)).toBe('127.0.0.1');
    const stamp = view.getBigInt64(meta + META_FIELDS.receiveTime, true);
    expect(stamp - before).toBeGreaterThan(-5_000_000n); // Date.now() is whole milliseconds
    expect(stamp - before).toBeLessThan(5_000_000_000n);
    expect(new TextDecoder().decode(new Uint8Array(buffer, 0, 5))).toBe('hello');

    // Reply to the sender: its address fields copied into send meta 0, the payload into send slot 0.
    const out = native.SEND_META_OFF;
    new Uint8Array(buffer).copyWithin(out + META_FIELDS.family, meta + META_FIELDS.family, meta + 40);
    new Uint8Array(buffer).set(new TextEncoder().encode('world!'), native.SEND_DATA_OFF);
    view.setInt32(out + META_FIELDS.length, 6, true);
    const reply = new Promise<string>((resolve) => client.once('message', (m) => resolve(m.toString())));
    expect(socket.send(1)).toBe(0);
    expect(await reply).toBe('world!');
    expect(socket.stats()).toMatchObject({ datagrams: 1, batches: 1, truncated: 0, noTimestamp: 0 });
  });

  it('cuts a datagram longer than its slot at the slot and flags it', async () => {
    const { buffer, socket, client, port, next } = await pair();
    const got = next();
    client.send(new Uint8Array(5000).fill(7), port, '127.0.0.1');
    await got;
    const view = new DataView(buffer);
    expect(view.getInt32(native.RECV_META_OFF + META_FIELDS.length, true)).toBe(native.SLOT);
    expect(view.getInt32(native.RECV_META_OFF + META_FIELDS.flags, true) & FLAG_TRUNCATED).toBe(
      FLAG_TRUNCATED,
    );
    // The slot after it is untouched.
    expect(new Uint8Array(buffer, native.SLOT, 8)).toEqual(new Uint8Array(8));
    expect(socket.stats().truncated).toBe(1);
  });

  it('takes a burst larger than a batch in several batches, none larger than BATCH', async () => {
    const { batches, socket, client, port } = await pair();
    const total = native.BATCH * 3 + 5;
    for (let i = 0; i < total; i++) client.send(String(i), port, '127.0.0.1');
    const deadline = Date.now() + 5000;
    while (batches.reduce((a, b) => a + b, 0) < total && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(batches.reduce((a, b) => a + b, 0)).toBe(total);
    expect(Math.max(...batches)).toBeLessThanOrEqual(native.BATCH);
    expect(socket.stats().datagrams).toBe(total);
  });

  it('records the errno of each datagram the kernel refuses and sends the rest', async () => {
    const { buffer, socket, client } = await pair();
    const view = new DataView(buffer);
    const meta = (i: number) => native.SEND_META_OFF + i * native.META;
    // 0: to the client; 1: an IPv6 address on an IPv4 socket; 2: longer than a send slot.
    native.pton('127.0.0.1', buffer, meta(0));
    view.setUint16(meta(0) + META_FIELDS.port, client.address().port, true);
    view.setInt32(meta(0) + META_FIELDS.length, 2, true);
    native.pton('::1', buffer, meta(1));
    view.setUint16(meta(1) + META_FIELDS.port, 9, true);
    native.pton('127.0.0.1', buffer, meta(2));
    view.setInt32(meta(2) + META_FIELDS.length, native.SEND_SLOT + 1, true);
    const reply = new Promise<number>((resolve) => client.once('message', (m) => resolve(m.length)));
    expect(socket.send(3)).toBe(2);
    expect(view.getInt32(meta(0) + META_FIELDS.errno, true)).toBe(0);
    expect(view.getInt32(meta(1) + META_FIELDS.errno, true)).toBeGreaterThan(0);
    expect(view.getInt32(meta(2) + META_FIELDS.errno, true)).toBeGreaterThan(0);
    expect(await reply).toBe(2);
  });

  it('converts addresses both ways, with an IPv6 scope id', () => {
    const buffer = new ArrayBuffer(native.BUFFER_BYTES);
    const view = new DataView(buffer);
    expect(native.pton('192.0.2.7', buffer, 0)).toBe(4);
    expect(native.ntop(buffer, 0)).toBe('192.0.2.7');
    expect(native.pton('fe80::1%3', buffer, 96)).toBe(6);
    expect(native.ntop(buffer, 96)).toBe('fe80::1');
    expect(view.getUint32(96 + META_FIELDS.scope, true)).toBe(3);
    expect(native.pton('not an address', buffer, 0)).toBe(0);
  });

  it('refuses bad arguments with a TypeError or RangeError, and a closed socket with EBADF', () => {
    const buffer = new ArrayBuffer(native.BUFFER_BYTES);
    expect(() => native.open('127.0.0.1', 0, false, new ArrayBuffer(8), () => undefined)).toThrow(RangeError);
    expect(() => native.open('localhost', 0, false, buffer, () => undefined)).toThrow(TypeError);
    expect(() => native.open('127.0.0.1', 65_536, false, buffer, () => undefined)).toThrow(RangeError);
    expect(() => native.ntop(buffer, native.BUFFER_BYTES)).toThrow(RangeError);
    const socket = native.open('127.0.0.1', 0, false, buffer, () => undefined);
    expect(() => socket.send(native.BATCH + 1)).toThrow(RangeError);
    socket.close();
    socket.close();
    expect(() => socket.send(1)).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'sendmmsg' }));
  });

  it('fails to bind a port in use with EADDRINUSE, and shares it with reusePort', () => {
    const a = native.open('127.0.0.1', 0, true, new ArrayBuffer(native.BUFFER_BYTES), () => undefined);
    open.push(a);
    const { port } = a.address();
    const b = native.open('127.0.0.1', port, true, new ArrayBuffer(native.BUFFER_BYTES), () => undefined);
    open.push(b);
    expect(b.address().port).toBe(port);
    expect(() =>
      native.open('127.0.0.1', port, false, new ArrayBuffer(native.BUFFER_BYTES), () => undefined),
    ).toThrow(expect.objectContaining({ code: 'EADDRINUSE', syscall: 'bind' }));
  });
});

describe.runIf(loaded.ok)('createPayloadReader', () => {
  const native = loaded.ok ? loaded.binding : (undefined as never);

  it("reads a slot's length from its meta, never past the slot, and keeps the view while the length holds", () => {
    const buffer = new ArrayBuffer(native.BUFFER_BYTES);
    const view = new DataView(buffer);
    const meta = (i: number) => native.RECV_META_OFF + i * native.META;
    const payload = createPayloadReader(native, buffer);
    view.setInt32(meta(0) + META_FIELDS.length, 5, true);
    const first = payload(0);
    expect(first.byteOffset).toBe(0);
    expect(first.length).toBe(5);
    expect(payload(0)).toBe(first); // same length: the same view
    view.setInt32(meta(0) + META_FIELDS.length, 7, true);
    expect(payload(0).length).toBe(7);
    // Slot 1: flagged truncated, or a stated length beyond the slot, or negative.
    view.setInt32(meta(1) + META_FIELDS.length, 3, true);
    view.setInt32(meta(1) + META_FIELDS.flags, FLAG_TRUNCATED, true);
    expect(payload(1)).toMatchObject({ byteOffset: native.SLOT, length: native.SLOT });
    view.setInt32(meta(1) + META_FIELDS.flags, 0, true);
    view.setInt32(meta(1) + META_FIELDS.length, native.SLOT + 100, true);
    expect(payload(1).length).toBe(native.SLOT);
    view.setInt32(meta(1) + META_FIELDS.length, -4, true);
    expect(payload(1).length).toBe(0);
  });
});
