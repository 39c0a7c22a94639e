// The CDN entry (SPEC §1), built into the one IIFE file dist/tracewire.js. When it runs it
// starts tracing with the page's config: window.__bl.config (set by the asynchronous loader
// snippet) or else window.__rum (set before a synchronous <script>). Calls the page made on
// window.__bl before the script arrived wait in __bl.q as [name, arguments]; they are replayed
// in order, and later ones run at once. window.TraceWire is the whole API.
import { init, createTracer, corsHeaders } from './index.js'
import { hidden } from './web.js'
import { invalid, show, warn } from './log.js'

// One per page, whatever the number of <script> tags or loader snippets (SPEC §6).
const KEY = Symbol.for('tracewire.cdn')

try {
  const w = window
  if (w[KEY]) warn('the CDN script ran twice on this page: this copy does nothing')
  else {
    hidden(w, KEY, 1)
    let handles = []
    const api = {
      /** Patches fetch and XMLHttpRequest with these options; returns { stop() }. */
      init(options) {
        const h = init(options)
        handles.push(h)
        return h
      },
      /** Stops what every init made through this global started. */
      stop() {
        handles.forEach((h) => h.stop())
        handles = []
      },
      createTracer,
      corsHeaders
    }
    // The snippet's own queue, filled by its stubs; replaced by one that runs each call at once.
    const run = (call) => {
      try {
        const f = api[call[0]]
        typeof f == 'function' ? f.apply(api, call[1]) : invalid('a __bl call', call[0], 'a tracewire function', 'ignoring it')
      } catch (e) {}
    }
    const bl = w.__bl
    const config = bl && bl.config || w.__rum
    if (!w.TraceWire) w.TraceWire = api // a page's own global of that name stays
    if (config) api.init(config)
    if (bl && Array.isArray(bl.q)) {
      const q = bl.q
      bl.q = { push: run }
      q.forEach(run)
    }
  }
} catch (e) {
  warn('could not start from the page config: ' + show(e))
}
