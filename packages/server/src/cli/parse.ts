import { readFileSync } from 'node:fs';
import { nearest, parseFlags, quote, readEnvironment, UsageError } from '@tock/cli-kit';
import { ServerError } from '../errors.ts';
import { ServerOptionsSchema, type ServerSettings } from '../options.ts';
import { CONFIG_ONLY_KEYS, envName, FLAGS, type Flag } from './flags.ts';

/** What the command line asks for: help, the version, or to serve with these settings. */
export type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | {
      readonly kind: 'serve';
      readonly settings: ServerSettings;
      /** Things worth a warning that did not stop tockd, such as an unknown `TOCK_*` variable that looks like a typo. */
      readonly warnings: readonly string[];
      /** The `--config` file read, if any. */
      readonly configFile?: string;
    };

/** Where settings come from besides the flags; both default to nothing, so that parsing is pure. */
export interface ConfigSources {
  /** Environment variables (`process.env`): `TOCK_PORT` and the others. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Reads the `--config` file (default: `readFileSync(path, 'utf8')`). */
  readonly readFile?: (path: string) => string;
}

const byName = new Map(FLAGS.map((f) => [f.name, f]));
const byKey = new Map(FLAGS.flatMap((f) => (f.configKey === undefined ? [] : [[f.configKey, f] as const])));

type Input = Record<string, unknown>;
interface Given {
  readonly flag: Flag;
  readonly raw: string;
}

/**
 * Reads `tockd`'s configuration: flags (`argv`, without `node` and the script), then `TOCK_*` environment
 * variables, then the `--config` file (or `TOCK_CONFIG`), then the defaults, in that order of precedence,
 * all validated by one schema, `ServerOptionsSchema`. `--help` and `--version` win over anything else.
 *
 * @throws UsageError (`USAGE`) naming the flag that is wrong and what it allows; ServerError
 *   `INVALID_CONFIG` naming the environment variable or the file and key that is wrong.
 */
export function parseCommandLine(argv: readonly string[], sources: ConfigSources = {}): Command {
  const line = parseFlags(FLAGS, argv);
  if (line.help) return { kind: 'help' };
  if (line.version) return { kind: 'version' };
  const [stray] = line.positionals;
  if (stray !== undefined)
    throw new UsageError(`unexpected argument ${quote(stray)}: tockd takes only flags`);

  const fromFlags: Input = {};
  const flagGiven = new Map<string, Given>();
  for (const [name, value] of line.values) {
    const flag = byName.get(name)!;
    if (flag.path === undefined) continue;
    setPath(fromFlags, flag.path, value);
    flagGiven.set(flag.configKey!, { flag, raw: line.raw.get(name)! });
  }
  let configPath = line.values.get('config') as string | undefined;

  const env = readEnvironment(FLAGS, sources.env ?? {}, 'TOCK_', config);
  const fromEnv: Input = {};
  const envGiven = new Map<string, Given>();
  for (const [name, value] of env.values) {
    const flag = byName.get(name)!;
    if (flag.path === undefined) continue;
    setPath(fromEnv, flag.path, value);
    envGiven.set(flag.configKey!, { flag, raw: env.raw.get(name)! });
  }
  const warnings = [...env.warnings];
  configPath ??= env.values.get('config') as string | undefined;

  const fromFile = configPath === undefined ? {} : readConfig(configPath, sources.readFile);
  const merged = merge(merge(fromFile, fromEnv), fromFlags);
  const parsed = ServerOptionsSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.filter((p): p is string => typeof p === 'string');
    if (issue.code === 'unrecognized_keys') {
      const parent = path.join('.');
      const key = issue.keys[0]!;
      const known = knownKeys(parent);
      const near = nearest(key, known);
      const full = parent === '' ? key : `${parent}.${key}`;
      throw config(
        `${configPath}: unknown key ${quote(full)}; ${near === undefined ? `the keys${parent === '' ? '' : ` of ${quote(parent)}`} are ${known.join(', ')}` : `did you mean ${quote(parent === '' ? near : `${parent}.${near}`)}?`}`,
      );
    }
    // The leaf the issue is about: an option, or a list such as rateLimit.exempt.
    const key = path.slice(0, 2).join('.');
    const flagBad = flagGiven.get(key);
    if (flagBad !== undefined) throw badFlag(flagBad.flag, flagBad.raw);
    const envBad = envGiven.get(key);
    if (envBad !== undefined) throw badEnv(envBad.flag, envBad.raw);
    const allowed = byKey.get(key)?.allowed ?? CONFIG_ONLY_KEYS.find((k) => k.key === key)?.allowed;
    const value = valueAt(merged, path.slice(0, 2));
    const shown = value === undefined ? 'missing' : describe(value);
    throw config(
      `${configPath ?? 'options'}: ${quote(key)} ${allowed === undefined ? `is wrong (${issue.message})` : `must be ${allowed}`}, not ${shown}`,
    );
  }
  return {
    kind: 'serve',
    settings: parsed.data,
    warnings,
    ...(configPath === undefined ? {} : { configFile: configPath }),
  };
}

function readConfig(
  path: string,
  readFile: ConfigSources['readFile'] = (p) => readFileSync(p, 'utf8'),
): Input {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : error instanceof Error
              ? error.message
              : String(error);
    throw config(`cannot read the config file ${path}: ${reason}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw config(`${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw config(`${path} must hold a JSON object, such as {"port": 123}`);
  return value as Input;
}

/** The keys the schema knows at `parent` (`''` for the top level, or `ntp`, `rateLimit`, `metrics`). */
function knownKeys(parent: string): string[] {
  const top = ServerOptionsSchema.shape as Record<string, unknown>;
  if (parent === '') return Object.keys(top);
  const inner = top[parent] as { unwrap?: () => { shape?: Record<string, unknown> } } | undefined;
  return Object.keys(inner?.unwrap?.().shape ?? {});
}

/** `b` over `a`, one level deep for nested option groups. */
function merge(a: Input, b: Input): Input {
  const out: Input = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const base = out[key];
    out[key] =
      isPlainObject(base) && isPlainObject(value) ? { ...(base as Input), ...(value as Input) } : value;
  }
  return out;
}

const isPlainObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);

function valueAt(input: Input, path: readonly string[]): unknown {
  let value: unknown = input;
  for (const key of path) value = isPlainObject(value) ? (value as Input)[key] : undefined;
  return value;
}

function setPath(target: Input, path: NonNullable<Flag['path']>, value: unknown): void {
  const [head, tail] = path;
  if (tail === undefined) {
    target[head] = value;
    return;
  }
  const inner = (target[head] as Input | undefined) ?? {};
  inner[tail] = value;
  target[head] = inner;
}

function config(message: string): ServerError {
  return new ServerError('INVALID_CONFIG', message);
}

function badFlag(flag: Flag, raw: string): UsageError {
  return new UsageError(`--${flag.name} must be ${flag.allowed}, not ${quote(raw)}`);
}

function badEnv(flag: Flag, raw: string): ServerError {
  return config(`${envName(flag)} must be ${flag.allowed}, not ${quote(raw)}`);
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 42 ? `${text.slice(0, 38)}...` : text;
}
