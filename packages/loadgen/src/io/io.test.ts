import { createSocket, type Socket } from 'node:dgram';
import { loadBatchedUdp } from '@tock/udp';
import { afterEach, describe, expect, it } from 'vitest';
import { createBatchedIo } from './batched.ts';
import { createDgramIo } from './dgram.ts';
import { chooseIo } from './index.ts';
import type { ClientIo, ClientSocket, IoTarget } from './types.ts';

const loaded = loadBatchedUdp();

/**
 * A UDP server that echoes every datagram, prefixed with `>`; with `stranger`, a second socket (another
 * port) answers every datagram too, prefixed with `!`: a reply the client must not see.
 */
async function echoServer(host: string, stranger = false): Promise<{ target: IoTarget; close(): void }> {
  const family = host.includes(':') ? 6 : 4;
  const bind = (socket: Socket): Promise<void> => new Promise((resolve) => socket.bind(0, host, resolve));
  const main = createSocket(family === 6 ? 'udp6' : 'udp4');
  const other = createSocket(family === 6 ? 'udp6' : 'udp4');
  await Promise.all([bind(main), bind(other)]);
  main.on('message', (bytes, from) => {
    main.send(Buffer.concat([Buffer.from('>'), bytes]), from.port, from.address);
    if (stranger) other.send(Buffer.concat([Buffer.from('!'), bytes]), from.port, from.address);
  });
  return {
    target: { address: host, family, port: main.address().port },
    close() {
      main.close();
      other.close();
    },
  };
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const factories: Array<[string, ((target: IoTarget) => ClientIo) | undefined]> = [
  ['dgram', createDgramIo],
  ['batched', loaded.ok ? (target) => createBatchedIo(loaded.binding, target) : undefined],
];

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString();
const until = async (done: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 5));
};

describe.each(factories)('%s client sockets', (name, make) => {
  it.skipIf(make === undefined).each(['127.0.0.1', '::1'])(
    'give each socket its own replies (%s), only from the server, and stop at close()',
    async (host) => {
      const server = await echoServer(host, true);
      cleanups.push(server.close);
      const io = make!(server.target);
      expect(io.name).toBe(name);
      const got: string[][] = [[], [], []];
      const errors: Error[] = [];
      const sockets: ClientSocket[] = [];
      for (let i = 0; i < 3; i++) {
        sockets.push(
          await io.open({
            // The bytes may be a reused view: read them now.
            onReply: (bytes) => got[i]!.push(text(bytes)),
            onError: (error) => errors.push(error),
          }),
        );
      }
      for (let round = 0; round < 20; round++) {
        for (let i = 0; i < 3; i++) sockets[i]!.send(new TextEncoder().encode(`${i}:${round}`));
      }
      await until(() => got.every((g) => g.length >= 20));
      // Replies from the stranger's port would have come by now, too.
      await new Promise((r) => setTimeout(r, 50));
      for (let i = 0; i < 3; i++) {
        expect(got[i]!.toSorted()).toEqual(Array.from({ length: 20 }, (_, r) => `>${i}:${r}`).toSorted());
      }
      expect(errors).toEqual([]);

      sockets[0]!.send(new TextEncoder().encode('in flight'));
      sockets[0]!.close();
      sockets[0]!.close();
      sockets[0]!.send(new TextEncoder().encode('after close'));
      sockets[1]!.send(new TextEncoder().encode('still open'));
      await until(() => got[1]!.length > 20);
      await new Promise((r) => setTimeout(r, 50));
      expect(got[0]).toHaveLength(20);
      expect(got[1]!.at(-1)).toBe('>still open');
      for (const s of sockets) s.close();
    },
  );
});

describe.skipIf(!loaded.ok)('batched client sockets', () => {
  it('report a datagram too long for a send slot as a socket error (EMSGSIZE)', async () => {
    const server = await echoServer('127.0.0.1');
    cleanups.push(server.close);
    if (!loaded.ok) return;
    const errors: Error[] = [];
    const socket = await createBatchedIo(loaded.binding, server.target).open({
      onReply: () => undefined,
      onError: (error) => errors.push(error),
    });
    socket.send(new Uint8Array(loaded.binding.SEND_SLOT + 1));
    expect((errors[0] as NodeJS.ErrnoException | undefined)?.code).toBe('EMSGSIZE');
    socket.close();
  });

  it('share one buffer: hundreds of sockets, each answered correctly, interleaved', async () => {
    const server = await echoServer('127.0.0.1');
    cleanups.push(server.close);
    if (!loaded.ok) return;
    const io = createBatchedIo(loaded.binding, server.target);
    const n = 300;
    const got: string[] = new Array(n).fill('');
    const sockets: ClientSocket[] = [];
    for (let i = 0; i < n; i++) {
      sockets.push(
        await io.open({
          onReply: (bytes) => {
            got[i] += text(bytes);
          },
          onError: (error) => {
            throw error;
          },
        }),
      );
    }
    // In waves, so that the echo server's receive queue never overflows.
    for (let wave = 0; wave < n; wave += 50) {
      for (let i = wave; i < wave + 50; i++) {
        sockets[i]!.send(new TextEncoder().encode(`${i}`.repeat((i % 7) + 1)));
      }
      await until(() => got.slice(wave, wave + 50).every((g) => g !== ''));
    }
    for (let i = 0; i < n; i++) expect(got[i]).toBe(`>${`${i}`.repeat((i % 7) + 1)}`);
    for (const s of sockets) s.close();
  });
});

describe('chooseIo', () => {
  it('gives dgram when asked, and batched where the addon loads', () => {
    expect(chooseIo('dgram')).toEqual({ io: 'dgram', fallback: undefined });
    expect(chooseIo('batched', '127.0.0.1').io).toBe(loaded.ok ? 'batched' : 'dgram');
  });

  it('falls back to dgram for an IPv6 scope the addon cannot take (an interface name)', () => {
    expect(chooseIo('batched', 'fe80::1%eth0')).toEqual({
      io: 'dgram',
      fallback: 'the batched I/O addon takes numeric IPv6 scopes only, not fe80::1%eth0',
    });
    expect(chooseIo('batched', 'fe80::1%2').io).toBe(loaded.ok ? 'batched' : 'dgram');
  });
});
