// Chromium as a playwright Browser, for the test files not yet on the shared page API of
// browsers.js (launch('chromium') there). The executable and switches live in browsers.js.
import { launchPlaywrightChromium } from './browsers.js'

export { CHROMIUM } from './browsers.js'

// extra: more Chromium switches (e.g. --host-resolver-rules).
export function launch(extra = []) {
  return launchPlaywrightChromium(extra)
}
