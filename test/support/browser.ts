/**
 * Test support: Debian's Chromium driven by playwright-core (no browser download). The suite
 * is skipped, with one line saying why, when Chromium is not installed, unless
 * SLUICE_REQUIRE_SERVICES=1 (CI, whose .ci/run installs it), which fails instead.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const chromiumPath = process.env.SLUICE_CHROMIUM ?? '/usr/bin/chromium';

export function browserProblem(): string | null {
  if (existsSync(chromiumPath)) return null;
  const why = `Chromium not found at ${chromiumPath} (apt-get install chromium, or set SLUICE_CHROMIUM)`;
  if (process.env.SLUICE_REQUIRE_SERVICES === '1') throw new Error(why);
  console.log(`skipping browser suites: ${why}`);
  return why;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // As root, without sandbox; no background traffic (the machine has no outside network).
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}
