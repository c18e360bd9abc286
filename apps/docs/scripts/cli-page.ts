/** Renders a command's reference page from the `CLI_REFERENCE` its package exports. */
import type { CliReference } from '@tock/cli-kit';
import { code, generatedBanner, prose, table } from './markdown.ts';

/** The contract every CLI package's `./cli` export fulfils: declared once, in the cli kit (see apps/docs/README.md). */
export type { CliReference } from '@tock/cli-kit';

const isString = (v: unknown): v is string => typeof v === 'string';
const optionalString = (v: unknown): boolean => v === undefined || isString(v);

/** Checks that `value` has the shape of a {@link CliReference}; throws naming the first problem. */
export function assertCliReference(value: unknown, source: string): asserts value is CliReference {
  const fail = (why: string): never => {
    throw new Error(`${source}: CLI_REFERENCE ${why}`);
  };
  if (typeof value !== 'object' || value === null) fail('is not an object');
  const r = value as Record<string, unknown>;
  for (const key of ['command', 'summary', 'usage'] as const)
    if (!isString(r[key])) fail(`.${key} is not a string`);
  if (!Array.isArray(r.flags) || r.flags.length === 0) fail('.flags is not a non-empty array');
  for (const [i, f] of (r.flags as Record<string, unknown>[]).entries()) {
    if (!isString(f.long) || !f.long.startsWith('--')) fail(`.flags[${i}].long is not a --flag`);
    if (!isString(f.description)) fail(`.flags[${i}].description is not a string`);
    for (const key of ['short', 'value', 'default', 'allowed', 'env', 'configKey', 'section'])
      if (!optionalString(f[key])) fail(`.flags[${i}].${key} is not a string`);
  }
  if (!Array.isArray(r.exitCodes) || r.exitCodes.length === 0) fail('.exitCodes is not a non-empty array');
  for (const [i, e] of (r.exitCodes as Record<string, unknown>[]).entries()) {
    if (!Number.isInteger(e.code) || !isString(e.meaning)) fail(`.exitCodes[${i}] is not {code, meaning}`);
    if (e.errors !== undefined && !(Array.isArray(e.errors) && e.errors.every(isString)))
      fail(`.exitCodes[${i}].errors is not an array of error codes`);
  }
}

/** The anchor of a flag on its page: its long name without dashes (`--rate-limit` → `#rate-limit`). */
export function flagAnchor(long: string): string {
  return long.replace(/^--/, '');
}

/** The site path of a package's API reference: `@tock/server` → `/api/server`. */
export function apiLink(packageName: string): string {
  return `/api/${packageName.replace(/^@[^/]+\//, '')}`;
}

/** A default or allowed value: a code span when it is one literal word, prose when it is a phrase. */
function value(text: string): string {
  return /^\S+$/.test(text) ? code(text) : prose(text);
}

function flagHeading(flag: CliReference['flags'][number]): string {
  const names = [flag.short, flag.long].filter(isString).join(', ');
  return `${code(flag.value === undefined ? names : `${names} ${flag.value}`)} {#${flagAnchor(flag.long)}}`;
}

/** The Markdown page of one command. `packageName` is the package that ships it, for the page's intro. */
export function renderCliPage(ref: CliReference, packageName: string): string {
  const sections: string[] = [];
  for (const f of ref.flags)
    if (f.section !== undefined && !sections.includes(f.section)) sections.push(f.section);
  const grouped = sections.length > 0;
  const out = [
    '---',
    `title: ${ref.command}`,
    'outline: [2, 3]',
    '---',
    '',
    generatedBanner(`CLI_REFERENCE in ${packageName}/cli`),
    '',
    `# ${ref.command}`,
    '',
    prose(ref.summary),
    '',
    `\`${ref.command}\` comes with the npm package \`${packageName}\` ([API](${apiLink(packageName)})). This page is generated from the flag table its parser reads, so it lists exactly what the program accepts.`,
    '',
    '## Synopsis',
    '',
    '```sh',
    ref.usage,
    '```',
    '',
  ];
  const groups = grouped ? sections : ['Options'];
  for (const group of groups) {
    out.push(`## ${grouped ? `${group} flags` : group}`, '');
    for (const flag of ref.flags.filter((f) => !grouped || f.section === group)) {
      out.push(`### ${flagHeading(flag)}`, '', prose(flag.description), '');
      const facts: string[] = [];
      if (flag.default !== undefined) facts.push(`- **Default:** ${value(flag.default)}`);
      if (flag.allowed !== undefined) facts.push(`- **Allowed:** ${value(flag.allowed)}`);
      if (flag.env !== undefined) facts.push(`- **Environment variable:** ${code(flag.env)}`);
      if (flag.configKey !== undefined) facts.push(`- **Config key:** ${code(flag.configKey)}`);
      if (facts.length > 0) out.push(...facts, '');
    }
  }
  out.push(
    '## Exit status',
    '',
    table(
      ['Status', 'Error codes', 'Meaning'],
      ref.exitCodes.map((e) => [
        String(e.code),
        (e.errors ?? []).map((c) => code(c)).join(', '),
        prose(e.meaning),
      ]),
    ),
    '',
  );
  return out.join('\n');
}
