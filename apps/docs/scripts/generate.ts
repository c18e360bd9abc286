/**
 * Generates the parts of the site that come from the code, before `vitepress build`:
 * - src/cli/*.md: one reference page per command, from the `CLI_REFERENCE` its package exports;
 * - generated/protocol-*.md: the tables and wire examples src/protocol.md includes, from @tock/protocol;
 * - src/api/: the API reference, from the TSDoc of every package (TypeDoc).
 * None of it is committed (see .gitignore): the site is always built from the code it describes, so it
 * cannot be stale. The generator fails, naming the cause, when a source is missing or incomplete.
 *
 * Usage: node scripts/generate.ts [--skip-api]   (from apps/docs; `pnpm --filter docs build` runs it)
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateApi, renderApiIndex } from './api.ts';
import { assertCliReference, renderCliPage } from './cli-page.ts';
import { generatedBanner, prose, table } from './markdown.ts';
import { protocolParts } from './protocol-parts.ts';
import { API_PACKAGES, CLI_SOURCES } from './sources.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(ROOT, 'src');
const GENERATED = join(ROOT, 'generated');

function write(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text.endsWith('\n') ? text : `${text}\n`);
}

async function cliPages(): Promise<void> {
  const dir = join(SRC, 'cli');
  rmSync(dir, { recursive: true, force: true });
  const rows: string[][] = [];
  for (const source of CLI_SOURCES) {
    let reference: unknown;
    let problem: string | undefined;
    try {
      reference = ((await import(source.module)) as { CLI_REFERENCE?: unknown }).CLI_REFERENCE;
      if (reference === undefined) problem = `${source.module} does not export CLI_REFERENCE`;
    } catch (error) {
      problem = `${source.module} cannot be imported (${(error as Error).message.split('\n')[0]})`;
    }
    if (problem === undefined) {
      assertCliReference(reference, source.module);
      write(join(dir, `${source.command}.md`), renderCliPage(reference, source.packageName));
      rows.push([
        `[\`${source.command}\`](./${source.command})`,
        `\`${source.packageName}\``,
        prose(reference.summary.split(/(?<=\.) /)[0]!),
      ]);
    } else {
      throw new Error(
        `${problem}. The ${source.command} reference page is generated from it: build the packages first (pnpm turbo run build).`,
      );
    }
  }
  write(
    join(dir, 'index.md'),
    [
      '---',
      'title: CLI reference',
      '---',
      '',
      generatedBanner('the CLI_REFERENCE of each package'),
      '',
      '# CLI reference',
      '',
      'One page per command, generated from the flag table its parser reads. Values go after a space or an `=` (`--port 123`, `--port=123`). A bad flag or value is a usage error: the program says what is wrong and exits with status 2.',
      '',
      table(['Command', 'Package', 'What it does'], rows),
      '',
    ].join('\n'),
  );
}

function protocolFiles(): void {
  rmSync(GENERATED, { recursive: true, force: true });
  for (const [name, body] of Object.entries(protocolParts())) {
    write(join(GENERATED, `${name}.md`), `${generatedBanner('@tock/protocol')}\n\n${body}`);
  }
}

async function apiPages(): Promise<void> {
  const dir = join(SRC, 'api');
  rmSync(dir, { recursive: true, force: true });
  const warnings = await generateApi(dir, SRC);
  write(join(dir, 'index.md'), renderApiIndex(API_PACKAGES));
  rmSync(join(dir, 'typedoc-sidebar.json'), { force: true });
  if (warnings.length > 0) {
    throw new Error(
      `the API reference has ${warnings.length} warning(s); fix the TSDoc comments they name:\n${warnings.map((w) => `  - ${w.message}`).join('\n')}`,
    );
  }
}

const started = Date.now();
try {
  await cliPages();
  protocolFiles();
  if (!process.argv.includes('--skip-api')) await apiPages();
  process.stderr.write(
    `docs: generated the CLI, protocol and API pages in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
} catch (error) {
  process.stderr.write(`docs: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
