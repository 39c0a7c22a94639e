// web.js in Chromium, Firefox and WebKit (browsers.js), every test once per engine: what goes
// on the wire is checked on the server side, and every fetch form is run twice, once on an
// unpatched page and once traced, and compared. Where engines differ natively (error messages,
// what they refuse), the test states each engine's behaviour.
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { ENGINES, launch } from './browsers.js'
import { startServers, bundle } from './server.js'

let harness, second
// A regression must fail, never hang the suite (node:test has no timeout by default).
const LIMIT = { timeout: 30_000 }

// The page harness: patchWeb plus deterministic hooks; nothing is patched until a test asks.
const HARNESS = `
import { patchWeb } from './web.js'
const X = XMLHttpRequest.prototype
const T = window.__T = { patchWeb, starts: [], ends: [], n: 0, mode: 'trace',
  native: { fetch: window.fetch, open: X.open, send: X.send, setRequestHeader: X.setRequestHeader } }
T.hooks = (tag = '') => ({
  start(url, method) {
    T.starts.push({ tag, url, method })
    if (T.mode == 'throw') throw new Error('hook exploded')
    if (T.mode == 'null') return null
    if (T.mode == 'reenter') { fetch('/reenter/inner-fetch'); T.xhr('GET', '/reenter/inner-xhr') } // an exporter, say
    const n = ++T.n, h = n.toString(16)
    // A valid header first, then one no Headers accepts: nothing of it may reach the wire.
    if (T.mode == 'badvalue') return { n, headers: { 'x-test-trace': tag + 'n-' + n, 'x-test-bad': 'a\\nb' } }
    return { n, headers: { 'x-test-trace': tag + 'n-' + n, traceparent: '00-' + h.padStart(32, '0') + '-' + h.padStart(16, '0') + '-01' } }
  },
  end(ctx, r) {
    T.ends.push({ n: ctx.n, status: r.status, error: r.error })
    if (T.mode == 'endthrow') throw new Error('end exploded')
  },
})
// How a call ended, as the page sees it: a synchronous throw, a response, or a rejection.
T.outcome = async (call) => {
  let r
  try { r = call() } catch (e) { return 'sync throw ' + e.name + ': ' + e.message }
  try { const res = await r; return 'status ' + res.status + ' ' + res.type } catch (e) { return 'reject ' + e.name + ': ' + e.message }
}
T.xhr = (method, url, { async = true, headers = [], body = null, before } = {}) => new Promise((resolve) => {
  const x = new XMLHttpRequest()
  x.open(method, url, async)
  for (const [k, v] of headers) x.setRequestHeader(k, v)
  let events = []
  x.onloadend = () => resolve({ status: x.status, events })
  x.onerror = () => events.push('error')
  try { x.send(body) } catch (e) { resolve({ status: x.status, thrown: e.name + ': ' + e.message }) }
})
`
const SECOND_COPY = `import { patchWeb } from './web.js'; window.__T2 = { patchWeb }`

before(async () => {
  ;[harness, second] = await Promise.all([bundle(HARNESS), bundle(SECOND_COPY)])
})

// ---- every fetch form, native vs traced ----

// Each case runs in the page as fn(A, B, p): p is a unique path for the run. It returns the call,
// and optionally a snapshot of the caller's objects taken after the call (must equal native's).
// inject: whether headers must be added; expect: what the native run must do, so the option
// under test is proven to matter (a dropped signal would otherwise go unnoticed).
const CASES = [
  { name: 'a relative string URL', inject: true, url: '{p}?q=1', fn: (A, B, p) => [() => fetch(p + '?q=1')] },
  { name: 'an absolute string URL', inject: true, url: '{A}{p}', fn: (A, B, p) => [() => fetch(A + p)] },
  { name: 'a URL object', inject: true, url: '{A}{p}?u=1', fn: (A, B, p) => [() => fetch(new URL(p + '?u=1', location.href))] },
  { name: 'an object with toString', inject: true, url: '{p}', fn: (A, B, p) => [() => fetch({ toString: () => p })] },
  { name: 'a Request with headers', inject: true, url: '{A}{p}', fn: (A, B, p) => {
    const r = new Request(p, { headers: { 'x-app': 'req' } })
    return [() => fetch(r), () => [[...r.headers], r.bodyUsed, r.method]]
  } },
  { name: 'a POST Request with body, then init overriding method and headers', inject: true, method: 'PUT', fn: (A, B, p) => {
    const r = new Request(p, { method: 'POST', body: 'req-body', headers: { 'x-from-request': '1', 'content-type': 'text/plain' } })
    const init = { method: 'PUT', headers: { 'x-from-init': '1' } }
    return [() => fetch(r, init), () => [[...r.headers], r.bodyUsed, r.method, JSON.stringify(init)]]
  } },
  { name: 'a Request with an init that has no headers (cache, referrerPolicy kept)', inject: true, fn: (A, B, p) => {
    const r = new Request(p, { headers: { 'x-req': '1' } })
    const init = { cache: 'no-store', referrerPolicy: 'no-referrer' }
    return [() => fetch(r, init), () => [[...r.headers], JSON.stringify(init)]]
  } },
  { name: 'a Headers object, POST body and credentials: omit', inject: true, method: 'POST', fn: (A, B, p) => {
    document.cookie = 'tw=1; path=/'
    const h = new Headers({ 'content-type': 'application/json', 'x-app': 'h' })
    const init = { method: 'post', headers: h, body: '{"a":1}', credentials: 'omit' }
    return [() => fetch(p, init), () => [[...h], Object.keys(init), init.headers === h]]
  } },
  { name: 'headers as pairs with a repeated name', inject: true, fn: (A, B, p) => {
    const pairs = [['x-app', 'a'], ['X-App', 'b'], ['accept', 'text/plain']]
    const init = { headers: pairs }
    return [() => fetch(p, init), () => [JSON.stringify(init), init.headers === pairs]]
  } },
  { name: 'a plain headers object, cross-origin with credentials: include', inject: true, fn: (A, B, p) => {
    document.cookie = 'tw=2; path=/'
    const headers = { 'X-App': 'o' }
    const init = { headers, credentials: 'include', mode: 'cors' }
    return [() => fetch(B + '/allow' + p, init), () => [JSON.stringify(init), init.headers === headers]]
  } },
  { name: 'a cookie stays home under the default credentials, cross-origin', inject: true, fn: (A, B, p) => {
    document.cookie = 'tw=3; path=/'
    return [() => fetch(B + '/allow' + p)]
  } },
  { name: 'headers as a Map (any iterable)', inject: true, fn: (A, B, p) => [() => fetch(p, { headers: new Map([['x-app', 'map']]) })] },
  { name: 'init members inherited through the prototype', inject: true, method: 'POST', fn: (A, B, p) => {
    const init = Object.create({ method: 'POST', body: 'inherited' })
    return [() => fetch(p, init), () => [Object.keys(init), 'headers' in init]]
  } },
  { name: 'a URLSearchParams body', inject: true, method: 'POST', fn: (A, B, p) => [() => fetch(p, { method: 'POST', body: new URLSearchParams('a=1&b=2') })] },
  { name: 'a lower-case method', inject: true, method: 'PUT', fn: (A, B, p) => [() => fetch(p, { method: 'put', body: 'x' })] },
  { name: 'an already aborted signal', inject: true, expect: /^reject AbortError/, fn: (A, B, p) => {
    const c = new AbortController()
    c.abort()
    return [() => fetch(p, { signal: c.signal })]
  } },
  { name: 'a signal aborted in flight', inject: true, expect: /^reject AbortError/, fn: (A, B, p) => {
    const c = new AbortController()
    return [() => { const r = fetch(p + '?delay=400', { signal: c.signal }); setTimeout(() => c.abort(), 100); return r }]
  } },
  { name: 'keepalive (a 70 kB keepalive body is refused)', inject: true, expect: /^reject TypeError/, method: 'POST',
    fn: (A, B, p) => [() => fetch(p, { method: 'POST', keepalive: true, body: 'x'.repeat(70000) })] },
  { name: 'a small keepalive POST', inject: true, method: 'POST', fn: (A, B, p) => [() => fetch(p, { method: 'POST', keepalive: true, body: 'beacon' })] },
  { name: 'redirect: error', inject: true, expect: /^reject TypeError/, fn: (A, B, p) => [() => fetch('/redirect' + p, { redirect: 'error' })] },
  { name: 'redirect: manual', inject: true, expect: /^status 0 opaqueredirect/, fn: (A, B, p) => [() => fetch('/redirect' + p, { redirect: 'manual' })] },
  { name: 'a wrong integrity', inject: true, expect: /^reject TypeError/, fn: (A, B, p) => [() => fetch(p, { integrity: 'sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' })] },
  { name: 'a one-shot iterator of headers (left alone: copying it would empty it)', inject: false, fn: (A, B, p) => {
    function* g() { yield ['x-app', 'gen'] }
    return [() => fetch(p, { headers: g() })]
  } },
  // SPEC §6: no-cors is left alone, and the tracer is not even asked.
  { name: 'mode: no-cors in init', inject: false, expect: /^status 0 opaque/, fn: (A, B, p) => [() => fetch(B + '/allow' + p, { mode: 'no-cors' })] },
  { name: 'mode: no-cors from a Request', inject: false, expect: /^status 0 opaque/, fn: (A, B, p) => {
    const r = new Request(B + p, { mode: 'no-cors' })
    return [() => fetch(r), () => [...r.headers]]
  } },
  // SPEC §3: headers the application already set win, in every container.
  { name: 'app traceparent in a Headers object (other case) wins', inject: false, traced: true, fn: (A, B, p) => {
    const h = new Headers({ TraceParent: '00-11111111111111111111111111111111-2222222222222222-00' })
    return [() => fetch(p, { headers: h }), () => [...h]]
  } },
  { name: 'app x-test-trace in pairs wins', inject: false, traced: true, fn: (A, B, p) => {
    const pairs = [['X-TEST-TRACE', 'app']]
    return [() => fetch(p, { headers: pairs }), () => JSON.stringify(pairs)]
  } },
  { name: 'app traceparent in a plain object wins', inject: false, traced: true, method: 'POST', fn: (A, B, p) => {
    const headers = { traceparent: 'app-value' }
    return [() => fetch(p, { method: 'POST', body: 'b', headers }), () => JSON.stringify(headers)]
  } },
  { name: 'app traceparent on a Request wins', inject: false, traced: true, fn: (A, B, p) => {
    const r = new Request(p, { headers: { traceparent: 'from-request' } })
    return [() => fetch(r), () => [...r.headers]]
  } },
  { name: 'app traceparent in the init given with a Request wins', inject: false, traced: true, fn: (A, B, p) => {
    const r = new Request(p)
    return [() => fetch(r, { headers: { Traceparent: 'from-init' } })]
  } },
  { name: 'a Request traceparent replaced by init headers does not count (fetch drops it too)', inject: true, fn: (A, B, p) => {
    const r = new Request(p, { headers: { traceparent: 'dropped-by-init' } })
    return [() => fetch(r, { headers: { 'x-app': 'init' } }), () => [...r.headers]]
  } },
]

// What each engine natively says, where the engines word it differently. The tests compare the
// patched page with the native one in the same engine; these pin the native side down.
const NATIVE = {
  // A fetch that fails at the network or CORS level: the same TypeError, three wordings.
  fetchFailed: {
    chromium: 'TypeError: Failed to fetch',
    firefox: 'TypeError: NetworkError when attempting to fetch resource.',
    webkit: 'TypeError: Load failed',
  },
  // fetch() with no argument, and fetch('http://[bad').
  noArgument: {
    chromium: /^reject TypeError: .*1 argument required/,
    firefox: /^reject TypeError: Window\.fetch: At least 1 argument required/,
    webkit: /^reject TypeError: Not enough arguments$/,
  },
  badUrl: {
    chromium: /^reject TypeError: .*Failed to parse URL from http:\/\/\[bad/,
    firefox: /^reject TypeError: Window\.fetch: http:\/\/\[bad is not a valid URL\.$/,
    webkit: /^reject TypeError: URL is not valid or contains user credentials\.$/,
  },
  // Function.prototype.toString of a native method: Firefox and WebKit print it on three lines.
  source: (name) => ({
    chromium: `function ${name}() { [native code] }`,
    firefox: `function ${name}() {\n    [native code]\n}`,
    webkit: `function ${name}() {\n    [native code]\n}`,
  }),
}

for (const engine of ENGINES) describe(engine, () => {
  let browser, srv
  const it = (name, ...rest) => test(`${engine}: ${name}`, ...rest)

  before(async () => {
    ;[browser, srv] = await Promise.all([launch(engine), startServers()])
    srv.script('/tw.js', harness)
    srv.script('/tw2.js', second)
    srv.page('/t.html', '<!doctype html><script src="/tw.js"></script>')
    srv.page('/t2.html', '<!doctype html><script src="/tw.js"></script><script src="/tw2.js"></script>')
    srv.page('/csp.html', '<!doctype html><script src="/tw.js"></script>', {
      'content-security-policy': `default-src 'none'; script-src 'self'; connect-src 'self' ${srv.b}`,
    })
  }, LIMIT)
  after(async () => {
    await browser?.close()
    await srv?.close()
  })

  // A fresh page (in Chromium and Firefox also a fresh browser context, so cookies do not leak
  // between tests; WebKit's windows share one jar, see browsers.js), patched unless asked not to.
  // below: another library's plain function wraps fetch first, so tracewire sends each traced
  // fetch as one Request (SPEC §6, other tracers): the forms below must still be sent as native.
  async function open({ path = '/t.html', patch = true, below = false } = {}) {
    const page = await browser.newPage()
    await page.goto(`${srv.a}${path}`)
    if (below) await page.evaluate(() => { const f = fetch; window.fetch = function fetch(...a) { return f.apply(this, a) } })
    if (patch) await page.evaluate(() => { __T.handle = __T.patchWeb(window, __T.hooks()) })
    return page
  }
  // tracewire's console output, as '<type> <text>'.
  const warnings = async (page) => (await page.console()).filter((m) => m.text.startsWith('[tracewire]')).map((m) => `${m.type} ${m.text}`)
  const recs = (part) => srv.requests.filter((r) => r.path.includes(part))
  const pres = (part) => srv.preflights.filter((r) => r.path.includes(part))
  const TP = /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/
  // A request as it should look without tracewire: the injected headers removed, the run's path tag neutralised.
  const strip = (r, tag) => {
    const headers = { ...r.headers }
    delete headers['x-test-trace']
    delete headers.traceparent
    return { origin: r.origin, method: r.method, path: r.path.replace(tag, '<tag>'), headers, body: r.body }
  }

  const plainRuns = [] // each case's native run, shared by the traced runs
  async function runCase(page, c, tag) {
    const src = c.fn.toString()
    return page.evaluate(async ({ src, A, B, p }) => {
      const s0 = __T.starts.length, e0 = __T.ends.length
      const [call, snap] = (0, eval)('(' + src + ')')(A, B, p)
      const outcome = await __T.outcome(call)
      await new Promise((r) => setTimeout(r, 0))
      return { outcome, snap: snap ? JSON.stringify(snap()) : null, starts: __T.starts.slice(s0), ends: __T.ends.slice(e0) }
    }, { src, A: srv.a, B: srv.b, p: `/${tag}` })
  }

  it('every fetch form sends what native fetch sends, plus the trace headers when they apply, also below another wrapper', LIMIT, async (t) => {
    const [plain, traced, below] = await Promise.all([open({ patch: false }), open(), open({ below: true })])
    for (const [i, c] of CASES.entries()) for (const [run, page] of [['traced', traced], ['below', below]]) {
      await t.test(`${c.name} (${run})`, async () => {
        const pt = `plain-${i}/c`, tt = `${run}-${i}/c`
        const native = plainRuns[i] ??= await runCase(plain, c, pt)
        const ours = await runCase(page, c, tt)
        if (c.expect) assert.match(native.outcome, c.expect, 'the native run shows the option matters')
        assert.equal(ours.outcome, native.outcome, 'the page sees the same result')
        assert.equal(ours.snap, native.snap, "the caller's objects are left as native fetch leaves them")

        const [n, o] = [recs(pt), recs(tt)]
        assert.equal(o.length, n.length, 'as many requests reached the server')
        assert.deepEqual(o.map((r) => strip(r, tt)), n.map((r) => strip(r, pt)), 'method, path, headers and body as native')
        for (const r of o) {
          if (c.inject) {
            assert.match(r.headers['x-test-trace'], /^n-\d+$/)
            assert.match(r.headers.traceparent, TP)
          } else {
            assert.equal(r.headers['x-test-trace'], n[0]?.headers['x-test-trace'], 'no x-test-trace unless the app set it')
            assert.equal(r.headers.traceparent, n[0]?.headers.traceparent, 'the app value, alone')
          }
        }
        // Cross-origin: the traced preflight asks for exactly the native headers plus ours.
        const [np, op] = [pres(pt), pres(tt)]
        if (c.inject && o.some((r) => r.origin == 'b')) {
          assert.equal(op.length, 1)
          const asked = (pf) => (pf?.headers['access-control-request-headers'] || '').split(',').filter(Boolean)
          assert.deepEqual(asked(op[0]).sort(), [...asked(np[0]), 'traceparent', 'x-test-trace'].sort())
        }

        // The hooks: start once with the URL as given and the upper-case method; end once when traced.
        if (c.inject || c.traced) {
          assert.equal(ours.starts.length, 1)
          assert.equal(ours.starts[0].method, c.method || 'GET')
          if (c.url) assert.equal(ours.starts[0].url, c.url.replace('{A}', srv.a).replace('{p}', `/${tt}`))
        } else assert.deepEqual(ours.starts, [], 'the tracer is not asked')
        if (c.inject) {
          const m = /^status (\d+)/.exec(ours.outcome)
          assert.deepEqual(ours.ends.map(({ status, error }) => ({ status, error })),
            [m ? { status: +m[1], error: false } : { status: 0, error: true }])
        } else assert.deepEqual(ours.ends, [], 'end only for traced requests')
      })
    }
    await Promise.all([plain.close(), traced.close(), below.close()])
  })

  it('cookies and credentials reach the server exactly as the app asked', () => {
    // Read from the runs above: these would fail if credentials were dropped or forced.
    const by = (name) => recs(`traced-${CASES.findIndex((c) => c.name == name)}/c`)[0]
    assert.equal(by('a Headers object, POST body and credentials: omit').headers.cookie, undefined)
    assert.equal(by('a plain headers object, cross-origin with credentials: include').headers.cookie, 'tw=2')
    assert.equal(by('a cookie stays home under the default credentials, cross-origin').headers.cookie, undefined)
    assert.equal(by('a Request with an init that has no headers (cache, referrerPolicy kept)').headers.referer, undefined)
  })

  // ---- bad calls fail exactly like native fetch ----

  it('bad calls reject with the native error, never a synchronous throw or another error', LIMIT, async () => {
    const BAD = [
      () => fetch(),
      () => fetch('http://[bad'),
      () => fetch('/x', 5),
      () => fetch('/x', { headers: null }),
      () => fetch('/x', { headers: { 'bad name': 'v' } }),
      () => fetch('/x', { headers: [['only-one']] }),
      () => fetch(Symbol('s')),
      () => fetch('/x', { method: 'GET', body: 'x' }),
      () => fetch('/x', { method: 'bad method' }),
      () => fetch('/x', { mode: 'navigate' }),
      () => fetch({ toString() { throw new RangeError('no url for you') } }),
      () => fetch.call({}, '/x'),
      () => new fetch('/x'),
      () => fetch(undefined), // not an error natively: a GET of ./undefined
    ].map(String)
    const [plain, traced, below] = await Promise.all([open({ patch: false }), open(), open({ below: true })])
    const run = (page) => page.evaluate(async (bad) => {
      const out = []
      for (const b of bad) out.push(await __T.outcome((0, eval)(b)))
      return out
    }, BAD)
    const [native, ours, deep] = [await run(plain), await run(traced), await run(below)]
    assert.deepEqual(ours, native)
    assert.deepEqual(deep, native, 'below another wrapper, where tracewire builds a Request, the same')
    assert.deepEqual(await warnings(traced), [], "the app's mistakes are not reported as tracewire failures")
    assert.deepEqual(await warnings(below), [])
    assert.match(native[0], NATIVE.noArgument[engine])
    assert.match(native[1], NATIVE.badUrl[engine])
    assert.ok(native.slice(0, -2).every((o) => o.startsWith('reject ')), 'all reject')
    assert.match(native.at(-1), /^status 200/)
    const undef = srv.requests.filter((r) => r.path == '/undefined')
    assert.equal(undef.length, 3)
    assert.deepEqual(undef.map((r) => r.headers['x-test-trace'] !== undefined), [false, true, true], 'fetch(undefined) is a real request, traced like one')
    await Promise.all([plain.close(), traced.close(), below.close()])
  })

  it('bad XMLHttpRequest calls throw the native errors', LIMIT, async () => {
    const BAD = [
      () => new XMLHttpRequest().send(),
      () => new XMLHttpRequest().setRequestHeader('a', 'b'),
      () => new XMLHttpRequest().open('bad method', '/x'),
      () => new XMLHttpRequest().open('GET', 'http://[bad'),
      () => { const x = new XMLHttpRequest(); x.open('GET', '/x'); x.setRequestHeader('bad name', 'v') },
      () => { const x = new XMLHttpRequest(); x.open('GET', '/x?twice'); x.send(); x.send() },
      () => XMLHttpRequest.prototype.send.call({}),
    ].map(String)
    const [plain, traced] = await Promise.all([open({ patch: false }), open()])
    const run = (page) => page.evaluate((bad) => bad.map((b) => {
      try { (0, eval)(b)(); return 'no throw' } catch (e) { return e.name + ': ' + e.message }
    }), BAD)
    const [native, ours] = [await run(plain), await run(traced)]
    assert.deepEqual(ours, native)
    assert.ok(native.every((o) => o != 'no throw'))
    assert.deepEqual(await warnings(traced), [], 'app errors are not reported as tracewire failures')
    await Promise.all([plain.close(), traced.close()])
  })

  // ---- arity and identity ----

  it('arguments are rewritten only when headers were added: fetch(url) stays a one-argument call', LIMIT, async () => {
    const page = await open({ patch: false })
    const seen = await page.evaluate(async () => {
      const native = fetch
      const r = new Request('/arity/req'), init = { method: 'POST', body: 'b' }, mine = { headers: { traceparent: 'app' } }
      const nc = { mode: 'no-cors' }
      const name = (x) => x === undefined ? 'none' : x === r ? 'req' : x === init ? 'init' : x === mine ? 'mine' : x === nc ? 'nc'
        : typeof x == 'string' ? x : 'fresh'
      // Something below tracewire (made by below(calls)) that records what it is called with.
      const run = async (below) => {
        const calls = []
        window.fetch = below(calls)
        const h = __T.patchWeb(window, __T.hooks())
        __T.mode = 'null'
        await fetch('/arity/null')
        __T.mode = 'trace'
        await fetch('/arity/traced', init)
        await fetch('/arity/app-wins', mine)
        await fetch(r)
        await fetch('/arity/no-cors', nc)
        await fetch('/arity/one')
        h.stop()
        window.fetch = native
        return calls.map((a) => [a.length, name(a[0]), name(a[1]), a[1]?.method, a[1]?.headers instanceof Headers,
          a[0] instanceof Request && a[0] !== r ? [a[0].method, a[0].headers.has('x-test-trace')] : null])
      }
      return [
        // A Proxy of the browser's fetch looks native, as the browser's own does.
        await run((calls) => new Proxy(native, { apply: (f, self, a) => (calls.push(a), Reflect.apply(f, self, a)) })),
        // A plain function is another library's (a tracer, say: SPEC §6).
        await run((calls) => function fetch(...a) { calls.push(a); return native.apply(this, a) }),
      ]
    })
    assert.deepEqual(seen[0], [
      [1, '/arity/null', 'none', undefined, false, null], // not traced: the call as the app made it
      [2, '/arity/traced', 'fresh', 'POST', true, null], // a fresh init, method kept
      [2, '/arity/app-wins', 'mine', undefined, false, null], // app wins: the same init object
      [2, 'req', 'fresh', undefined, true, null], // the same Request, a fresh init carrying its headers plus ours
      [2, '/arity/no-cors', 'nc', undefined, false, null], // no-cors: untouched
      [2, '/arity/one', 'fresh', undefined, true, null], // a traced one-argument call gains its init
    ])
    // Below another library's fetch, a traced call is a fresh Request carrying everything, with
    // a fresh init of the same members but headers and body (SPEC §6).
    assert.deepEqual(seen[1], [
      [1, '/arity/null', 'none', undefined, false, null],
      [2, 'fresh', 'fresh', 'POST', false, ['POST', true]],
      [2, '/arity/app-wins', 'mine', undefined, false, null],
      [2, 'fresh', 'fresh', undefined, false, ['GET', true]],
      [2, '/arity/no-cors', 'nc', undefined, false, null],
      [2, 'fresh', 'fresh', undefined, false, ['GET', true]],
    ])
    assert.deepEqual(recs('/arity/one').map((x) => x.headers['x-test-trace']), ['n-4', 'n-8'])
    assert.deepEqual(recs('/arity/traced').map((x) => [x.method, x.body]), [['POST', 'b'], ['POST', 'b']])
    await page.close()
  })

  // ---- XMLHttpRequest ----

  it('XHR: async, POST with body, synchronous, and a re-used object all carry fresh headers', LIMIT, async () => {
    const page = await open()
    const r = await page.evaluate(async () => {
      const out = {}
      out.async = await __T.xhr('GET', '/xhr/async')
      out.post = await __T.xhr('POST', '/xhr/post', { headers: [['content-type', 'text/plain'], ['x-app', 'p']], body: 'xhr-body' })
      out.sync = await __T.xhr('GET', '/xhr/sync', { async: false })
      out.syncUndefined = await new Promise((resolve) => { // async passed as undefined means synchronous
        const x = new XMLHttpRequest()
        x.open('GET', '/xhr/sync-undefined', undefined)
        x.send()
        resolve({ status: x.status, readyState: x.readyState })
      })
      const x = new XMLHttpRequest()
      const once = () => new Promise((res) => { x.onloadend = () => res(x.status) })
      x.open('GET', '/xhr/reuse-1'); x.setRequestHeader('x-app', 'first'); let w = once(); x.send(); await w
      x.open('POST', '/xhr/reuse-2'); w = once(); x.send('second'); await w // x-app must not carry over
      x.open('GET', '/xhr/reuse-3', false); x.send()
      await new Promise((res) => setTimeout(res, 0))
      out.ends = __T.ends
      out.keys = [Object.keys(x), Object.getOwnPropertySymbols(x).length]
      return out
    })
    assert.equal(r.async.status, 200)
    assert.deepEqual(r.syncUndefined, { status: 200, readyState: 4 })
    const get = (p) => recs(p)[0]
    for (const [p, n] of [['/xhr/async', 1], ['/xhr/post', 2], ['/xhr/sync', 3], ['/xhr/sync-undefined', 4], ['/xhr/reuse-1', 5], ['/xhr/reuse-2', 6], ['/xhr/reuse-3', 7]]) {
      assert.equal(get(p).headers['x-test-trace'], `n-${n}`, p)
      assert.match(get(p).headers.traceparent, TP)
    }
    assert.deepEqual([get('/xhr/post').method, get('/xhr/post').body, get('/xhr/post').headers['x-app'], get('/xhr/post').headers['content-type']],
      ['POST', 'xhr-body', 'p', 'text/plain'])
    assert.equal(get('/xhr/reuse-1').headers['x-app'], 'first')
    assert.equal(get('/xhr/reuse-2').headers['x-app'], undefined)
    assert.equal(get('/xhr/reuse-2').body, 'second')
    // Sorted: the app's own loadend handler runs first and may start the next request before ours runs.
    assert.deepEqual(r.ends.sort((x, y) => x.n - y.n), [1, 2, 3, 4, 5, 6, 7].map((n) => ({ n, status: 200, error: false })), 'end once each')
    assert.deepEqual(r.keys, [[], 0], 'nothing stored on the XHR object')
    await page.close()
  })

  it('XHR: headers the app set win, whatever the case, and are never combined', LIMIT, async () => {
    const page = await open()
    const r = await page.evaluate(async () => {
      await __T.xhr('GET', '/xhr/app-tp', { headers: [['TraceParent', 'app-tp']] })
      await __T.xhr('GET', '/xhr/app-x', { headers: [['x-app', '1'], ['X-Test-Trace', 'app-x']] })
      // Opened before tracewire: the app's headers cannot be known, so the request is left alone.
      __T.handle.stop()
      const x = new XMLHttpRequest()
      x.open('GET', '/xhr/opened-before')
      __T.handle = __T.patchWeb(window, __T.hooks())
      x.setRequestHeader('traceparent', 'set-after-patch')
      await new Promise((res) => { x.onloadend = res; x.send() })
      // Set after our wrapper was installed but on a request opened since: still wins.
      await __T.xhr('GET', '/xhr/app-after', { headers: [['traceparent', 'after']] })
      return { ends: __T.ends, starts: __T.starts.length }
    })
    assert.equal(recs('/xhr/app-tp')[0].headers.traceparent, 'app-tp')
    assert.equal(recs('/xhr/app-tp')[0].headers['x-test-trace'], undefined)
    assert.equal(recs('/xhr/app-x')[0].headers['x-test-trace'], 'app-x')
    assert.equal(recs('/xhr/app-x')[0].headers.traceparent, undefined)
    assert.equal(recs('/xhr/opened-before')[0].headers.traceparent, 'set-after-patch')
    assert.equal(recs('/xhr/opened-before')[0].headers['x-test-trace'], undefined)
    assert.equal(recs('/xhr/app-after')[0].headers.traceparent, 'after')
    assert.deepEqual(r, { ends: [], starts: 3 }, 'asked, declined, no end')
    await page.close()
  })

  it('XHR: end reports 200, 404, network errors, aborts and re-opened requests once each', LIMIT, async () => {
    const page = await open()
    const r = await page.evaluate(async () => {
      const out = {}
      out.ok = await __T.xhr('GET', '/xhr/end-200')
      out.nf = await __T.xhr('GET', '/status/404/xhr')
      out.drop = await __T.xhr('GET', '/drop/xhr')
      out.syncDrop = await __T.xhr('GET', '/drop/xhr-sync', { async: false })
      const x = new XMLHttpRequest()
      x.open('GET', '/xhr/abort?delay=300'); x.send(); x.abort()
      x.open('GET', '/xhr/reopened?delay=300'); x.send()
      await new Promise((res) => setTimeout(res, 50))
      x.open('GET', '/xhr/after-reopen') // terminates the request in flight: no event at all
      await new Promise((res) => { x.onloadend = res; x.send() })
      await new Promise((res) => setTimeout(res, 400))
      out.ends = __T.ends
      return out
    })
    assert.deepEqual([r.ok.status, r.nf.status, r.drop.status, r.drop.events], [200, 404, 0, ['error']])
    // A synchronous request failing at the network: Chromium's send() throws a NetworkError;
    // Firefox and WebKit return from send() normally, having fired error and loadend in it.
    if (engine == 'chromium') assert.match(r.syncDrop.thrown, /^NetworkError: /)
    else assert.deepEqual(r.syncDrop, { status: 0, events: ['error'] })
    assert.deepEqual(r.ends.sort((x, y) => x.n - y.n), [
      { n: 1, status: 200, error: false },
      { n: 2, status: 404, error: false },
      { n: 3, status: 0, error: true },
      { n: 4, status: 0, error: true }, // synchronous failure: settled once, thrown (no loadend) or not
      { n: 5, status: 0, error: true }, // abort()
      { n: 6, status: 0, error: true }, // terminated by open()
      { n: 7, status: 200, error: false },
    ])
    await page.close()
  })

  // ---- fetch end ----

  it('fetch: end is called once with the status, or as an error, and the app still sees its rejection', LIMIT, async () => {
    const page = await open()
    const r = await page.evaluate(async () => {
      const out = [await __T.outcome(() => fetch('/fetch/end-200')), await __T.outcome(() => fetch('/status/404/fetch')),
        await __T.outcome(() => fetch('/drop/fetch'))]
      // An unhandled rejection is still reported: we chain, we do not swallow.
      const unhandled = new Promise((res) => {
        addEventListener('unhandledrejection', (e) => res(e.reason.name), { once: true })
        setTimeout(() => res('no unhandledrejection event'), 2000)
      })
      fetch('/drop/unhandled')
      out.push(await unhandled)
      await new Promise((res) => setTimeout(res, 50))
      return { out, ends: __T.ends }
    })
    assert.deepEqual(r.out, ['status 200 basic', 'status 404 basic', `reject ${NATIVE.fetchFailed[engine]}`, 'TypeError'])
    assert.deepEqual(r.ends, [
      { n: 1, status: 200, error: false }, { n: 2, status: 404, error: false },
      { n: 3, status: 0, error: true }, { n: 4, status: 0, error: true },
    ])
    await page.close()
  })

  // ---- CORS ----

  it('cross-origin: an allowing preflight lets the headers through; a denying one fails like any CORS failure', LIMIT, async () => {
    const [plain, traced] = await Promise.all([open({ patch: false }), open()])
    const calls = async (page, tag) => page.evaluate(async ({ B, tag }) => ({
      allow: await __T.outcome(() => fetch(`${B}/allow/${tag}/f`, { method: 'POST', body: 'x', headers: { 'content-type': 'application/json' } })),
      xhrAllow: (await __T.xhr('PUT', `${B}/allow/${tag}/x`, { body: 'y' })).status,
      deny: await __T.outcome(() => fetch(`${B}/deny/${tag}/f`)),
      // The same failure natively: a non-safelisted header the preflight does not allow.
      denyApp: await __T.outcome(() => fetch(`${B}/deny/${tag}/f-app`, { headers: { 'x-app': '1' } })),
      xhrDeny: await __T.xhr('GET', `${B}/deny/${tag}/x`),
      xhrDenyApp: await __T.xhr('GET', `${B}/deny/${tag}/x-app`, { headers: [['x-app', '1']] }),
      ends: await new Promise((res) => setTimeout(() => res(__T.ends), 0)), // our loadend listener runs after the app's
    }), { B: srv.b, tag })
    const n = await calls(plain, 'cors-plain'), o = await calls(traced, 'cors-traced')
    assert.equal(o.allow, 'status 200 cors')
    assert.equal(o.xhrAllow, 200)
    const got = recs('/allow/cors-traced/')
    assert.equal(got.length, 2)
    for (const r of got) { assert.match(r.headers['x-test-trace'], /^n-\d$/); assert.match(r.headers.traceparent, TP) }
    assert.equal(got[0].body, 'x')
    assert.match(pres('/allow/cors-traced/f')[0].headers['access-control-request-headers'], /content-type,traceparent,x-test-trace/)
    // Natively the plain GET to /deny/ needs no preflight and succeeds: that is SPEC §8's point.
    assert.equal(n.deny, 'status 200 cors')
    assert.equal(o.deny, n.denyApp, 'blocked exactly like a native CORS failure')
    assert.equal(o.deny, `reject ${NATIVE.fetchFailed[engine]}`)
    assert.deepEqual(o.xhrDeny, n.xhrDenyApp)
    assert.deepEqual(o.xhrDeny, { status: 0, events: ['error'] })
    assert.equal(recs('/deny/cors-traced/').length, 0, 'only the preflight reached B')
    assert.equal(pres('/deny/cors-traced/').length, 4)
    assert.deepEqual(o.ends.map((e) => e.status), [200, 200, 0, 0, 0, 0])
    await Promise.all([plain.close(), traced.close()])
  })

  // ---- patching ----

  it('stop() restores the original fetch and XHR methods, and patching again works', LIMIT, async () => {
    const page = await open()
    const r = await page.evaluate(async () => {
      const X = XMLHttpRequest.prototype, N = __T.native
      const patched = [fetch !== N.fetch, X.open !== N.open, X.send !== N.send, X.setRequestHeader !== N.setRequestHeader]
      __T.handle.stop()
      __T.handle.stop() // twice is harmless
      const restored = [fetch === N.fetch, X.open === N.open, X.send === N.send, X.setRequestHeader === N.setRequestHeader,
        Symbol.for('tracewire.web') in window]
      await fetch('/stop/fetch-after')
      await __T.xhr('GET', '/stop/xhr-after')
      const h = __T.patchWeb(window, __T.hooks('again-'))
      await fetch('/stop/fetch-again')
      h.stop()
      return { patched, restored, starts: __T.starts.length }
    })
    assert.deepEqual(r.patched, [true, true, true, true])
    assert.deepEqual(r.restored, [true, true, true, true, false])
    assert.equal(recs('/stop/fetch-after')[0].headers['x-test-trace'], undefined)
    assert.equal(recs('/stop/xhr-after')[0].headers['x-test-trace'], undefined)
    assert.equal(recs('/stop/fetch-again')[0].headers['x-test-trace'], 'again-n-1')
    assert.equal(r.starts, 1)
    await page.close()
  })

  it('stop() under a wrapper installed after us leaves a pure pass-through', LIMIT, async () => {
    const page = await open()
    const r = await page.evaluate(async () => {
      const X = XMLHttpRequest.prototype
      const ours = { fetch, send: X.send, open: X.open }
      window.fetch = function fetch(...a) { return ours.fetch.apply(this, a) } // another library, after us
      const theirs = window.fetch
      X.send = function send(...a) { return ours.send.apply(this, a) }
      X.open = function open(...a) { return ours.open.apply(this, a) }
      __T.handle.stop()
      const kept = [window.fetch === theirs, X.send !== ours.send, X.setRequestHeader === __T.native.setRequestHeader]
      await __T.outcome(() => fetch('/passthrough/fetch', { method: 'POST', body: 'still-sent' }))
      await __T.xhr('GET', '/passthrough/xhr', { headers: [['x-app', '1']] })
      const startsAfterStop = __T.starts.length
      // A new installation goes on top; the old pass-through below adds nothing.
      const h = __T.patchWeb(window, __T.hooks('new-'))
      await fetch('/passthrough/new')
      await __T.xhr('GET', '/passthrough/new-xhr')
      return { kept, startsAfterStop, ends: __T.ends.length }
    })
    assert.deepEqual(r.kept, [true, true, true])
    assert.equal(r.startsAfterStop, 0)
    assert.deepEqual([recs('/passthrough/fetch')[0].headers['x-test-trace'], recs('/passthrough/fetch')[0].body], [undefined, 'still-sent'])
    assert.deepEqual([recs('/passthrough/xhr')[0].headers['x-test-trace'], recs('/passthrough/xhr')[0].headers['x-app']], [undefined, '1'])
    assert.equal(recs('/passthrough/new')[0].headers['x-test-trace'], 'new-n-1')
    assert.equal(recs('/passthrough/new-xhr')[0].headers['x-test-trace'], 'new-n-2')
    await page.close()
  })

  it('a second patchWeb, from this copy or a separately bundled one, never double-injects and does not throw', LIMIT, async () => {
    const page = await open({ path: '/t2.html' })
    const r = await page.evaluate(async () => {
      const separate = __T2.patchWeb !== __T.patchWeb
      const fetchBefore = fetch
      const same = __T.patchWeb(window, __T.hooks('same-'))
      const other = __T2.patchWeb(window, __T.hooks('other-'))
      const handles = [typeof same.stop, typeof other.stop, fetch === fetchBefore]
      await fetch('/double/fetch')
      await __T.xhr('GET', '/double/xhr')
      same.stop(); other.stop() // inert: the first installation keeps tracing
      await fetch('/double/after-inert-stop')
      return { separate, handles, tags: __T.starts.map((s) => s.tag) }
    })
    assert.equal(r.separate, true)
    assert.deepEqual(r.handles, ['function', 'function', true])
    for (const p of ['/double/fetch', '/double/xhr', '/double/after-inert-stop']) {
      const h = recs(p)[0].headers
      assert.match(h['x-test-trace'], /^n-\d$/, `${p}: one value from the first installation`)
      assert.match(h.traceparent, TP)
    }
    assert.deepEqual(r.tags, ['', '', ''])
    // One warning per copy: each bundle has its own logger (printed once per distinct message).
    assert.equal((await warnings(page)).filter((w) => w.includes('already active')).length, 2)
    await page.close()
  })

  it('the wrappers look native and leave nothing enumerable on shared objects', LIMIT, async () => {
    const page = await open({ patch: false })
    const r = await page.evaluate(() => {
      const X = XMLHttpRequest.prototype, names = ['open', 'send', 'setRequestHeader']
      const look = () => [fetch.toString(), String(fetch), fetch.name, fetch.length, 'prototype' in fetch,
        ...names.flatMap((k) => [X[k].toString(), X[k].name, X[k].length])]
      const before = { look: look(), win: Object.keys(window), proto: Object.keys(X), ctor: Object.keys(XMLHttpRequest) }
      __T.patchWeb(window, __T.hooks())
      const after = { look: look(), win: Object.keys(window), proto: Object.keys(X), ctor: Object.keys(XMLHttpRequest) }
      const d = Object.getOwnPropertyDescriptor(window, Symbol.for('tracewire.web'))
      return { before, after, patched: fetch !== __T.native.fetch, keysOnFetch: Object.keys(fetch), mark: d && d.enumerable }
    })
    assert.equal(r.patched, true)
    assert.deepEqual(r.after, r.before)
    assert.equal(r.before.look[0], NATIVE.source('fetch')[engine])
    assert.equal(r.before.look[5], NATIVE.source('open')[engine])
    assert.deepEqual(r.keysOnFetch, [])
    assert.equal(r.mark, false, 'the installation mark is a non-enumerable symbol')
    await page.close()
  })

  it('a hooks.start that throws leaves requests untouched, with one warning', LIMIT, async () => {
    const page = await open()
    const r = await page.evaluate(async () => {
      __T.mode = 'throw'
      const out = []
      for (let i = 0; i < 3; i++) out.push(await __T.outcome(() => fetch(`/throw/fetch-${i}`, { method: 'POST', body: 'b' + i })))
      out.push((await __T.xhr('GET', '/throw/xhr')).status)
      __T.mode = 'endthrow'
      out.push(await __T.outcome(() => fetch('/throw/end')))
      out.push((await __T.xhr('GET', '/throw/end-xhr')).status)
      return { out, starts: __T.starts.length }
    })
    assert.deepEqual(r.out, ['status 200 basic', 'status 200 basic', 'status 200 basic', 200, 'status 200 basic', 200])
    assert.equal(r.starts, 6)
    for (let i = 0; i < 3; i++) {
      const h = recs(`/throw/fetch-${i}`)[0]
      assert.deepEqual([h.headers['x-test-trace'], h.headers.traceparent, h.body], [undefined, undefined, 'b' + i])
    }
    assert.equal(recs('/throw/xhr')[0].headers['x-test-trace'], undefined)
    assert.equal(recs('/throw/end')[0].headers['x-test-trace'], 'n-1', 'a throwing end does not undo the headers')
    assert.deepEqual((await warnings(page)).map((w) => w.replace(/:.*$/s, '')), [
      'warning [tracewire] hooks.start threw, request sent untouched', 'warning [tracewire] hooks.end threw'])
    await page.close()
  })

  it('headers with a value no Headers accepts leave fetch and XHR untouched, none half set, with one warning each', LIMIT, async () => {
    const page = await open()
    const r = await page.evaluate(async () => {
      __T.mode = 'badvalue'
      return [await __T.outcome(() => fetch('/badvalue/fetch', { method: 'POST', body: 'f' })),
        (await __T.xhr('POST', '/badvalue/xhr', { body: 'x' })).status]
    })
    assert.deepEqual(r, ['status 200 basic', 200])
    for (const [p, body] of [['/badvalue/fetch', 'f'], ['/badvalue/xhr', 'x']]) {
      const h = recs(p)[0]
      assert.deepEqual([h.headers['x-test-trace'], h.headers['x-test-bad'], h.body], [undefined, undefined, body], p)
    }
    assert.deepEqual((await warnings(page)).map((w) => w.replace(/:.*$/s, '')), [
      'warning [tracewire] fetch tracing failed, request sent untouched',
      'warning [tracewire] XMLHttpRequest tracing failed, request sent untouched'])
    await page.close()
  })

  it('requests made from inside hooks.start are not traced and cannot recurse', LIMIT, async () => {
    const page = await open()
    await page.evaluate(async () => {
      __T.mode = 'reenter'
      await fetch('/reenter/outer')
      await new Promise((res) => setTimeout(res, 200))
    })
    assert.equal(recs('/reenter/outer')[0].headers['x-test-trace'], 'n-1')
    for (const p of ['/reenter/inner-fetch', '/reenter/inner-xhr']) {
      assert.equal(recs(p).length, 1, p)
      assert.equal(recs(p)[0].headers['x-test-trace'], undefined, p)
    }
    assert.deepEqual(await warnings(page), [])
    await page.close()
  })

  it('works under a strict Content-Security-Policy (no eval, no inline script)', LIMIT, async () => {
    const page = await open({ path: '/csp.html' })
    const r = await page.evaluate(async (B) => [
      await __T.outcome(() => fetch('/csp/same')), await __T.outcome(() => fetch(`${B}/allow/csp/cross`)),
      (await __T.xhr('GET', '/csp/xhr')).status,
    ], srv.b)
    assert.deepEqual(r, ['status 200 basic', 'status 200 cors', 200])
    for (const p of ['/csp/same', '/allow/csp/cross', '/csp/xhr']) assert.match(recs(p)[0].headers['x-test-trace'], /^n-\d$/)
    assert.deepEqual(await warnings(page), [])
    await page.close()
  })
})
