// Web patching: trace headers on the page's own fetch and XMLHttpRequest (SPEC §3, §6).
// Everything here runs as a guarded pre-step: the application's call itself is made outside
// any try block, so whatever tracewire does wrong, the request still goes out as the app made it.
import { warn } from './log.js'

// SPEC §6: one installation per window, shared by every copy of the SDK (Symbol.for is global).
const KEY = Symbol.for('tracewire.web')
const fnString = Function.prototype.toString
const keys = Object.keys
const XF = 'XMLHttpRequest tracing failed, request sent untouched'
export const hidden = (o, k, value) => Object.defineProperty(o, k, { value, configurable: true, writable: true })

// patchWeb(win, hooks) -> { stop() }
// hooks.start(url, method) -> null | { headers: { name: value } }; hooks.end(ctx, { status, error }).
// A second call while an installation is active (this copy or another copy of the SDK) patches
// nothing and returns a handle whose stop() does nothing: the first installation keeps tracing,
// so no request is ever traced twice, and one SDK copy cannot switch the other one off.
export function patchWeb(win, hooks) {
  let on = 1, busy = 0
  const undo = [], seen = {}
  const fail = (where, e) => seen[where] || (seen[where] = 1, warn(`${where}: ${e && e.message || e}`))

  // SPEC §2/§6: a throwing hook is the same as "not traced". busy: a request the hook itself
  // makes (an exporter using fetch) is not traced, and cannot recurse.
  const start = (url, method) => {
    if (busy) return null
    busy = 1
    try {
      const ctx = hooks.start(url, method.toUpperCase())
      return ctx && ctx.headers && keys(ctx.headers).length ? ctx : null
    } catch (e) { fail('hooks.start threw, request sent untouched', e) } finally { busy = 0 }
    return null
  }
  const end = (ctx, status, error) => {
    try { hooks.end && hooks.end(ctx, { status, error }) } catch (e) { fail('hooks.end threw', e) }
  }
  // SPEC §3: any header we would write that the app already set (any case) -> inject nothing.
  const taken = (ctx, has) => keys(ctx.headers).some(has)

  // Wrap obj[name] with make(orig); the wrapper keeps the original's name, length and native
  // toString (SPEC §6: sites and libraries that sniff `[native code]` keep working).
  const wrap = (obj, name, make) => {
    const orig = obj && obj[name]
    if (typeof orig != 'function') return
    const w = make(orig)
    Object.defineProperty(w, 'name', { value: orig.name })
    Object.defineProperty(w, 'length', { value: orig.length })
    hidden(w, 'toString', fnString.bind(orig))
    obj[name] = w
    undo.push(() => { if (obj[name] === w) obj[name] = orig })
  }

  try {
    if (win[KEY]) {
      warn('already active on this page: a second patch does nothing')
      return { stop() {} }
    }
    const { Headers, Request } = win

    // fetch (SPEC §6): build a fresh init with a fresh Headers; arguments are only rewritten
    // when headers were really added, so fetch(url) stays a one-argument call.
    const prepFetch = args => {
      const input = args[0], init = args[1], extra = init != null
      // Zero arguments, or an init that is not an object: native fetch rejects, let it.
      if (!args.length || extra && Object(init) !== init) return
      let url, method, h
      // Reading the app's arguments. What throws here (a throwing toString, invalid headers) is
      // the app's mistake: native fetch meets it again and rejects with it; not ours to warn about.
      try {
        const req = Request && input instanceof Request ? input : null
        // WebIDL: an undefined member is absent; init overrides the Request's member.
        const get = k => extra && init[k] !== undefined ? init[k] : req ? req[k] : undefined
        // SPEC §6: no-cors cannot carry custom headers; leave it alone, do not even ask the tracer.
        if (get('mode') == 'no-cors') return
        url = req ? req.url : typeof input == 'string' ? input : `${input}`
        method = `${get('method') || 'GET'}`
        const own = get('headers')
        // A one-shot iterator would be emptied by our copy and lost if we then sent the original.
        if (own && typeof own.next == 'function') return
        h = new Headers(own) // init.headers replaces the Request's headers, as in fetch itself
      } catch (e) { return }
      const ctx = start(url, method)
      if (!ctx || taken(ctx, k => h.has(k))) return
      keys(ctx.headers).forEach(k => h.set(k, ctx.headers[k]))
      // Own and inherited members: fetch reads a dictionary through the prototype chain too.
      const o = {}
      if (extra) for (const k in init) o[k] = init[k]
      o.headers = h
      const out = Array.from(args)
      out[1] = o
      return { out, ctx }
    }

    if (Headers) wrap(win, 'fetch', orig => ({
      fetch(input) {
        let t
        if (on) try { t = prepFetch(arguments) } catch (e) { fail('fetch tracing failed, request sent untouched', e) }
        const p = Reflect.apply(orig, this, t ? t.out : arguments)
        if (!t) return p
        // Chained (not a side branch) so an unhandled rejection is still reported to the app;
        // the app sees the same response or the same error object.
        try {
          return p.then(r => (end(t.ctx, r.status, false), r), e => { end(t.ctx, 0, true); throw e })
        } catch (e) { fail('fetch tracing failed, request sent untouched', e) }
        return p
      }
    }).fetch)

    // XMLHttpRequest: inject at send() time (SPEC §3), from what open() and setRequestHeader()
    // saw since the last open(). Per-object state lives in a WeakMap: nothing on the app's object.
    const XP = win.XMLHttpRequest && win.XMLHttpRequest.prototype
    const xs = new WeakMap()
    const done = (x, st) => {
      const c = st.c
      if (!c) return
      st.c = 0
      x.removeEventListener('loadend', st.f)
      end(c, x.status, !x.status)
    }
    let set // the setRequestHeader we wrapped: our own headers are not "set by the app"
    wrap(XP, 'setRequestHeader', orig => (set = orig, {
      setRequestHeader(name, value) {
        const r = Reflect.apply(orig, this, arguments)
        const st = on && xs.get(this)
        if (st) try { st.n.push(`${name}`.toLowerCase()) } catch (e) { fail(XF, e) }
        return r
      }
    }).setRequestHeader)
    wrap(XP, 'open', orig => ({
      open(method, url) {
        // Re-opening ends the previous request (finished or terminated): report it with the
        // status it has now, before open() resets it.
        const prev = xs.get(this)
        if (prev) try { done(this, prev) } catch (e) { fail(XF, e) }
        const r = Reflect.apply(orig, this, arguments)
        // Recorded only after a successful open: a throwing open() changes nothing natively.
        // async passed explicitly as undefined means synchronous, as in the XHR standard.
        if (on) try {
          xs.set(this, { m: `${method}`, u: `${url}`, s: arguments.length > 2 && !arguments[2], n: [] })
        } catch (e) { fail(XF, e) }
        return r
      }
    }).open)
    wrap(XP, 'send', orig => ({
      send(body) {
        if (on) try {
          const st = xs.get(this)
          // Once per open(): a second send() throws natively, and must not inject twice.
          if (st && !st.f && set && this.readyState == 1) {
            st.f = () => done(this, st)
            const ctx = start(st.u, st.m)
            if (ctx && !taken(ctx, k => st.n.includes(k.toLowerCase()))) {
              const hs = ctx.headers
              if (Headers) new Headers(hs) // validate all first: a bad value must not leave half the headers set
              keys(hs).forEach(k => set.call(this, k, hs[k]))
              st.c = ctx
              this.addEventListener('loadend', st.f)
              // A synchronous send() that fails throws without loadend: settle right after it.
              if (st.s) Promise.resolve().then(st.f)
            }
          }
        } catch (e) { fail(XF, e) }
        return Reflect.apply(orig, this, arguments)
      }
    }).send)

    hidden(win, KEY, 1)
  } catch (e) { fail('patching failed', e) }

  return {
    // Restore what is still ours; a wrapper someone installed on top of ours keeps working,
    // ours below it becomes a pure pass-through (SPEC §6). Requests in flight still get end().
    stop() {
      if (!on) return
      on = 0
      try {
        undo.forEach(f => f())
        delete win[KEY]
      } catch (e) { fail('stop failed', e) }
    }
  }
}
