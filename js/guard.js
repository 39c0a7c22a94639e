// The CORS guard (SPEC §8): tracing never breaks a request. A cross-origin backend whose
// preflight answers do not list the trace headers makes the browser refuse the request before
// it is sent. After such a network failure the guard finds out whether the headers were the
// cause, sends the request again without them when it can, and leaves the origin untraced for
// the rest of the session, with one warning giving the line the backend must send.
//
//   patchWeb(win, corsGuard(win, hooks, tracer))
//
// It wraps patchWeb's hooks (web.js): start() leaves refused origins untraced and marks the
// requests to watch (ctx._guard); end() marks an origin accepting on its first answer;
// _keep(ctx, args, self) keeps what a fetch needs to be sent again (args: its arguments before
// tracewire's headers, self: its this) or, with no args, watches an XHR (self);
// _heal(ctx, error) turns a fetch's failure into the answer of the request sent again, or
// rejects with that same error. Nothing here throws into the page.
import { safe, warn } from './log.js'

const KEY = 'tracewire.cors' // sessionStorage: the origins seen refusing, space-separated

export function corsGuard(win, hooks, tracer) {
  // The page's fetch before patchWeb wraps it: probes and re-sends are never traced.
  // seen: origin -> true (refuses the trace headers; the session's, from sessionStorage),
  // false (accepts them), or the promise of the finding under way.
  const fetch = win.fetch, seen = new Map()
  let store
  try {
    store = win.sessionStorage
    for (const o of (store.getItem(KEY) || '').split(' ')) seen.set(o, true)
  } catch (e) {}

  // One HEAD to the failed request's URL, credentials and mode as it had them (SPEC §8: a
  // request that cannot change server state), with the trace headers or without: 1 when it
  // got an answer, else the error's name.
  const head = (g, headers) => new Promise((r) => r(fetch.call(win, g._url,
    { method: 'HEAD', headers, credentials: g._credentials, mode: g._mode, cache: 'no-store' })))
    .then(() => 1, (e) => e.name)

  // Resolves true when the origin refuses the trace headers. Only a preflight can tell: the HEAD
  // with them needs one, the HEAD without does not, so "with fails, without answers" means the
  // preflight was refused. A decided origin is not probed again; one finding per origin at a
  // time, shared by every request that failed meanwhile; when both fail (the server is down, or
  // refuses the origin itself) nothing is decided. Never rejects.
  function judge(g, ctx) {
    const o = g._origin
    if (!seen.has(o)) seen.set(o, Promise.all([head(g, ctx.headers), head(g)]).then(([traced, plain]) => {
      const refused = traced == 'TypeError' && plain === 1
      traced === 1 || refused ? seen.set(o, refused) : seen.delete(o)
      if (refused) {
        // SPEC §8: untraced for the session (a reload too), and one warning with the exact line.
        safe(() => store.setItem(KEY, (store.getItem(KEY) || '') + ' ' + o))
        warn(`${o} refuses the trace headers (CORS): untraced this session; to trace it, send Access-Control-Allow-Headers: ${Object.keys(ctx.headers).join(', ').toLowerCase()}`)
      }
      return refused
    }))
    return Promise.resolve(seen.get(o))
  }

  return {
    start(url, method) {
      const ctx = hooks.start(url, method), u = ctx && tracer._url, o = u && u.slice(0, u.indexOf('/', 8)), v = seen.get(o)
      if (v === true) return null
      // Same-origin requests need no preflight; an origin that answered once accepts the headers.
      if (ctx && o != win.location.origin && v !== false) ctx._guard = { _url: u, _origin: o }
      return ctx
    },

    end(ctx, r) {
      const g = ctx._guard
      // Any answer means the preflight passed (a re-sent request's does not count).
      if (g && r.status && seen.get(g._origin) !== true) seen.set(g._origin, false)
      hooks.end(ctx, r)
    },

    _keep(ctx, args, self) {
      const g = ctx._guard
      if (g) try {
        // An XHR has reported its error when the finding comes: later requests are healed.
        if (!args) return g._credentials = self.withCredentials ? 'include' : void 0, self.addEventListener('error', () => judge(g, ctx))
        const init = args[1], req = args[0] instanceof win.Request && args[0], a = [].slice.call(args)
        const get = (k) => init && init[k] !== undefined ? init[k] : req ? req[k] : void 0
        g._credentials = get('credentials')
        g._mode = get('mode')
        g._signal = get('signal')
        // The app's own arguments; a Request's body is taken by the first attempt, its clone's
        // is not. A stream body is read by the first attempt and cannot be sent again.
        if (req) a[0] = req.clone()
        if (!(init && init.body && init.body.getReader)) g._again = () => fetch.apply(self, a)
      } catch (e) {}
    },

    _heal(ctx, e) {
      try {
        const g = ctx._guard, s = g._signal
        // SPEC §8: only a network error (a TypeError) can be a refused preflight; nothing is
        // probed or sent again after an abort by the app. A re-sent request keeps the app's
        // signal: aborted meanwhile, it rejects as an aborted fetch does, sending nothing.
        if (e.name == 'TypeError' && !(s && s.aborted)) return judge(g, ctx).then((y) => y && g._again ? g._again() : Promise.reject(e))
      } catch (x) {}
      throw e
    }
  }
}
