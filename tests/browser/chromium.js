// Debian's Chromium driven by playwright-core. Never downloads a browser: the executable is
// fixed, and playwright-core (unlike playwright) has no download step of its own.
import { existsSync } from 'node:fs'
import { chromium } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'

// extra: more Chromium switches (the privacy test maps made-up host names to 127.0.0.1).
export function launch(extra = []) {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`)
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extra],
  })
}
