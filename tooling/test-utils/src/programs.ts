/**
 * Is a program installed? One lookup, and one convention for the peers a test needs (chronyd, ntpdig,
 * python3, …): missing on a developer's machine, the test is skipped with the reason; missing under CI
 * (`CI` set, where scripts/system-deps.sh installs them all), it is a failure.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where `name` is on PATH (or in the sbin folders, where chronyd lives), or undefined. */
export function findProgram(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A program a test needs: its path, or why the test is skipped without it. */
export type Need =
  | { readonly path: string; readonly skip?: undefined }
  | { readonly path?: undefined; readonly skip: string };

/** The part of vitest's test context that skips the test. */
export interface SkipContext {
  skip(note?: string): never;
}

/**
 * Finds a program a test needs; `from` says where it comes from (`Debian package chrony`). Missing: a
 * reason to skip, or an error under CI. With a test context, returns the path or skips that test.
 */
export function needProgram(name: string, from: string): Need;
export function needProgram(name: string, from: string, ctx: SkipContext): string;
export function needProgram(name: string, from: string, ctx?: SkipContext): Need | string {
  const path = findProgram(name);
  if (path !== undefined) return ctx === undefined ? { path } : path;
  const reason = `${name} is not installed (${from})`;
  if (process.env['CI']) throw new Error(`${reason}, and CI is set: a missing test peer is a failure there`);
  return ctx === undefined ? { skip: reason } : ctx.skip(reason);
}
