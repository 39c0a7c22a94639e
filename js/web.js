// Web patching: trace headers on the page's own fetch and XMLHttpRequest (SPEC §3, §6).
// Everything here runs as guarded steps before and after the application's call, which is made
// outside any try block: whatever tracewire does wrong, the request still goes out as the app made it.
import { show, warn } from './log.js'

// SPEC §6: one installation per window, shared by every copy of the SDK (Symbol.for is global).
const KEY = Symbol.for('tracewire.web')
const keys = Object.keys
export const hidden = (o, k, value) => Object.defineProperty(o, k, { value, configurable: true, writable: true })

// patchWeb(win, hooks) -> { stop() }
// hooks.start(url, method) -> null | { headers: { name: value } }; hooks.end(ctx, { status, error }).
// A second call while an installation is active (this copy or another copy of the SDK) patches
// nothing and returns a handle whose stop() does nothing: the first installation keeps tracing,
// so no request is ever traced twice, and one SDK copy cannot switch the other one off.
// The steps below share this installation's state: on (until stop), busy (while the hook
// runs), undo (what stop restores), warned (each failure of ours is warned once), within (the
// request whose call into what tracewire wrapped is running) and told (the warning about
// another tracer is out).
export function patchWeb(win, hooks) {
  let on = 1, busy, within, told, Headers, Request
  const undo = [], warned = {}
  const fnString = Function.prototype.toString // taken before any wrapper of ours is installed

  try {
    if (win[KEY]) {
      warn('already active on this page: a second patch does nothing')
      return { stop() {} }
    }
    ({ Headers, Request } = win)
    if (Headers) patchFetch()
    patchXHR()
    hidden(win, KEY, 1)
  } catch (e) { fail('patching failed', e) }

  return {
    // Restore what is still ours; a wrapper someone installed on top of ours keeps working,
    // ours below it becomes a pure pass-through (SPEC §6). Requests in flight still get end().
    stop() {
      if (!on) return
      on = 0
      try {
        undo.forEach((f) => f())
        delete win[KEY]
      } catch (e) { fail('stop failed', e) }
    }
  }

  function fail(what, e) {
    if (!warned[what]) {
      warned[what] = 1
      warn(what + ': ' + show(e))
    }
  }

  // SPEC §6, other tracers: one warning for the page, naming the headers that collided and how to
  // let one tracer alone propagate. kept: tracewire wrapped the other tracer, wrote first and
  // refused the other's values; else it found them set and added nothing.
  function clash(names, kept) {
    if (!told) warn(`${names.join(', ').toLowerCase()} ${kept
      ? "also set by a tracer loaded before tracewire: tracewire's are sent"
      : 'already set by the page or a tracer loaded after tracewire: tracewire adds nothing, no span'
    }. Load tracewire ${kept ? 'first' : 'last'} to swap, or turn off that tracer's propagation for these URLs`)
    told = 1
  }

  // SPEC §6: while what tracewire wrapped (another tracer, loaded before it) runs on a request
  // tracewire wrote headers to, that tracer writing one of them again would send two contexts:
  // "a, b" on an XHR, or its traceparent beside tracewire's tracestate. The write is refused
  // (wrap's pre answers `wrap`) and named for the warning; same(value) tells that it is made
  // on this request. Baggage is a list tracers share: theirs joins ours.
  function refuse(name, same) {
    const c = within, hs = c && c.headers
    const k = hs && keys(hs).find((h) => h.toLowerCase() == `${name}`.toLowerCase())
    if (k && k != 'baggage' && same(hs[k])) return (c._clash = c._clash || []).push(k), wrap
  }

  // After that call: the request it interrupted, if any, is current again; refusals are warned.
  function leave(c) {
    within = c._prev
    if (c._clash) clash(c._clash, 1)
  }

  function end(ctx, status, error) {
    try { hooks.end && hooks.end(ctx, { status, error }) } catch (e) { fail('hooks.end threw', e) }
  }

  // Wrap obj[name] (returns the original when it did). The wrapper runs pre(self, args), calls
  // the original outside any try, then returns post(self, args, result, what pre returned).
  // pre and post are guarded: a throw is warned once as `what`, and the call goes on as the app
  // made it, with its own result. pre may edit args: that arguments object is the wrapper's
  // own, nothing else sees it; a pre answering `wrap` refuses the call (see refuse). The wrapper
  // keeps the original's name, length and native toString (SPEC §6: sites and libraries that
  // sniff `[native code]` keep working).
  function wrap(obj, name, what, pre, post) {
    const orig = obj && obj[name]
    if (typeof orig != 'function') return
    const w = { [name]() {
      let t, r
      try { t = pre && pre(this, arguments) } catch (e) { fail(what, e) }
      if (t === wrap) return
      r = Reflect.apply(orig, this, arguments)
      try { return post ? post(this, arguments, r, t) : r } catch (e) { fail(what, e) }
      return r
    } }[name]
    for (const k of ['name', 'length']) Object.defineProperty(w, k, { value: orig[k] })
    hidden(w, 'toString', fnString.bind(orig))
    obj[name] = w
    undo.push(() => { if (obj[name] === w) obj[name] = orig })
    return orig
  }

  // Asks hooks.start, put()s its headers and returns its ctx; nothing when not traced.
  // SPEC §2/§6: a throwing hook is the same as "not traced". busy: a request the hook itself
  // makes (an exporter using fetch) is not traced, and cannot recurse. check: put() writes
  // where a failure cannot be undone (an XHR), so all values are validated first; fetch puts
  // into a Headers of its own, dropped whole when a value throws.
  function trace(url, method, has, put, check) {
    let ctx, hs, ks
    if (!busy) try {
      busy = 1
      ctx = hooks.start(url, method.toUpperCase())
      hs = ctx && ctx.headers
      ks = hs && keys(hs)
    } catch (e) { fail('hooks.start threw, request sent untouched', e) } finally { busy = 0 }
    // SPEC §3: any header we would write that the app already set (any case) -> inject nothing.
    // SPEC §6: the app, or another tracer wrapping tracewire's wrapper: one warning says so.
    const present = ks && ks.filter(has)
    if (present && present.length) clash(present)
    else if (ks && ks.length) {
      if (check && Headers) new Headers(hs) // a bad value must not leave half of them set
      ks.forEach((k) => put(k, hs[k]))
      return ctx
    }
  }

  // fetch (SPEC §6): build a fresh init with a fresh Headers; arguments are only rewritten
  // when headers were really added, so fetch(url) stays a one-argument call.
  function patchFetch() {
    const FF = 'fetch tracing failed, request sent untouched'
    const below = wrap(win, 'fetch', FF, (x, args) => {
      const input = args[0], init = args[1]
      // Zero arguments, or an init that is not an object: native fetch rejects, let it. Past
      // this, init is an object or absent.
      if (!on || !args.length || init != null && Object(init) !== init) return
      let url, method, h
      // Reading the app's arguments. What throws here (a throwing toString, invalid headers) is
      // the app's mistake: native fetch meets it again and rejects with it; not ours to warn about.
      try {
        const req = Request && input instanceof Request && input
        // WebIDL: an undefined member is absent; init overrides the Request's member.
        const get = (k) => init && init[k] !== undefined ? init[k] : req ? req[k] : undefined
        // SPEC §6: no-cors cannot carry custom headers; leave it alone, do not even ask the tracer.
        if (get('mode') == 'no-cors') return
        url = req ? req.url : `${input}`
        method = `${get('method') || 'GET'}`
        const own = get('headers')
        // A one-shot iterator would be emptied by our copy and lost if we then sent the original.
        if (own && typeof own.next == 'function') return
        h = new Headers(own) // init.headers replaces the Request's headers, as in fetch itself
      } catch (e) { return }
      const ctx = trace(url, method, (k) => h.has(k), (k, v) => h.set(k, v))
      if (!ctx) return
      // SPEC §8: the CORS guard keeps the app's own arguments, to send them again untraced.
      if (hooks._keep) hooks._keep(ctx, args, x)
      // Own and inherited members: fetch reads a dictionary through the prototype chain too
      // (an absent init has none: for-in over null or undefined does nothing).
      const o = {}
      for (const k in init) o[k] = init[k]
      o.headers = h
      // SPEC §6: below a fetch that is not the browser's (another tracer, loaded before), the
      // request goes as a Request, whose headers that tracer writes to through the guard below;
      // from an init's headers it may build a list of pairs no one can watch (Datadog does). The
      // Fetch standard's fetch(input, init) is new Request(input, init); the init goes along too,
      // without headers and body (in the Request), since Firefox applies a keepalive quota only
      // to an init's. A new Request that throws is the app's mistake: native fetch rejects with it.
      if (deep) try {
        args[0] = new Request(input, o)
        o.headers = o.body = undefined
      } catch (e) { return }
      args[1] = o // fetch(url) gains its init
      if (args.length < 2) args.length = 2
      // What tracewire wrapped runs next, within this request, until post leaves it.
      ctx._prev = within
      return within = ctx
    },
    // Chained (not a side branch) so an unhandled rejection is still reported to the app;
    // the app sees the same response or the same error object, or (SPEC §8, a request the
    // CORS guard watches) the answer to that request sent again without trace headers.
    (x, a, p, ctx) => ctx ? (leave(ctx), ctx._guard ? p.catch((e) => hooks._heal(ctx, e)) : p).then((r) => (end(ctx, r.status, false), r), (e) => { end(ctx, 0, true); throw e }) : p)
    // What tracewire wrapped is another library's fetch when its source shows. A Proxy of the
    // browser's (Sentry's) looks native and may copy and set headers all the same: the guard on
    // Headers is there whatever lies below.
    const deep = below && !fnString.call(below).includes('[native code]')
    for (const m of ['set', 'append']) wrap(Headers.prototype, m, FF, (x, a) => refuse(a[0], (v) => x.get(a[0]) === v))
  }

  // XMLHttpRequest: inject at send() time (SPEC §3), from what open() and setRequestHeader()
  // saw since the last open(). Per-object state lives in a WeakMap: nothing on the app's object.
  function patchXHR() {
    const XP = win.XMLHttpRequest && win.XMLHttpRequest.prototype
    const states = new WeakMap()
    const XF = 'XMLHttpRequest tracing failed, request sent untouched'
    // The original setRequestHeader, below our wrapper: our own headers are not "set by the app".
    // SPEC §6: a tracer below tracewire's send() calls this one to write its headers.
    const set = wrap(XP, 'setRequestHeader', XF, (x, a) => refuse(a[0], () => (states.get(x) || 0)._ctx === within), (x, a, r) => {
      const state = on && states.get(x)
      if (state) state._names.push(`${a[0]}`.toLowerCase())
      return r
    })
    wrap(XP, 'open', XF, (x) => {
      // Re-opening ends the previous request (finished or terminated): report it with the
      // status it has now, before open() resets it.
      const prev = states.get(x)
      if (prev && prev._finish) prev._finish()
    }, (x, a, r) => {
      // Recorded only after a successful open: a throwing open() changes nothing natively.
      // async passed explicitly as undefined means synchronous, as in the XHR standard.
      if (on) states.set(x, { _method: `${a[0]}`, _url: `${a[1]}`, _sync: a.length > 2 && !a[2], _names: [] })
      return r
    })
    wrap(XP, 'send', XF, (x) => {
      const state = on && states.get(x)
      // Once per open(): a second send() throws natively, and must not inject twice.
      if (state && !state._finish && set && x.readyState == 1) {
        // Settles the request once: on loadend, or when open() is called again.
        state._finish = () => {
          const ctx = state._ctx
          if (!ctx) return
          state._ctx = 0
          x.removeEventListener('loadend', state._finish)
          end(ctx, x.status, !x.status)
        }
        const ctx = trace(state._url, state._method, (k) => state._names.includes(k.toLowerCase()), (k, v) => set.call(x, k, v), 1)
        if (ctx) {
          state._ctx = ctx
          x.addEventListener('loadend', state._finish)
          if (hooks._keep) hooks._keep(ctx, 0, x) // SPEC §8: the CORS guard watches its error
          // A synchronous send() that fails throws without loadend: settle right after it.
          if (state._sync) Promise.resolve().then(state._finish)
          // What tracewire wrapped runs next, within this request, until post leaves it.
          ctx._prev = within
          return within = ctx
        }
      }
    }, (x, a, r, ctx) => (ctx && leave(ctx), r))
  }
}
