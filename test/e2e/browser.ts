import { execFileSync } from 'node:child_process';
import { type Browser, chromium } from 'playwright-core';

// Debian's Chromium (deploy/local/chromium.sh), driven by playwright-core: Playwright's own browser
// builds are downloads this project cannot make. --no-sandbox because tests run as root here.
export function launchChromium(): Promise<Browser> {
  const executablePath = execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}
