import assert from 'node:assert/strict';
// Helpers for the dashboard's browser tests: a Spanlens API on embedded ClickHouse serving the
// built dashboard, and a headless Chromium page that records console errors.
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildApi, type ApiOptions } from '@spanlens/api';
import { KeyCache } from '@spanlens/clickhouse';
import type { openTestStorage } from '@spanlens/clickhouse/testing';
import { dashboardDir } from '../src/index.ts';

export type TestStorage = Awaited<ReturnType<typeof openTestStorage>>;

export const CHROMIUM = '/usr/bin/chromium';
export const OUT_DIR = fileURLToPath(new URL('../test-output/', import.meta.url));

/** Why the browser suite cannot run here, or null. Under CI a missing browser is a failure, not a skip. */
export function skipReason(): string | null {
  if (existsSync(CHROMIUM)) return null;
  if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)`);
  return `${CHROMIUM} is missing (apt-get install -y chromium); the dashboard's browser tests are skipped`;
}

/** `extra`: more API options, e.g. `evaluations` for a test that drives the evaluation worker with app.evaluations.tick(). */
export async function startApi(storage: TestStorage, adminToken?: string, extra: Partial<ApiOptions> = {}): Promise<{ app: FastifyInstance; url: string }> {
  if (!existsSync(`${dashboardDir}/index.html`)) throw new Error(`${dashboardDir} has no build: run npm run build -w @spanlens/dashboard`);
  const app = await buildApi({ storage, keys: new KeyCache(storage), retentionDays: 30, dashboardDir, adminToken, ...extra });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A page at the given viewport whose console errors and uncaught exceptions are collected. */
export async function newPage(browser: Browser, width = 1280, height = 800): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return { context, page, errors };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(OUT_DIR, { recursive: true });
  await page.screenshot({ path: `${OUT_DIR}${name}.png` });
}

/** True when the page is not wider than the viewport (no horizontal scrolling). */
export async function fitsWidth(page: Page): Promise<{ ok: boolean; scrollWidth: number; clientWidth: number }> {
  return page.evaluate(() => {
    const el = document.documentElement;
    return { ok: el.scrollWidth <= el.clientWidth, scrollWidth: el.scrollWidth, clientWidth: el.clientWidth };
  });
}

/** Rows of a table by its data-testid, once it is not reloading. */
export async function rowCount(page: Page, testId: string): Promise<number> {
  return page.locator(`[data-testid="${testId}"] tbody tr`).count();
}

export async function waitRows(page: Page, testId: string, n: number): Promise<void> {
  await page.waitForFunction(([id, want]) => document.querySelectorAll(`[data-testid="${id}"] tbody tr`).length === want && !document.querySelector('.is-loading'), [testId, n] as const);
}

/** The window the dashboard shows for a range, as API query parameters. */
export function lastRange(ms: number): string {
  const now = Date.now();
  return `from=${new Date(now - ms).toISOString()}&to=${new Date(now).toISOString()}`;
}

/**
 * Fails when the page scrolls sideways, or (with `cards`) when any card is wider than its box:
 * the body hides horizontal overflow, so a too-wide card would not show in the page width.
 */
export async function assertFits(page: Page, what: string, { cards = true } = {}): Promise<void> {
  const w = await fitsWidth(page);
  assert.ok(w.ok, `${what}: page is ${w.scrollWidth}px wide in a ${w.clientWidth}px viewport`);
  if (!cards) return;
  const wide = await page.evaluate(() =>
    Array.from(document.querySelectorAll('.card'))
      .filter((c) => c.scrollWidth > c.clientWidth + 1)
      .map((c) => c.getAttribute('data-testid') ?? c.className),
  );
  assert.deepEqual(wide, [], `${what}: cards overflow horizontally`);
}
