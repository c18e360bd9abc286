/**
 * The built site (apps/docs/dist), opened in real headless Chromium: every page reachable from the home page
 * is visited, served by Python's plain `http.server` (so the site must work from any static host), and the test fails on a page that does not load, a broken internal link or anchor, a console
 * error, a failed request, or a missing page. It also checks the content that must come from the code, uses
 * the search, and saves screenshots of the home, protocol and benchmark pages to .ci/artifacts/docs-screenshots/.
 *
 * Needs `pnpm --filter docs build` first (turbo's build does it) and Debian's chromium (CHROMIUM_PATH
 * overrides /usr/bin/chromium). Without chromium the test is skipped, except under CI, where it fails.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  IGNORE_REASONS,
  JSON_ERROR_CODES,
  JsonErrorSchema,
  JsonTimeRequestSchema,
  JsonTimeResponseSchema,
} from '@tock/protocol';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_SOURCES } from '../scripts/sources.ts';
import { type StaticServer, serveStatic } from './static-server.ts';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const SCREENSHOTS =
  process.env.DOCS_SCREENSHOTS_DIR ??
  fileURLToPath(new URL('../../../.ci/artifacts/docs-screenshots/', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI)
  throw new Error(`CI: no Chromium at ${CHROMIUM} (Debian package chromium)`);

/** The pages the issue asks for: each must be reachable from the home page. */
const REQUIRED_PAGES = [
  '/',
  '/guide/',
  '/guide/quick-start.html',
  '/guide/querying.html',
  '/guide/deploying.html',
  '/guide/client-library.html',
  '/guide/load-testing.html',
  '/protocol.html',
  '/cli/',
  ...CLI_SOURCES.map((s) => `/cli/${s.command}.html`),
  '/api/',
  '/api/protocol.html',
  '/api/server.html',
  '/api/client.html',
  '/api/loadgen.html',
  '/api/udp.html',
  '/benchmarks.html',
];

/** What one visit found. */
interface Visit {
  readonly status: number;
  readonly ids: ReadonlySet<string>;
  readonly links: ReadonlyArray<{ readonly path: string; readonly hash: string }>;
}

/** A page of the site, as opposed to an asset (a script, an image, the search index): no extension, or .html. */
const isPage = (pathname: string): boolean => pathname.endsWith('.html') || !/\.[a-z0-9]+$/i.test(pathname);

describe.skipIf(!haveChromium)('the documentation site in Chromium', () => {
  let server: StaticServer;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const visits = new Map<string, Visit>();
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(DIST, 'index.html'))) {
      throw new Error(`the site is not built (no ${DIST}index.html): run pnpm --filter docs build`);
    }
    server = await serveStatic(DIST);
    profile = await mkdtemp(join(tmpdir(), 'tock-docs-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 800 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    // Nothing but the local server may be reached: a request elsewhere is a bug in the site (a CDN, a font).
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(server.origin) || url.startsWith('data:')) return route.continue();
      problems.push(`request outside the site: ${url}`);
      return route.abort();
    });
    page = context.pages()[0] ?? (await context.newPage());
    // Chromium on a busy shared machine: a first page load was seen to take over 30 s (playwright's default).
    page.setDefaultNavigationTimeout(120_000);
    page.setDefaultTimeout(60_000);
    let current = '';
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`${current}: console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`${current}: uncaught exception: ${error.message}`));
    page.on('requestfailed', (request) => {
      // Navigating away cancels VitePress's prefetches of linked pages (net::ERR_ABORTED): not a failure.
      const why = request.failure()?.errorText ?? '';
      if (request.url().startsWith(server.origin) && !why.includes('ERR_ABORTED')) {
        problems.push(`${current}: request failed (${why}): ${request.url()}`);
      }
    });
    page.on('response', (response) => {
      if (
        response.status() >= 400 &&
        response.url().startsWith(server.origin) &&
        response.request().resourceType() !== 'document'
      ) {
        problems.push(`${current}: ${response.status()} for ${response.url()}`);
      }
    });

    // Breadth first from the home page, over every internal link.
    const queue = ['/'];
    const seen = new Set(queue);
    while (queue.length > 0) {
      const path = queue.shift()!;
      current = path;
      const response = await page.goto(`${server.origin}${path}`, { waitUntil: 'load' });
      const found = await page.evaluate(() => ({
        ids: [...document.querySelectorAll('[id]')].map((e) => e.id),
        hrefs: [...document.querySelectorAll('a[href]')].map((a) => (a as HTMLAnchorElement).href),
      }));
      const links: Array<{ path: string; hash: string }> = [];
      for (const href of found.hrefs) {
        const url = new URL(href);
        if (url.origin !== server.origin) continue;
        // Served as Python serves it: the path is the file, so `/guide/x` and `/guide/x.html` differ.
        const target = url.pathname;
        links.push({ path: target, hash: decodeURIComponent(url.hash.slice(1)) });
        if (!seen.has(target) && isPage(target)) {
          seen.add(target);
          queue.push(target);
        }
      }
      visits.set(path, { status: response?.status() ?? 0, ids: new Set(found.ids), links });
    }
    // A busy machine (a shared CI host) slows Chromium down a lot: the crawl once took over 150 s.
  }, 600_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it('reaches every required page from the home page', () => {
    const missing = REQUIRED_PAGES.filter((p) => !visits.has(p));
    expect(missing, `pages not reachable from the home page (visited ${visits.size})`).toEqual([]);
  });

  it('loads every page without a console error, an exception or a failed request', () => {
    const broken = [...visits].filter(([, v]) => v.status !== 200).map(([p, v]) => `${p}: HTTP ${v.status}`);
    expect([...broken, ...problems]).toEqual([]);
  });

  it('has no broken internal link or anchor', () => {
    const broken: string[] = [];
    for (const [from, visit] of visits) {
      for (const link of visit.links) {
        const target = visits.get(link.path);
        if (target === undefined) {
          if (isPage(link.path)) broken.push(`${from} → ${link.path}: not visited`);
        } else if (target.status !== 200) {
          broken.push(`${from} → ${link.path}: HTTP ${target.status}`);
        } else if (link.hash !== '' && !target.ids.has(link.hash)) {
          broken.push(`${from} → ${link.path}#${link.hash}: no such anchor`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('documents every JSON field, error code and ignore reason the protocol code has', async () => {
    await page.goto(`${server.origin}/protocol.html`, { waitUntil: 'load' });
    const text = (await page.locator('main').textContent()) ?? '';
    for (const errorCode of Object.keys(JSON_ERROR_CODES)) expect(text).toContain(errorCode);
    for (const reason of IGNORE_REASONS) expect(text).toContain(reason);
    const codes = await page.locator('main table code').allTextContents();
    for (const schema of [JsonTimeRequestSchema, JsonTimeResponseSchema, JsonErrorSchema]) {
      for (const field of Object.keys(schema.shape)) expect(codes).toContain(field);
    }
  });

  it('lists every flag on the CLI pages generated from CLI_REFERENCE', async () => {
    for (const source of CLI_SOURCES) {
      const { CLI_REFERENCE: reference } = (await import(source.module)) as {
        CLI_REFERENCE: { flags: Array<{ long: string }> };
      };
      await page.goto(`${server.origin}/cli/${source.command}.html`, { waitUntil: 'load' });
      const text = (await page.locator('main').textContent()) ?? '';
      for (const flag of reference.flags) expect(text).toContain(flag.long);
    }
  });

  it('draws the benchmark charts from the results file', async () => {
    await page.goto(`${server.origin}/benchmarks.html`, { waitUntil: 'load' });
    expect(await page.locator('main svg[role="img"]').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('main svg[role="img"] rect').count()).toBeGreaterThanOrEqual(10);
    const text = (await page.locator('main').textContent()) ?? '';
    for (const server of ['chronyd', 'tockd (batched)', 'tockd (dgram)']) expect(text).toContain(server);
    // The C-generator section, from data/io-bench.json: every server, and each goal with its verdict.
    for (const server of ['C recvmmsg/sendmmsg', 'lab server (Python)', 'tockd (io batched)'])
      expect(text).toContain(server);
    expect(text).toMatch(
      /tockd \(batched\) ÷ lab server, text replies\/s\s*[\d.]+\s*≥ 1\.5 \((met|not met)\)/,
    );
  });

  it('finds pages with the local search', async () => {
    await page.goto(`${server.origin}/`, { waitUntil: 'load' });
    await page.locator('.VPNavBarSearch button').first().click();
    const input = page.locator('.VPLocalSearchBox input');
    await input.fill('Kiss-o');
    const results = page.locator('.VPLocalSearchBox .result');
    await results.first().waitFor({ timeout: 60_000 });
    expect(await results.allTextContents()).toEqual(
      expect.arrayContaining([expect.stringMatching(/Kiss-o/)]),
    );
    await page.keyboard.press('Escape');
  });

  it('saves screenshots of the home, protocol and benchmark pages', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const shots: Array<[string, string, boolean]> = [
      ['home.png', '/', true],
      ['protocol.png', '/protocol.html', false],
      ['protocol-ntp.png', '/protocol.html#the-reply', false],
      ['benchmarks.png', '/benchmarks.html', true],
    ];
    for (const [file, path, fullPage] of shots) {
      await page.goto(`${server.origin}${path}`, { waitUntil: 'load' });
      await page.screenshot({ path: join(SCREENSHOTS, file), fullPage });
      expect(existsSync(join(SCREENSHOTS, file))).toBe(true);
    }
  });
});
