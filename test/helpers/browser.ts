import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium (`apt-get install -y chromium`; `.ci/run` installs it). Never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

export interface TestBrowser {
  context: BrowserContext;
  /** A new tab with its own viewport. */
  page(width: number, height: number): Promise<Page>;
  close(): Promise<void>;
}

/**
 * One chromium with a fresh profile. Playwright passes the profile as `--user-data-dir` itself (it refuses the
 * flag among `args`), so the profile directory is given to launchPersistentContext and removed on close.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'leitai-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 800 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  return {
    context,
    async page(width, height) {
      const page = await context.newPage();
      await page.setViewportSize({ width, height });
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a screenshot under test-artifacts/<folder>/ (git-ignored) and returns its path. */
export async function snap(page: Page, folder: string, name: string): Promise<string> {
  const dir = join(ARTIFACTS, folder);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/**
 * One chromium in which every page has a context of its own (its own localStorage, cookies and cache): several
 * people's phones side by side, each signed in as itself and each keeping its own state across a reload.
 */
export async function launchSeparateBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  const first = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  return {
    context: first,
    async page(width, height) {
      const context = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
      return context.newPage();
    },
    async close() {
      await browser.close();
    },
  };
}

/** How long a page may take to show what a test waits for, on a loaded machine. */
export const SLOW_MS = 15_000;

/** The trimmed text of the first match of `selector`. */
export async function text(page: Page, selector: string, timeout = SLOW_MS): Promise<string> {
  return ((await page.locator(selector).first().textContent({ timeout })) ?? '').trim();
}

/** Waits until `selector` is visible and contains `expected`. */
export async function see(page: Page, selector: string, expected: string, timeout = SLOW_MS): Promise<void> {
  await page.locator(selector, { hasText: expected }).first().waitFor({ state: 'visible', timeout });
}

/** Collects what a page must never do: load from another origin, throw, or trip the CSP. */
export function watch(page: Page, origin: string): string[] {
  const problems: string[] = [];
  page.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(origin) && !url.startsWith(origin.replace(/^http/, 'ws')) && !url.startsWith('data:') && !url.startsWith(`blob:${origin}`)) problems.push(`request to ${url}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) problems.push(`console: ${msg.text()}`);
  });
  return problems;
}
