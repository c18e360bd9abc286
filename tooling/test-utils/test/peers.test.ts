import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  exchange,
  needProgram,
  startChronyd,
  startLabServer,
  startListening,
  stopAll,
} from '../src/index.ts';

afterAll(stopAll);

describe('startListening', () => {
  it('reads the port of a listening line even when it arrives in two pieces', async () => {
    // The port is split across two writes: the first piece alone must not be taken for port 12.
    const script =
      'process.stdout.write("listening 127.0.0.1 12"); setTimeout(() => process.stdout.write("345\\n"), 200); setInterval(() => {}, 1000)';
    const server = await startListening(process.execPath, ['-e', script]);
    expect([server.target, server.port]).toEqual(['127.0.0.1:12345', 12345]);
    await server.stop();
  });

  it("reads tockd's listening line, a wildcard address on loopback", async () => {
    const script =
      'console.log(JSON.stringify({ msg: "tockd 1.0.0 listening on udp [::]:5005 (text)" })); setInterval(() => {}, 1000)';
    const server = await startListening(process.execPath, ['-e', script]);
    expect([server.host, server.target]).toEqual(['::1', '[::1]:5005']);
    await server.stop();
  });
});

describe('the peer servers', () => {
  it('startLabServer starts a lab server that answers with a ctime line', async (ctx) => {
    const python = needProgram('python3', 'Debian package python3', ctx);
    const lab = await startLabServer('crlf', { python });
    const reply = (await exchange('Time request', lab.port)).toString('latin1');
    expect(reply).toMatch(/^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\r\n$/);
    await lab.stop();
  });

  it('startChronyd starts chronyd answering NTP, and its folder is gone once it stops', async (ctx) => {
    const path = needProgram('chronyd', 'Debian package chrony', ctx);
    const chronyd = await startChronyd({ path });
    const conf = /-f (\S+)/.exec(chronyd.command)![1]!;

    expect(existsSync(conf)).toBe(true);
    const reply = await exchange(Buffer.from([0x23, ...new Array<number>(46).fill(0), 1]), chronyd.port);
    expect(reply).toHaveLength(48);
    expect(reply[0]! & 7).toBe(4); // mode 4: server
    expect(reply[1]).toBe(8); // local stratum 8
    await chronyd.stop();
    expect(existsSync(conf)).toBe(false);
  }, 20_000);
});
