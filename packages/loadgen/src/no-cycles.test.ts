/**
 * The package's modules import one another without a cycle: a cycle makes the order in which modules
 * initialise depend on which one is imported first, and two modules that need each other are one.
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = dirname(fileURLToPath(import.meta.url));

/** Relative specifiers of `import … from './x.ts'`, `export … from './x.ts'` and `import './x.ts'`. */
const SPECIFIER = /(?:^|[\s;])(?:import|export)\s(?:[^'";]*?\sfrom\s)?['"](\.{1,2}\/[^'"]+)['"]/g;

/** Every `.ts` file below `dir` that is not a test, with the package files it imports. */
function importGraph(dir: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'),
  );
  for (const file of files) {
    const path = join(dir, file);
    const source = readFileSync(path, 'utf8');
    const imports = [...source.matchAll(SPECIFIER)].map((m) => resolve(dirname(path), m[1]!));
    graph.set(path, imports);
  }
  return graph;
}

/** The cycles of a graph, each as the files around it (one cycle per strongly connected group at least). */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

describe('the import graph of src', () => {
  it('has no cycle', () => {
    const graph = importGraph(SRC);
    const cycles = findCycles(graph).map((c) => c.map((f) => relative(SRC, f)).join(' → '));
    expect(cycles).toEqual([]);
  });

  it('sees the imports (a cycle would not go unnoticed)', () => {
    const graph = importGraph(SRC);
    expect(graph.get(join(SRC, 'run/dispatch.ts'))).toContain(join(SRC, 'run/ramp.ts'));
    expect(
      findCycles(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
        ]),
      ),
    ).toEqual([['a', 'b', 'c', 'a']]);
  });
});
