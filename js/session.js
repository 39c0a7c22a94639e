// The RUM session id carried in tracestate and baggage (SPEC §3), shared by the web SDK
// (sessionStorage) and the mini-program SDK (the platform's storage): kept in storage so every
// page load and every copy of the SDK agree; in memory only when storage is missing or throws
// (private mode, sandboxed frames).
import { randomHex } from './random.js'

const KEY = 'tracewire.sid'
const IDLE = 1800e3 // renewed after 30 minutes without a request, like common RUM sessions
const ID = /^[0-9a-f]{32}$/

// session(read, write, now, newId) -> () => sessionId. Each call counts as activity; never
// throws. Stored as 'id|lastActivityMs' (anything else under the key is ignored), written when
// the id changes and otherwise at most once a minute: storage writes are synchronous, and a
// write per request would cost more than the request's tracing.
export function session(read, write, now, newId = randomHex) {
  let id = '', last = 0, saved = -Infinity
  return () => {
    let t
    try { t = +now() } catch (e) {}
    if (!isFinite(t)) t = Date.now() // a broken clock must not renew the session on every call
    try {
      // Storage wins when another copy wrote it after we last did: it may have renewed the session.
      const [i, l] = `${read()}`.split('|')
      if (ID.test(i) && +l >= saved) id = i, last = Math.max(last, +l)
    } catch (e) {}
    const renew = !id || t - last >= IDLE
    if (renew) id = newId()
    last = t
    if (renew || t - saved >= 60e3) {
      saved = t
      try { write(id + '|' + t) } catch (e) {}
    }
    return id
  }
}

// The web session: sessionStorage (which may be missing, or throw on every access).
export const webSession = (storage, now) =>
  session(() => storage.getItem(KEY), (v) => storage.setItem(KEY, v), now)

export { KEY as SESSION_KEY }
