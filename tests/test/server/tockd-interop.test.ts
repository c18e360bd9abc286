// tockd against clients that are not ours: the networking lab's client (Python, nc, socat), rdate's SNTP,
// chronyd's full NTP checks and ntpdig (on port 123 inside a user and network namespace).
import { parseTimeLine } from '@tock/protocol';
import { bestOf, needProgram, offsetError, run, stopAll } from '@tock/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { CTIME_LINE, chronydQuery, type RunningTockd, startTockd, TOCKD } from './support.ts';

afterAll(stopAll);

/** The largest clock offset a peer may measure against tockd on loopback, in seconds. */
const MAX_OFFSET_S = 0.005;
const machineZone = new Intl.DateTimeFormat().resolvedOptions().timeZone;

async function withTockd(
  args: readonly string[],
  body: (tockd: RunningTockd) => Promise<void>,
): Promise<void> {
  const tockd = await startTockd(['--port', '0', ...args]);
  try {
    await body(tockd);
  } finally {
    expect(await tockd.stop()).toEqual({ code: 0, signal: null });
  }
}

/** Checks a ctime line (read in the machine's zone, tockd's default) is within 2 s of now. */
function expectNow(line: string): void {
  const parsed = parseTimeLine(line, machineZone);
  expect(parsed, line).toBeDefined();
  const shownMs = Number(parsed!.instant / 1_000_000n);
  expect(Math.abs(shownMs - Date.now())).toBeLessThan(2000);
}

// The lab's client (seeds/001, "Client Code"), in Python 3, with a timeout added.
const LAB_CLIENT = `
import socket, sys
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(5)
sock.sendto(str.encode("Time request"), ("127.0.0.1", int(sys.argv[1])))
reply = sock.recvfrom(1024)
print(f"Reply from time server: {reply[0].decode()}", end="")
`;

describe('tockd and the lab client', () => {
  it('the Python lab client gets a ctime line with CRLF', async (ctx) => {
    const python = needProgram('python3', 'Debian package python3', ctx);
    await withTockd([], async (tockd) => {
      const r = await run(python, ['-c', LAB_CLIENT, String(tockd.port)], { timeoutMs: 30_000 });
      expect(r.code, r.stderr).toBe(0);
      const line = r.stdout.replace(/^Reply from time server: /, '');
      expect(line).toMatch(CTIME_LINE);
      expectNow(line);
    });
  });

  it('`nc -u` sending "Time request" gets exactly one ctime line and CRLF', async (ctx) => {
    const nc = needProgram('nc', 'Debian package netcat-openbsd', ctx);
    await withTockd([], async (tockd) => {
      const r = await run(nc, ['-u', '-w1', '127.0.0.1', String(tockd.port)], {
        input: 'Time request',
        timeoutMs: 30_000,
      });
      expect(r.stdout, JSON.stringify({ ...r, tockd: tockd.output() })).toMatch(CTIME_LINE);
      expectNow(r.stdout);
    });
  });

  it('`socat` gets the format it asks for', async (ctx) => {
    const socat = needProgram('socat', 'Debian package socat', ctx);
    await withTockd([], async (tockd) => {
      const r = await run(socat, ['-T1', '-', `UDP:127.0.0.1:${tockd.port}`], {
        input: 'iso',
        timeoutMs: 30_000,
      });
      expect(r.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d\d:\d\d)\r\n$/);
      expect(Math.abs(Date.parse(r.stdout.trim()) - Date.now())).toBeLessThan(2000);
    });
  });
});

describe('tockd and NTP clients', () => {
  it('rdate -n (SNTP) accepts it and would adjust the clock by less than 5 ms', async (ctx) => {
    const rdate = needProgram('rdate', 'Debian package rdate', ctx);
    await withTockd([], async (tockd) => {
      const adjustment = async () => {
        const r = await run(rdate, ['-p', '-n', '-v', '-o', String(tockd.port), '127.0.0.1'], {
          timeoutMs: 30_000,
        });
        const m = /adjust local clock by (-?[\d.]+) seconds/.exec(r.stdout + r.stderr);
        return { r, offsetS: m === null ? null : Number(m[1]) };
      };
      // The best of up to three: a busy machine can delay one exchange by milliseconds.
      const { r, offsetS } = await bestOf(3, adjustment, offsetError(0), MAX_OFFSET_S);
      expect(r.code, r.stderr).toBe(0);
      expect(offsetS, r.stdout + r.stderr).not.toBeNull();
      const offset = offsetS!;
      console.log(`rdate -n against tockd: adjust local clock by ${offset} s`);
      expect(Math.abs(offset)).toBeLessThan(MAX_OFFSET_S);
    });
  });

  it('chronyd -Q accepts it after full RFC 5905 checks: clock wrong by less than 5 ms', async (ctx) => {
    const chronyd = needProgram('chronyd', 'Debian package chrony', ctx);
    await withTockd([], async (tockd) => {
      const q = await bestOf(3, () => chronydQuery(chronyd, tockd.port), offsetError(0), MAX_OFFSET_S);
      expect(q.code, q.output).toBe(0);
      expect(q.offsetS, q.output).not.toBeNull();
      const offset = q.offsetS!;
      console.log(`chronyd -Q against tockd: system clock wrong by ${offset} s`);
      expect(Math.abs(offset)).toBeLessThan(MAX_OFFSET_S);
    });
  });

  it('ntpdig accepts it on port 123 inside a user and network namespace: |offset| < 5 ms', async (ctx) => {
    const unshare = needProgram('unshare', 'Debian package util-linux', ctx);
    needProgram('ip', 'Debian package iproute2', ctx);
    needProgram('ntpdig', 'Debian package ntpsec-ntpdig', ctx);
    // Inside the namespace: loopback up, tockd on 123 writing to a FIFO, wait for its listening line, query
    // it with ntpdig three times (a busy machine can delay one exchange by milliseconds; a wrong clock shows
    // in all three, and ntpdig reports no delay to bound the error with), then SIGTERM it and report its
    // exit status.
    const script = `
      set -u
      ip link set lo up
      dir=$(mktemp -d)
      trap 'rm -rf "$dir"' EXIT
      mkfifo "$dir/out"
      "$NODE" "$TOCKD" --port 123 >"$dir/out" 2>&1 &
      pid=$!
      exec 3<"$dir/out"
      read -r line <&3
      echo "tockd: $line"
      for attempt in 1 2 3; do
        ntpdig -j -t 2 127.0.0.1
        echo "ntpdig exit: $?"
      done
      kill -TERM "$pid"
      wait "$pid"
      echo "tockd exit: $?"
    `;
    // tockd starts inside the namespace, in a fresh Node: on a busy machine that alone can take many seconds.
    const r = await run(unshare, ['-rn', 'sh', '-c', script], {
      timeoutMs: 60_000,
      env: { ...process.env, NODE: process.execPath, TOCKD },
      group: true,
    });
    const output = r.stdout + r.stderr;
    expect(r.code, output).toBe(0);
    expect(output).toMatch(/tockd: \{.*"event":"listening".*listening on udp 127\.0\.0\.1:123 /);
    expect(output.match(/ntpdig exit: \d+/g), output).toEqual(Array(3).fill('ntpdig exit: 0'));
    expect(output).toContain('tockd exit: 0');
    const replies = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { offset: number; stratum: number; leap: string });
    expect(replies, output).toHaveLength(3);
    console.log(`ntpdig -j against tockd: offsets ${replies.map((reply) => reply.offset).join(', ')} s`);
    for (const reply of replies) {
      expect(reply.stratum).toBe(2);
      expect(reply.leap).toBe('no-leap');
    }
    expect(Math.min(...replies.map((reply) => Math.abs(reply.offset)))).toBeLessThan(MAX_OFFSET_S);
  }, 90_000);
});
