import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ServerError, type ServerErrorCode } from '../errors.ts';
import { ServerOptionsSchema, type ServerSettings } from '../options.ts';
import {
  CONFIG_ONLY_KEYS,
  configKey,
  convertValue,
  envName,
  FLAGS,
  type Flag,
  type FlagTarget,
} from './flags.ts';

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

type ParseArgsOptions = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

const parseArgsOptions: ParseArgsOptions = Object.fromEntries(
  FLAGS.map((f) => [f.name, f.short === undefined ? { type: f.type } : { type: f.type, short: f.short }]),
);

const byName = new Map(FLAGS.map((f) => [f.name, f]));
const byKey = new Map(FLAGS.flatMap((f) => (f.target === undefined ? [] : [[configKey(f)!, f] as const])));
const CONFIG_ENV = 'TOCK_CONFIG';
const KNOWN_ENV = new Set([...FLAGS.filter((f) => f.target !== undefined).map(envName), CONFIG_ENV]);

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
 * @throws ServerError `USAGE` naming the flag that is wrong and what it allows; `INVALID_CONFIG` naming the
 *   environment variable or the file and key that is wrong.
 */
export function parseCommandLine(argv: readonly string[], sources: ConfigSources = {}): Command {
  const { tokens } = parseArgs({
    args: [...argv],
    options: parseArgsOptions,
    strict: false,
    allowPositionals: true,
    allowNegative: true,
    tokens: true,
  });
  if (tokens.some((t) => t.kind === 'option' && t.name === 'help')) return { kind: 'help' };
  if (tokens.some((t) => t.kind === 'option' && t.name === 'version')) return { kind: 'version' };

  const fromFlags: Input = {};
  const flagGiven = new Map<string, Given>();
  let configPath: string | undefined;
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      throw usage(`unexpected argument ${quote(token.value)}: tockd takes only flags`);
    }
    const negated = token.rawName.startsWith('--no-');
    const flag = byName.get(token.name);
    if (flag === undefined || (negated && flag.target?.kind !== 'boolean'))
      throw usage(unknownFlag(token.rawName));
    if (flag.type === 'boolean') {
      if (token.value !== undefined) throw usage(`--${flag.name} takes no value`);
      if (flag.target !== undefined) {
        setPath(fromFlags, flag.target.path, !negated);
        flagGiven.set(configKey(flag)!, { flag, raw: token.rawName });
      }
      continue;
    }
    if (token.value === undefined) throw usage(`--${flag.name} needs a value: ${flag.allowed}`);
    if (flag.target === undefined) {
      configPath = token.value; // --config
      continue;
    }
    const value = convertValue(flag.target.kind, token.value);
    if (value === undefined) throw badFlag(flag, token.value);
    setPath(fromFlags, flag.target.path, value);
    flagGiven.set(configKey(flag)!, { flag, raw: token.value });
  }

  const env = sources.env ?? {};
  const fromEnv: Input = {};
  const envGiven = new Map<string, Given>();
  for (const flag of FLAGS) {
    if (flag.target === undefined) continue;
    const raw = env[envName(flag)];
    if (raw === undefined || raw === '') continue;
    const value = convertValue(flag.target.kind, raw);
    if (value === undefined) throw badEnv(flag, raw);
    setPath(fromEnv, flag.target.path, value);
    envGiven.set(configKey(flag)!, { flag, raw });
  }
  const warnings: string[] = [];
  for (const name of Object.keys(env)) {
    if (!name.startsWith('TOCK_') || KNOWN_ENV.has(name)) continue;
    const near = nearest(name, [...KNOWN_ENV]);
    if (near !== undefined)
      warnings.push(`unknown environment variable ${name} is ignored; did you mean ${near}?`);
  }
  if (configPath === undefined && env[CONFIG_ENV] !== undefined && env[CONFIG_ENV] !== '')
    configPath = env[CONFIG_ENV];

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

function setPath(target: Input, path: FlagTarget['path'], value: unknown): void {
  const [head, tail] = path;
  if (tail === undefined) {
    target[head] = value;
    return;
  }
  const inner = (target[head] as Input | undefined) ?? {};
  inner[tail] = value;
  target[head] = inner;
}

function usage(message: string): ServerError {
  return new ServerError('USAGE', message);
}

function config(message: string, code: ServerErrorCode = 'INVALID_CONFIG'): ServerError {
  return new ServerError(code, message);
}

function badFlag(flag: Flag, raw: string): ServerError {
  return usage(`--${flag.name} must be ${flag.allowed}, not ${quote(raw)}`);
}

function badEnv(flag: Flag, raw: string): ServerError {
  return config(`${envName(flag)} must be ${flag.allowed}, not ${quote(raw)}`);
}

function quote(text: string): string {
  const q = JSON.stringify(text);
  return q.length > 42 ? `${q.slice(0, 38)}..."` : q;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 42 ? `${text.slice(0, 38)}...` : text;
}

function unknownFlag(rawName: string): string {
  const near = nearest(
    rawName.replace(/^-+/, ''),
    FLAGS.map((f) => f.name),
  );
  return `unknown flag ${quote(rawName).slice(1, -1)}${near === undefined ? '' : `; did you mean --${near}?`}`;
}

/**
 * The candidate closest to `word` (case-insensitive), if within 2 edits and fewer edits than `word` has
 * letters (so that `-x` does not suggest `--io`).
 */
function nearest(word: string, candidates: readonly string[]): string | undefined {
  return candidates
    .map((c) => ({ c, d: distance(word.toLowerCase(), c.toLowerCase()) }))
    .filter(({ d }) => d <= 2 && d < word.length)
    .sort((a, b) => a.d - b.d)[0]?.c;
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}
