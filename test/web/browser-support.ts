/**
 * Support for the browser test: Debian's chromium driven by playwright-core,
 * TOTP codes from Debian's `oathtool` (an implementation independent of the
 * broker's), and one screenshot per page under test-artifacts/web/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const STEP_SECONDS = 30;
const SCREENSHOTS = join('test-artifacts', 'web');

/** Headless chromium with the flags that keep it quiet and offline. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** The current TOTP time step (RFC 6238, 30 seconds). */
export function currentStep(): number {
  return Math.floor(Date.now() / 1000 / STEP_SECONDS);
}

/**
 * A code for `secret` from a step after `usedStep`: the broker accepts each
 * step once per account, so a second code waits for the next step.
 */
export async function codeAfter(secret: string, usedStep: number) {
  while (currentStep() <= usedStep) {
    const wait = (usedStep + 1) * STEP_SECONDS * 1000 - Date.now() + 100;
    await new Promise((resolve) => setTimeout(resolve, Math.max(100, wait)));
  }
  const step = currentStep();
  const code = execFileSync('oathtool', ['--totp', '-b', secret], { encoding: 'utf8' }).trim();
  return { code, step };
}

/** The base32 secret of an `otpauth://` URI. */
export function secretOf(uri: string): string {
  const secret = new URL(uri).searchParams.get('secret');
  if (!secret) throw new Error('no secret in the otpauth URI');
  return secret;
}

/** Saves a full-page screenshot as test-artifacts/web/<name>.png. */
export async function screenshot(page: Page, name: string) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Names of the visible form fields on a page that have no label. */
export function unlabelledFields(page: Page): Promise<string[]> {
  // A string, evaluated in the page: the test's TypeScript has no DOM types.
  return page.evaluate<string[]>(`
    [...document.querySelectorAll('input, select, textarea')]
      .filter((field) => field.type !== 'hidden' && field.labels.length === 0)
      .map((field) => field.name || field.id)
  `);
}
