// npm run bench, Chromium half: the same cases bundled for the browser and run in Debian's
// headless Chromium (a blank page on 127.0.0.1; no network needed).
import { build } from 'esbuild'
import { launch } from '../tests/browser/chromium.js'

const out = await build({
  stdin: { contents: "import { runBench } from './bench/cases.js'; window.runBench = runBench", resolveDir: process.cwd() },
  bundle: true, format: 'iife', platform: 'browser', write: false, minify: true
})
const browser = await launch()
try {
  const page = await browser.newPage()
  await page.addScriptTag({ content: out.outputFiles[0].text })
  const version = browser.version()
  const rows = await page.evaluate(() => window.runBench())
  console.log(`Chromium ${version}: ns per request (lower is better), speedup = OpenTelemetry / tracewire`)
  console.table(rows)
} finally {
  await browser.close()
}
