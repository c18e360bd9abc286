import type { UserConfig } from 'tsdown';
import { tockBuild } from '../../tsdown.config.base.ts';

// `index`: the library (`@tock/client`); `cli`: the `tock` program (`@tock/client/cli`, run by bin/tock.js).
// `@tock/cli-kit` (private, a devDependency) is bundled into both, code and types.
const config: UserConfig = tockBuild(
  { index: 'src/index.ts', cli: 'src/cli/main.ts' },
  { bundle: ['@tock/cli-kit'] },
);
export default config;
