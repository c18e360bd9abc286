#!/usr/bin/env node
// The `tock` command: a thin launcher for the built CLI (src/cli/main.ts), which turns every outcome into
// an exit status.
// In a checkout that has not been built yet, dist/ (or a dependency's) is missing: say what to run.
const cli = await import('../dist/cli.mjs').catch((error) => {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  const what = error.message.split('\n')[0];
  process.stderr.write(
    `tock: its build is missing (${what}).\nIn a clone of the tock repository, build it first: ./dev build\n`,
  );
  process.exit(70);
});
process.exitCode = await cli.main(process.argv.slice(2));
