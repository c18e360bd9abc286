import type { UserConfig } from 'tsdown';
import { tockBuild } from '../../tsdown.config.base.ts';

// `index`: the library. `cli`: what bin/tock-loadgen.js runs (main), also exported as `@tock/loadgen/cli` for
// its CLI_REFERENCE. `worker`: the worker thread entry that run() starts (dist/worker.mjs, found next to the
// code that starts it).
const config: UserConfig = tockBuild(
  {
    index: 'src/index.ts',
    cli: 'src/cli/main.ts',
    worker: 'src/worker/main.ts',
  },
  { bundle: ['@tock/cli-kit'] },
);
export default config;
