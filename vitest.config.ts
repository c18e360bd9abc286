import { defineConfig } from 'vitest/config';

/** One vitest project per workspace package; `vitest run --project NAME` runs one of them. */
const project = (
  name: string,
  root: string,
  testTimeout = 10_000,
  extra: { include?: string[]; env?: Record<string, string> } = {},
) => ({
  test: {
    name,
    root,
    include: extra.include ?? ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout,
    ...(extra.env ? { env: extra.env } : {}),
  },
});

export default defineConfig({
  test: {
    projects: [
      project('@tock/protocol', 'packages/protocol'),
      project('@tock/server', 'packages/server'),
      // tockd's fallback transport (node:dgram) passes the same tests as the batched native one.
      project('@tock/server:dgram', 'packages/server', 10_000, { env: { TOCK_IO: 'dgram' } }),
      // The native addon's memory test, run under valgrind.
      project('@tock/server:valgrind', 'packages/server', 120_000, {
        include: ['src/io/native-memory.test.ts'],
        env: { TOCK_VALGRIND: '1' },
      }),
      project('@tock/udp', 'packages/udp'),
      // The shared test utilities (process runner, ports, peer servers) test themselves.
      project('@tock/test-utils', 'tooling/test-utils', 20_000),
      project('@tock/client', 'packages/client'),
      project('@tock/loadgen', 'packages/loadgen'),
      project('@tock/cli-kit', 'tooling/cli'),
      // Tests that start real servers and cross packages (interop with chronyd, ntpdig, rdate, the lab servers).
      project('@tock/tests', 'tests', 30_000),
      project('@tock/tests:dgram', 'tests', 30_000, {
        include: ['test/server/**/*.test.ts'],
        env: { TOCK_IO: 'dgram' },
      }),
      // The documentation site: its generators, and the built site in headless Chromium.
      project('docs', 'apps/docs', 120_000),
    ],
  },
});
