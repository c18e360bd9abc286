import type { UserConfig } from 'tsdown';
import { tockBuild } from '../../tsdown.config.base.ts';

// `index`: the library (createServer and its types). `cli`: what bin/tockd.js runs (main), not exported.
// `worker`: the module each worker thread runs (src/workers/thread.ts), loaded by URL, not exported.
const config: UserConfig = tockBuild(
  {
    index: 'src/index.ts',
    cli: 'src/cli/main.ts',
    worker: 'src/workers/thread.ts',
  },
  { bundle: ['@tock/cli-kit'] },
);
export default config;
