#!/usr/bin/env node
// tockd: the built CLI does the work; see src/cli/main.ts.
// In a checkout that has not been built yet, dist/ (or a dependency's) is missing: say what to run.
const cli = await import('../dist/cli.mjs').catch((error) => {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  const what = error.message.split('\n')[0];
  process.stderr.write(
    `tockd: its build is missing (${what}).\nIn a clone of the tock repository, build it first: ./dev build\n`,
  );
  process.exit(70);
});
process.exitCode = await cli.main(process.argv.slice(2));
