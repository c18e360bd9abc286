import type { UserConfig } from 'tsdown';
import { tockBuild } from '../../tsdown.config.base.ts';

// `index`: the addon's loader and the types of its buffer layout.
const config: UserConfig = tockBuild({ index: 'src/index.ts' });
export default config;
