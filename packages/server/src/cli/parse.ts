import { parseArgs } from 'node:util';
import { ServerError } from '../errors.ts';
import { ServerOptionsSchema, type ServerSettings } from '../options.ts';
import { FLAGS, type Flag, type FlagTarget } from './flags.ts';

/** What the command line asks for: help, the version, or to serve with these settings. */
export type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'serve'; readonly settings: ServerSettings };

type ParseArgsOptions = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

const parseArgsOptions: ParseArgsOptions = Object.fromEntries(
  FLAGS.map((f) => [f.name, f.short === undefined ? { type: f.type } : { type: f.type, short: f.short }]),
);

const byName = new Map(FLAGS.map((f) => [f.name, f]));

/**
 * Reads `tockd`'s arguments (without `node` and the script). `--help` and `--version` win over anything
 * else; otherwise every flag is checked and the options validated with the server's schema.
 *
 * @throws ServerError `USAGE` naming the flag that is wrong and what it allows.
 */
export function parseCommandLine(argv: readonly string[]): Command {
  const { tokens } = parseArgs({
    args: [...argv],
    options: parseArgsOptions,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  if (tokens.some((t) => t.kind === 'option' && t.name === 'help')) return { kind: 'help' };
  if (tokens.some((t) => t.kind === 'option' && t.name === 'version')) return { kind: 'version' };

  const input: Record<string, unknown> = {};
  const given = new Map<string, { flag: Flag; raw: string }>();
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      throw usage(`unexpected argument ${quote(token.value)}: tockd takes only flags`);
    }
    const flag = byName.get(token.name);
    if (flag === undefined) throw usage(unknownFlag(token.rawName));
    if (flag.type === 'boolean') {
      if (token.value !== undefined) throw usage(`--${flag.name} takes no value`);
      continue;
    }
    if (token.value === undefined) throw usage(`--${flag.name} needs a value: ${flag.allowed}`);
    const target = flag.target!;
    const raw = token.value;
    let value: unknown = raw;
    if (target.kind === 'integer') {
      if (!/^[+-]?\d{1,10}$/.test(raw)) throw badValue(flag, raw);
      value = Number(raw);
    }
    setPath(input, target.path, value);
    given.set(target.path.join('.'), { flag, raw });
  }

  const parsed = ServerOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const bad = given.get(issue?.path.join('.') ?? '');
    if (bad !== undefined) throw badValue(bad.flag, bad.raw);
    throw usage(issue?.message ?? 'invalid options');
  }
  return { kind: 'serve', settings: parsed.data };
}

function setPath(target: Record<string, unknown>, path: FlagTarget['path'], value: unknown): void {
  const [head, tail] = path;
  if (tail === undefined) {
    target[head] = value;
    return;
  }
  const inner = (target[head] as Record<string, unknown> | undefined) ?? {};
  inner[tail] = value;
  target[head] = inner;
}

function usage(message: string): ServerError {
  return new ServerError('USAGE', message);
}

function badValue(flag: Flag, raw: string): ServerError {
  return usage(`--${flag.name} must be ${flag.allowed}, not ${quote(raw)}`);
}

function quote(text: string): string {
  const q = JSON.stringify(text);
  return q.length > 42 ? `${q.slice(0, 38)}..."` : q;
}

function unknownFlag(rawName: string): string {
  const name = rawName.replace(/^-+/, '');
  const close = FLAGS.map((f) => ({ f, d: distance(name, f.name) }))
    .filter(({ d }) => d <= 2)
    .sort((a, b) => a.d - b.d)[0];
  const hint = close
    ? `; did you mean --${close.f.name}?`
    : `; the flags are ${FLAGS.map((f) => `--${f.name}`).join(', ')}`;
  return `unknown flag ${quote(rawName).slice(1, -1)}${hint}`;
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
