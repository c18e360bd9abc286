import { fileURLToPath } from 'node:url';

/** The repository's root (with a trailing slash). */
export const REPO_ROOT: string = fileURLToPath(new URL('../../../', import.meta.url));
