import { defineConfig } from 'vitest/config';

/** One vitest project per workspace package; `vitest run --project NAME` runs one of them. */
const project = (name: string, root: string, testTimeout = 10_000) => ({
  test: {
    name,
    root,
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout,
  },
});

export default defineConfig({
  test: {
    projects: [
      project('@tock/protocol', 'packages/protocol'),
      project('@tock/server', 'packages/server'),
      project('@tock/client', 'packages/client'),
      project('@tock/loadgen', 'packages/loadgen'),
      // Tests that start real servers and cross packages (interop with chronyd, ntpdig, rdate, the lab servers).
      project('@tock/tests', 'tests', 30_000),
      // The documentation site: its generators, and the built site in headless Chromium.
      project('docs', 'apps/docs', 120_000),
    ],
  },
});
