/**
 * The generators of the site, without a browser: the CLI pages say what each CLI_REFERENCE holds, the
 * protocol parts cover the code's tables, and the guide's command lines only use flags that exist.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { IGNORE_REASONS, JSON_ERROR_CODES } from '@tock/protocol';
import { describe, expect, it } from 'vitest';
import { assertCliReference, type CliReference, renderCliPage } from '../scripts/cli-page.ts';
import { table } from '../scripts/markdown.ts';
import { protocolParts } from '../scripts/protocol-parts.ts';
import { CLI_SOURCES } from '../scripts/sources.ts';

/** The CLI_REFERENCE of each command that exports one. */
async function references(): Promise<Map<string, CliReference>> {
  const found = new Map<string, CliReference>();
  for (const source of CLI_SOURCES) {
    const reference = ((await import(source.module)) as { CLI_REFERENCE?: unknown }).CLI_REFERENCE;
    assertCliReference(reference, source.module);
    found.set(source.command, reference);
  }
  return found;
}

/** Every flag a command accepts, from its CLI_REFERENCE. */
async function flagsOf(command: string): Promise<Set<string>> {
  const reference = (await references()).get(command);
  if (reference === undefined) throw new Error(`no CLI_REFERENCE for ${command}`);
  return new Set(reference.flags.map((f) => f.long));
}

describe('CLI pages', () => {
  it('show every flag, default, environment variable and exit status of each CLI_REFERENCE', async () => {
    const refs = await references();
    expect([...refs.keys()].sort()).toEqual(['tock', 'tock-loadgen', 'tockd']);
    for (const [command, ref] of refs) {
      const page = renderCliPage(ref, `package of ${command}`);
      for (const flag of ref.flags) {
        expect(page).toContain(`{#${flag.long.slice(2)}}`);
        if (flag.env !== undefined) expect(page).toContain(flag.env);
      }
      for (const exit of ref.exitCodes) expect(page).toMatch(new RegExp(`^\\| ${exit.code} \\|`, 'm'));
    }
  });

  it('show the conventions every command shares: exit 0, 2 (USAGE) and 70, and -V, --version', async () => {
    for (const [command, ref] of await references()) {
      expect(
        ref.exitCodes.map((e) => e.code),
        command,
      ).toEqual(expect.arrayContaining([0, 2, 70]));
      expect(ref.exitCodes.find((e) => e.code === 2)?.errors, command).toContain('USAGE');
      expect(
        ref.flags.find((f) => f.long === '--version'),
        command,
      ).toMatchObject({ short: '-V' });
      expect(renderCliPage(ref, command)).toContain('| Status | Error codes | Meaning |');
    }
  });

  it('rejects a CLI_REFERENCE of the wrong shape, naming the problem', () => {
    expect(() =>
      assertCliReference({ command: 'x', summary: '', usage: '', flags: [], exitCodes: [] }, 'm'),
    ).toThrow('m: CLI_REFERENCE .flags is not a non-empty array');
    expect(() => assertCliReference(undefined, 'm')).toThrow('m: CLI_REFERENCE is not an object');
  });
});

describe('protocol parts', () => {
  const parts = protocolParts();

  it('list every JSON error code and every ignore reason of the code', () => {
    for (const errorCode of Object.keys(JSON_ERROR_CODES)) {
      expect(parts['protocol-json-error-codes']).toContain(`\`${errorCode}\``);
    }
    for (const reason of IGNORE_REASONS) expect(parts['protocol-ignore-reasons']).toContain(`\`${reason}\``);
  });

  it('are included by the protocol page, every one of them', () => {
    const page = readFileSync(new URL('../src/protocol.md', import.meta.url), 'utf8');
    for (const name of Object.keys(parts)) expect(page).toContain(`<!--@include: ../generated/${name}.md-->`);
  });

  it('escape pipes inside table cells, code spans included', () => {
    expect(table(['a'], [['`x|y`']])).toBe('| a |\n| --- |\n| `x\\|y` |');
  });
});

describe('the guide', () => {
  const pages = readdirSync(new URL('../src/guide/', import.meta.url))
    .filter((f) => f.endsWith('.md'))
    .map((f) => ({ file: f, text: readFileSync(new URL(`../src/guide/${f}`, import.meta.url), 'utf8') }));
  const COMMANDS: ReadonlyArray<[RegExp, string]> = [
    [/^(?:tockd|node packages\/server\/bin\/tockd\.js)\b/, 'tockd'],
    [/^(?:tock|node packages\/client\/bin\/tock\.js)\s/, 'tock'],
    [/^(?:tock-loadgen|node packages\/loadgen\/bin\/tock-loadgen\.js)\b/, 'tock-loadgen'],
  ];

  it('uses only flags the commands accept, in its command lines', async () => {
    const unknown: string[] = [];
    for (const { file, text } of pages) {
      for (const block of text.matchAll(/```(?:sh|bash)\n([\s\S]*?)```/g)) {
        for (const line of block[1]!.split('\n')) {
          const commandLine = line.replace(/\s+#.*$/, '').trim();
          const match = COMMANDS.find(([re]) => re.test(commandLine));
          if (match === undefined) continue;
          const accepted = await flagsOf(match[1]);
          for (const flag of commandLine.match(/(?<=\s)--[a-z][a-z-]*/g) ?? []) {
            if (!accepted.has(flag)) unknown.push(`${file}: ${match[1]} has no ${flag}: ${commandLine}`);
          }
        }
      }
    }
    expect(unknown).toEqual([]);
  });

  it('names only tockd flags that exist, on the deploying page', async () => {
    const deploying = pages.find((p) => p.file === 'deploying.md')!.text;
    const accepted = await flagsOf('tockd');
    const named = [...deploying.matchAll(/`(--[a-z][a-z-]*)/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((f) => !accepted.has(f))).toEqual([]);
  });
});
