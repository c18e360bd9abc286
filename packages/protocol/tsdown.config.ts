import type { UserConfig } from 'tsdown';
import { tockBuild } from '../../tsdown.config.base.ts';

const config: UserConfig = tockBuild({ index: 'src/index.ts' });
export default config;
