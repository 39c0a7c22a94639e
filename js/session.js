// The web RUM session id carried in tracestate and baggage (SPEC §3).
// Kept in sessionStorage so every page load of the tab and every copy of the SDK on the page
// agree; in memory only when storage is missing or throws (private mode, sandboxed frames).
import { randomHex } from './random.js'

const KEY = 'tracewire.sid'
const IDLE = 30 * 60e3 // renewed after 30 minutes without a request, like common RUM sessions
const ID = /^[0-9a-f]{32}$/

// webSession(storage, now) -> () => sessionId. Each call counts as activity. Never throws.
// Stored as 'id|lastActivityMs': short, and anything else found under the key is ignored.
export function webSession(storage, now) {
  let id = '', last = 0
  return () => {
    let t
    try { t = +now() } catch (e) {}
    if (!isFinite(t)) t = Date.now() // a broken clock must not renew the session on every call
    try {
      // Storage wins over memory: another copy of the SDK may have renewed the session.
      let [i, l] = `${storage.getItem(KEY)}`.split('|')
      if (ID.test(i) && isFinite(l = parseFloat(l))) id = i, last = l
    } catch (e) {}
    if (!id || t - last >= IDLE) id = randomHex()
    last = t
    try { storage.setItem(KEY, id + '|' + t) } catch (e) {}
    return id
  }
}
