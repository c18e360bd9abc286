/**
 * The API reference: TypeDoc reads the TSDoc of every package's public entry point (one TypeScript program,
 * tsconfig.api.json, so links across packages resolve) and typedoc-plugin-markdown writes one Markdown page
 * per package into src/api/, each export a section of it, with a sidebar for VitePress.
 *
 * Every TypeDoc warning fails the build (broken `{@link}`s, say), and so does a public type that refers to
 * a type its package does not export (a reader could not name it). Warnings of the packages listed in
 * API_WARNINGS_WAIVED are printed but tolerated.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  Application,
  Converter,
  LogLevel,
  normalizePath,
  type ProjectReflection,
  type TypeDocOptions,
} from 'typedoc';
import type { PluginOptions } from 'typedoc-plugin-markdown';
import { generatedBanner, prose, table } from './markdown.ts';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/** A problem TypeDoc or the export check found, and the package it belongs to (if known). */
export interface ApiWarning {
  readonly packageName: string | undefined;
  readonly message: string;
}

/** `packages/server/src` → `@tock/server`: the module names TypeDoc derives from the entry points' paths. */
function packageOfModule(name: string): string | undefined {
  const m = /^([a-z-]+)\/src$/.exec(name);
  return m ? `@tock/${m[1]}` : undefined;
}

/** The package a TypeDoc message is about, from the names it mentions. */
function packageOfMessage(message: string): string | undefined {
  return (
    /@tock\/([a-z-]+)/.exec(message)?.[0] ??
    /packages\/([a-z-]+)\//.exec(message)?.[1]?.replace(/^/, '@tock/')
  );
}

/**
 * References to types that are not documented: TypeDoc's own `notExported` check only looks at the root
 * package in this setup, so this walks the serialised project for references into @tock packages that
 * resolve to no page.
 */
function unexportedReferences(json: unknown): ApiWarning[] {
  const found = new Map<string, ApiWarning>();
  const walk = (node: unknown, owner: string): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item, owner);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    const name =
      typeof record.name === 'string' && typeof record.variant === 'string' ? record.name : undefined;
    const here = name === undefined ? owner : owner === '' ? name : `${owner}.${name}`;
    const target = record.target as Record<string, unknown> | undefined;
    if (
      record.type === 'reference' &&
      !record.refersToTypeParameter &&
      typeof target === 'object' &&
      target !== null
    ) {
      const pkg = target.packageName;
      if (typeof pkg === 'string' && pkg.startsWith('@tock/')) {
        const key = `${pkg}/${String(target.packagePath)}:${String(target.qualifiedName)}`;
        if (!found.has(key)) {
          found.set(key, {
            packageName: pkg,
            message: `${String(target.qualifiedName)}, defined in ${pkg}/${String(target.packagePath)}, is referenced by ${here} but not exported, so it has no page`,
          });
        }
      }
    }
    for (const [key, value] of Object.entries(record)) if (key !== 'target') walk(value, here);
  };
  walk((json as { children?: unknown }).children, '');
  return [...found.values()];
}

/** Writes the API pages into `outDir` and returns every warning, with its package. */
export async function generateApi(outDir: string, docsRoot: string): Promise<ApiWarning[]> {
  const options: TypeDocOptions & PluginOptions & Record<string, unknown> = {
    tsconfig: here('../tsconfig.api.json'),
    entryPoints: ['protocol', 'server', 'client', 'loadgen', 'udp'].map((p) =>
      here(`../../../packages/${p}/src/index.ts`),
    ),
    entryPointStrategy: 'resolve',
    plugin: ['typedoc-plugin-markdown', 'typedoc-vitepress-theme'],
    out: outDir,
    docsRoot,
    name: 'API reference',
    readme: 'none',
    disableSources: true,
    excludePrivate: true,
    excludeInternal: true,
    // Members inherited from Node.js and the standard library (Error.captureStackTrace, …) are not ours.
    excludeExternals: true,
    validation: { notExported: true, invalidLink: true, rewrittenLink: true, notDocumented: false },
    treatWarningsAsErrors: false,
    logLevel: 'Warn',
    // typedoc-plugin-markdown: one page per package, every export a section of it (the outline lists them).
    outputFileStrategy: 'modules',
    entryFileName: 'index',
    hidePageHeader: true,
    hideBreadcrumbs: true,
    excludeScopesInPaths: true,
    useCodeBlocks: true,
    parametersFormat: 'table',
    interfacePropertiesFormat: 'table',
    classPropertiesFormat: 'table',
    typeDeclarationFormat: 'table',
    indexFormat: 'table',
    sanitizeComments: true,
  };
  const app = await Application.bootstrapWithPlugins(options as TypeDocOptions);
  const warnings: ApiWarning[] = [];
  if (app.logger.hasErrors() || app.logger.hasWarnings()) {
    throw new Error('TypeDoc rejected its options (see above)');
  }
  const log = app.logger.log.bind(app.logger);
  app.logger.log = (message: string, level: LogLevel): void => {
    if (level >= LogLevel.Warn) {
      const plain = message.replace(/\x1b\[[0-9;]*m/g, '');
      warnings.push({ packageName: packageOfMessage(plain), message: plain });
    }
    log(message, level);
  };
  // Name each module after its package (`@tock/protocol`, not `protocol/src`): page titles, the sidebar and
  // messages use it; with excludeScopesInPaths its pages go under api/protocol/.
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const module of context.project.children ?? [])
      module.name = packageOfModule(module.name) ?? module.name;
  });
  const project: ProjectReflection | undefined = await app.convert();
  if (project === undefined) throw new Error('TypeDoc could not convert the packages (see above)');
  app.validate(project);
  warnings.push(
    ...unexportedReferences(app.serializer.projectToObject(project, normalizePath(process.cwd()))),
  );
  await app.generateOutputs(project);
  return warnings;
}

/** The API landing page: one row per package, with its description from its package.json. */
export function renderApiIndex(packages: readonly string[]): string {
  const rows = packages.map((name) => {
    const dir = name.replace(/^@tock\//, '');
    const pkg = JSON.parse(readFileSync(here(`../../../packages/${dir}/package.json`), 'utf8')) as {
      description: string;
    };
    return [`[\`${name}\`](./${dir})`, prose(pkg.description)];
  });
  return [
    '---',
    'title: API reference',
    '---',
    '',
    generatedBanner('the TSDoc comments of each package'),
    '',
    '# API reference',
    '',
    'Every page here is generated from the TSDoc comments in the source of the published packages, so it describes exactly what the package exports. All packages are ESM only and need Node.js 22.12 or later.',
    '',
    table(['Package', 'What it holds'], rows),
    '',
    'The command-line programs have their own pages under [CLI reference](/cli/).',
    '',
  ].join('\n');
}
