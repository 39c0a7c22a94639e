// The CORS guard (SPEC §8) in Chromium, Firefox and WebKit (browsers.js), every test once per
// engine: the real SDK (js/index.js, its internal names renamed as the build renames them)
// on a page of origin A, against cross-origin backends (tests/backend/cors.js) that count
// every request they receive, preflights included. "Nothing sent twice" and "nothing extra on
// the happy path" are read from those counts; "as if tracewire were not installed" is
// compared with what the same engine does natively, on a page where tracewire is loaded but
// not started. Where engines differ natively (error messages, streaming uploads), the test
// states each engine's behaviour.
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { ENGINES, launch, CAPTURE } from './browsers.js'
import { startServers, bundle } from './server.js'
import { startCorsBackend, deadOrigin } from '../backend/cors.js'
import { capturePages } from '../backend/otel.js'
import { startDemo } from '../../demo/server.js'
import { mangleProps } from '../../scripts/bundle.mjs'

let sdk
// A regression must fail, never hang the suite (node:test has no timeout by default).
const LIMIT = { timeout: 40_000 }
const NAMES = 'traceparent,tracestate' // Access-Control-Request-Headers for tracing: true
// What the app sets by hand on the native pages: the headers tracewire would add.
const MANUAL = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'rum=2&web&guard&x' }

// In-page helpers, loaded before the SDK. Every outcome comes back as data the test compares:
// { status, body } for an answer, { error: 'Name: message' } for a rejection.
const HELPERS = `window.H = {
  init: (tracing) => { TraceWire.init({ pid: 'guard', tracing }); return 'started' },
  body(kind) {
    const enc = (s) => new TextEncoder().encode(s)
    if (kind == 'string') return 'kind=string&text=caf\\u00e9'
    if (kind == 'formdata') { const f = new FormData(); f.append('kind', 'formdata'); return f }
    if (kind == 'blob') return new Blob(['kind=blob'], { type: 'text/plain' })
    if (kind == 'params') return new URLSearchParams({ kind: 'params' })
    if (kind == 'buffer') return enc('kind=buffer').buffer
    if (kind == 'view') return enc('kind=view')
    if (kind == 'stream') return new ReadableStream({ start(c) { c.enqueue(enc('kind=stream')); c.close() } })
  },
  // kind: a POST with that body; 'request': a POST Request object with a string body.
  async fetch(url, { kind, headers, abortAfter } = {}) {
    const init = {}
    if (headers) init.headers = headers
    if (kind && kind != 'request') Object.assign(init, { method: 'POST', body: H.body(kind) }, kind == 'stream' ? { duplex: 'half' } : {})
    let c
    if (abortAfter != null) { c = new AbortController(); init.signal = c.signal; setTimeout(() => c.abort(), abortAfter) }
    try {
      const r = kind == 'request' ? await fetch(new Request(url, { method: 'POST', body: 'kind=request', headers })) : await fetch(url, init)
      return { status: r.status, body: await r.text() }
    } catch (e) { return { error: e.name + ': ' + e.message } }
  },
  xhr: (url, headers = {}) => new Promise((resolve) => {
    const x = new XMLHttpRequest(), events = []
    x.open('GET', url)
    for (const k in headers) x.setRequestHeader(k, headers[k])
    for (const t of ['error', 'abort', 'timeout', 'load']) x.addEventListener(t, () => events.push(t))
    x.onloadend = () => resolve({ status: x.status, events, body: x.responseText })
    x.send()
  }),
  stored: () => sessionStorage.getItem('tracewire.cors'),
}`

before(async () => {
  capturePages(CAPTURE) // the demo's pages load the console capture script first
  sdk = await bundle("import TraceWire from './index.js'; window.TraceWire = TraceWire", { mangleProps })
})

// Requests of one path (query included) by method, e.g. { OPTIONS: 2, HEAD: 1, GET: 1 }.
function methods(list) {
  const out = {}
  for (const r of list) out[r.method] = (out[r.method] || 0) + 1
  return out
}

for (const engine of ENGINES) describe(engine, () => {
  let browser, srv, refuse, accept, other
  const it = (name, ...rest) => test(`${engine}: ${name}`, ...rest)

  before(async () => {
    ;[browser, srv, refuse, accept, other] = await Promise.all([launch(engine), startServers(),
      startCorsBackend('refuse'), startCorsBackend('accept'), startCorsBackend('origin')])
    srv.script('/h.js', HELPERS)
    srv.script('/tw.js', sdk)
    const head = '<!doctype html><script src="/h.js"></script><script src="/tw.js"></script>'
    srv.page('/g/page.html', head)
    // Started by the page itself, as a site does: a reload starts it again.
    srv.page('/g/auto.html', head + `<script>H.init({ allowedUrls: ['${refuse.origin}'] })</script>`)
  }, { timeout: 30_000 })

  after(async () => {
    await browser?.close()
    await Promise.all([srv, refuse, accept, other].map((s) => s?.close()))
  })

  // A fresh page (its own sessionStorage), tracing the given origins when `origins` is given.
  async function open(origins, extra = {}) {
    const page = await browser.newPage()
    await page.goto(srv.a + '/g/page.html')
    if (origins) assert.equal(await page.evaluate((t) => H.init(t), { allowedUrls: origins, ...extra }), 'started')
    return page
  }
  const warnings = async (page) => (await page.console()).filter((m) => m.text.startsWith('[tracewire]')).map((m) => m.text)
  const refusal = (origin) => `[tracewire] ${origin} refuses the trace headers (CORS): untraced this session; ` +
    `to trace it, send Access-Control-Allow-Headers: traceparent, tracestate`
  const answer = (method, path) => JSON.stringify({ method, path, traced: false })
  // A path of its own for each use, so that counts never mix.
  let n = 0
  const path = (name) => `/api/${name}?n=${++n}`

  // What the engine does without tracewire, for the same request with the headers set by hand.
  async function native(call, arg) {
    const page = await open()
    const r = await page.evaluate(call, arg)
    await page.close()
    return r
  }

  it('without the guard (corsGuard: false) a refused preflight fails the request, as it does natively', LIMIT, async (t) => {
    const p = path('off'), q = path('off-native')
    const page = await open([refuse.origin], { corsGuard: false })
    const got = await page.evaluate((u) => H.fetch(u), refuse.origin + p)
    const base = await native((a) => H.fetch(a.u, { headers: a.h }), { u: refuse.origin + q, h: MANUAL })
    t.diagnostic(`${engine} rejects with ${got.error}`)
    assert.match(got.error, /^TypeError: /)
    assert.deepEqual(got, base, 'the same error as a page that sets the headers itself')
    assert.deepEqual(methods(refuse.under(p)), { OPTIONS: 1 }, 'the preflight only: no probe, no re-send')
    assert.equal(refuse.under(p)[0].headers['access-control-request-headers'], NAMES)
    assert.deepEqual(await warnings(page), [])
    await page.close()
  })

  it('a GET refused for its trace headers gets the real answer; the backend handles it once, untraced', LIMIT, async () => {
    const p = path('get')
    const page = await open([refuse.origin])
    assert.deepEqual(await page.evaluate((u) => H.fetch(u), refuse.origin + p), { status: 200, body: answer('GET', p) })
    const seen = refuse.under(p)
    // The refused preflight of the request, the refused preflight of the HEAD with the headers,
    // the HEAD without them (answered), and the request sent again without them.
    assert.deepEqual(methods(seen), { OPTIONS: 2, HEAD: 1, GET: 1 })
    for (const r of seen.filter((r) => r.preflight)) assert.equal(r.headers['access-control-request-headers'], NAMES)
    for (const r of seen.filter((r) => !r.preflight)) assert.equal(r.headers.traceparent, undefined, `${r.method} arrived untraced`)
    assert.deepEqual(await warnings(page), [refusal(refuse.origin)])
    assert.equal(await page.evaluate(() => H.stored()), ' ' + refuse.origin, 'the origin is kept in sessionStorage')
    await page.close()
  })

  it('POST bodies that can be sent again (string, FormData, Blob, URLSearchParams, ArrayBuffer, a view, a Request) reach the backend once, intact', LIMIT, async () => {
    for (const kind of ['string', 'formdata', 'blob', 'params', 'buffer', 'view', 'request']) {
      const p = path('post-' + kind), q = path('post-native-' + kind)
      const page = await open([refuse.origin])
      assert.deepEqual(await page.evaluate((a) => H.fetch(a.u, { kind: a.kind }), { u: refuse.origin + p, kind }),
        { status: 200, body: answer('POST', p) }, kind)
      assert.deepEqual(methods(refuse.under(p)), { OPTIONS: 2, HEAD: 1, POST: 1 }, kind)
      // The same POST sent natively to the accepting backend, untraced: the same body and type.
      assert.equal((await native((a) => H.fetch(a.u, { kind: a.kind }), { u: accept.origin + q, kind })).status, 200)
      const sent = refuse.under(p).find((r) => r.method == 'POST'), ref = accept.under(q)[0]
      const bodyOf = (r) => r.body.replace(/-{2,}[\w-]+/g, '--boundary') // a multipart boundary is random
      assert.equal(bodyOf(sent), bodyOf(ref), kind)
      assert.equal(`${sent.headers['content-type']}`.replace(/boundary=.*/, ''), `${ref.headers['content-type']}`.replace(/boundary=.*/, ''), kind)
      assert.ok(sent.body.includes('kind=' + kind) || kind == 'formdata' && sent.body.includes('formdata'), `${kind}: ${sent.body}`)
      await page.close()
    }
  })

  // Streaming uploads (a ReadableStream body, duplex: 'half'), natively, on these HTTP/1.1 servers:
  //   chromium  rejects with a TypeError, nothing reaches the server: Chromium streams uploads over
  //             HTTP/2 and QUIC only
  //   firefox   has no streaming uploads: the stream is sent as the text "[object ReadableStream]"
  //   webkit    rejects with NotSupportedError before any request is made
  const STREAM = {
    chromium: { error: 'TypeError: Failed to fetch', arrived: undefined },
    firefox: { status: 200, arrived: '[object ReadableStream]' },
    webkit: { error: 'NotSupportedError: ReadableStream uploading is not supported', arrived: undefined },
  }[engine]

  it('a ReadableStream body cannot be sent again: the app gets the error it got, and the next request is healed', LIMIT, async (t) => {
    const s = path('stream-support')
    const support = await native((u) => H.fetch(u, { kind: 'stream' }), accept.origin + s)
    const arrived = accept.under(s).find((r) => r.method == 'POST')
    t.diagnostic(`${engine} streaming upload, natively: ${JSON.stringify(support)}, body received ${JSON.stringify(arrived?.body)}`)
    assert.equal(support.error || support.status, STREAM.error || STREAM.status)
    assert.equal(arrived?.body, STREAM.arrived)

    const p = path('stream'), q = path('stream-native'), next = path('after-stream')
    const page = await open([refuse.origin])
    const got = await page.evaluate((u) => H.fetch(u, { kind: 'stream' }), refuse.origin + p)
    const base = await native((a) => H.fetch(a.u, { kind: 'stream', headers: a.h }), { u: refuse.origin + q, h: MANUAL })
    t.diagnostic(`${engine} traced stream POST: ${JSON.stringify(got)}, received ${JSON.stringify(methods(refuse.under(p)))}; ` +
      `natively with the headers: ${JSON.stringify(base)}`)
    assert.deepEqual(got, base, 'the error the request got, as without the guard')
    assert.equal(refuse.under(p).filter((r) => r.method == 'POST').length, 0, 'never sent again')
    assert.deepEqual(await page.evaluate((u) => H.fetch(u), refuse.origin + next), { status: 200, body: answer('GET', next) })
    if (engine == 'webkit') {
      // Refused before any request, so there was no failure of the network to look into: the
      // next request is the first to meet the refused preflight, and is healed itself.
      assert.equal(got.error, STREAM.error)
      assert.deepEqual(methods(refuse.under(p)), {}, 'nothing went out, nothing was probed')
      assert.deepEqual(methods(refuse.under(next)), { OPTIONS: 2, HEAD: 1, GET: 1 })
    } else {
      // Its preflight was refused; the finding is made before the app sees the error, so the
      // next request goes untraced at once.
      assert.match(got.error, /^TypeError: /)
      assert.deepEqual(methods(refuse.under(p)), { OPTIONS: 2, HEAD: 1 })
      assert.deepEqual(methods(refuse.under(next)), { GET: 1 }, 'no preflight and no probe for it')
    }
    assert.deepEqual(await warnings(page), [refusal(refuse.origin)])
    await page.close()
  })

  it('an XHR refused for its headers reports its error as natively; the later ones reach the backend untraced', LIMIT, async () => {
    const p = path('xhr'), q = path('xhr-native'), later = [path('xhr-later'), path('xhr-later')]
    const page = await open([refuse.origin])
    const first = await page.evaluate((u) => H.xhr(u), refuse.origin + p)
    const base = await native((a) => H.xhr(a.u, a.h), { u: refuse.origin + q, h: MANUAL })
    assert.deepEqual(first, { status: 0, events: ['error'], body: '' })
    assert.deepEqual(first, base)
    await page.waitFor(() => H.stored())
    for (const u of later) {
      assert.deepEqual(await page.evaluate((x) => H.xhr(x), refuse.origin + u), { status: 200, events: ['load'], body: answer('GET', u) })
      assert.deepEqual(methods(refuse.under(u)), { GET: 1 })
    }
    assert.deepEqual(methods(refuse.under(p)), { OPTIONS: 2, HEAD: 1 }, 'the failed XHR is not sent again')
    assert.deepEqual(await warnings(page), [refusal(refuse.origin)])
    await page.close()
  })

  it('an accepting backend receives exactly what it receives without the guard: no probe, no extra request', LIMIT, async (t) => {
    const N = 12 // fetch and XHR each
    const run = async (name, tracing) => {
      const page = await open(tracing && [accept.origin], tracing)
      const paths = Array.from({ length: N }, (_, i) => `/acc/${name}/${i}`)
      const out = await page.evaluate(async (a) => {
        const r = []
        for (const u of a.paths) r.push((await H.fetch(a.o + u)).status, (await H.xhr(a.o + u + '?xhr')).status)
        return r
      }, { o: accept.origin, paths })
      assert.deepEqual(out, Array(2 * N).fill(200), name)
      return { page, seen: methods(accept.under(`/acc/${name}/`)) }
    }
    const on = await run('on', {}), off = await run('off', { corsGuard: false }), none = await run('none')
    t.diagnostic(`${engine}: guard on ${JSON.stringify(on.seen)}, off ${JSON.stringify(off.seen)}, without tracewire ${JSON.stringify(none.seen)}`)
    assert.deepEqual(on.seen, off.seen, 'guard on and off: the same requests')
    assert.equal(on.seen.GET, 2 * N, 'each request once')
    assert.equal(on.seen.HEAD, undefined, 'no probe')
    assert.deepEqual(none.seen, { GET: 2 * N }, 'without tracewire: the same GETs, without preflights (the trace headers bring those)')
    // Once an origin has answered, even a failure is not probed: it is not the headers' doing.
    const d = '/acc/on/drop?drop=1'
    assert.match((await on.page.evaluate((u) => H.fetch(u), accept.origin + d)).error, /^TypeError: /)
    await new Promise((r) => setTimeout(r, 300))
    assert.equal(accept.under('/acc/on/drop').filter((r) => r.method == 'HEAD').length, 0, 'no probe')
    for (const x of [on, off, none]) {
      assert.deepEqual(await warnings(x.page), [])
      await x.page.close()
    }
  })

  it('a backend that is down: the app gets the native error, nothing is decided, the origin stays traced', LIMIT, async () => {
    const dead = await deadOrigin()
    const page = await open([dead])
    const got = await page.evaluate((u) => Promise.all([H.fetch(u), H.xhr(u)]), dead + '/api/down')
    const base = await native((u) => Promise.all([H.fetch(u), H.xhr(u)]), dead + '/api/down')
    assert.match(got[0].error, /^TypeError: /)
    assert.deepEqual(got, base)
    assert.equal(await page.evaluate(() => H.stored()), null)
    // The server comes back on the same port, accepting the headers: requests are still traced.
    const back = await startCorsBackend('accept', +new URL(dead).port)
    try {
      assert.equal((await page.evaluate((u) => H.fetch(u), dead + '/api/back')).status, 200)
      const r = back.requests.find((x) => x.method == 'GET')
      assert.match(r.headers.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
      assert.deepEqual(methods(back.requests), { OPTIONS: 1, GET: 1 })
    } finally { await back.close() }
    assert.deepEqual(await warnings(page), [])
    await page.close()
  })

  it('a backend whose CORS refuses the page origin itself: the native error, nothing sent again, the origin stays traced', LIMIT, async () => {
    const p = path('origin'), q = path('origin-native'), next = path('origin-next')
    const page = await open([other.origin])
    const got = await page.evaluate((u) => H.fetch(u), other.origin + p)
    const base = await native((u) => H.fetch(u), other.origin + q)
    assert.match(got.error, /^TypeError: /)
    assert.deepEqual(got, base, 'the error of the same request without tracewire')
    // Its preflight refused the origin, so the GET never went; the probes both failed.
    assert.deepEqual(methods(other.under(p)), { OPTIONS: 2, HEAD: 1 })
    assert.deepEqual(methods(other.under(q)), { GET: 1 }, 'natively the simple GET goes, and its answer is refused')
    await page.evaluate((u) => H.fetch(u), other.origin + next)
    assert.equal(other.under(next)[0].headers['access-control-request-headers'], NAMES, 'the next request still carries the headers')
    assert.equal(await page.evaluate(() => H.stored()), null)
    assert.deepEqual(await warnings(page), [])
    await page.close()
  })

  it('a request the app aborts before it fails is neither probed nor sent again', LIMIT, async () => {
    const p = path('abort') + '&delay=600', q = path('abort-native') + '&delay=600'
    const page = await open([refuse.origin])
    const got = await page.evaluate((u) => H.fetch(u, { abortAfter: 150 }), refuse.origin + p)
    const base = await native((a) => H.fetch(a.u, { abortAfter: 150, headers: a.h }), { u: refuse.origin + q, h: MANUAL })
    assert.match(got.error, /^AbortError: /)
    assert.deepEqual(got, base)
    await new Promise((r) => setTimeout(r, 1000)) // the preflight's answer comes; nothing may follow it
    assert.deepEqual(methods(refuse.under(p)), { OPTIONS: 1 })
    assert.equal(await page.evaluate(() => H.stored()), null)
    assert.deepEqual(await warnings(page), [])
    await page.close()
  })

  it('a request the app aborts while the guard probes is not sent again: it rejects as an aborted fetch', LIMIT, async () => {
    // Every answer to this URL takes 600 ms: the request fails at about 600 ms, the probes
    // answer at about 1200 ms, the app aborts at 900 ms, in between.
    const p = path('abort-probing') + '&delay=600'
    const page = await open([refuse.origin])
    const got = await page.evaluate((u) => H.fetch(u, { abortAfter: 900 }), refuse.origin + p)
    assert.match(got.error, /^AbortError: /)
    await new Promise((r) => setTimeout(r, 300))
    assert.deepEqual(methods(refuse.under(p)), { OPTIONS: 2, HEAD: 1 }, 'no GET')
    assert.deepEqual(await warnings(page), [refusal(refuse.origin)], 'the finding still holds for later requests')
    await page.close()
  })

  it('requests failing together share one finding, and each is sent again once', LIMIT, async () => {
    const ps = [path('together'), path('together'), path('together')]
    const page = await open([refuse.origin])
    const got = await page.evaluate((us) => Promise.all(us.map((u) => H.fetch(u))), ps.map((p) => refuse.origin + p))
    assert.deepEqual(got, ps.map((p) => ({ status: 200, body: answer('GET', p) })))
    const all = ps.flatMap((p) => refuse.under(p))
    assert.equal(all.filter((r) => r.method == 'HEAD').length, 1, 'one probe for the origin')
    for (const p of ps) assert.equal(refuse.count('GET', p), 1)
    assert.deepEqual(await warnings(page), [refusal(refuse.origin)])
    await page.close()
  })

  it('the origin stays untraced after a reload (sessionStorage), with one warning in all', LIMIT, async () => {
    const p = path('reload'), q = path('reload')
    const page = await browser.newPage()
    await page.goto(srv.a + '/g/auto.html')
    assert.deepEqual(await page.evaluate((u) => H.fetch(u), refuse.origin + p), { status: 200, body: answer('GET', p) })
    assert.deepEqual(await warnings(page), [refusal(refuse.origin)])
    await page.reload()
    assert.deepEqual(await page.evaluate((u) => H.fetch(u), refuse.origin + q), { status: 200, body: answer('GET', q) })
    assert.deepEqual(methods(refuse.under(q)), { GET: 1 }, 'no preflight, no probe: untraced from the first request')
    assert.deepEqual(await warnings(page), [], 'no second warning')
    await page.close()
  })

  it('same-origin requests are never watched: a same-origin failure is not probed', LIMIT, async () => {
    const page = await open([])
    const before = srv.requests.length
    assert.match((await page.evaluate(() => H.fetch('/drop/guard'))).error, /^TypeError: /)
    await new Promise((r) => setTimeout(r, 300))
    const after = srv.requests.slice(before)
    assert.ok(after.some((r) => r.method == 'GET' && r.path == '/drop/guard'))
    assert.deepEqual(after.filter((r) => r.method == 'HEAD'), [], 'no probe')
    await page.close()
  })

  it('the demo: the refusing backend\'s button gets its answer, the page shows the line to add, the trace view says why no backend span', LIMIT, async () => {
    const demo = await startDemo({ port: 0 })
    const page = await browser.newPage()
    try {
      await page.goto(demo.url)
      await page.evaluate(() => document.getElementById('refused').click())
      const row = await page.waitFor(() => {
        const tr = document.querySelector('#log tr')
        return tr && { label: tr.querySelector('td').textContent, status: tr.querySelector('td:nth-child(2)').textContent }
      })
      assert.deepEqual(row, { label: `fetch GET ${demo.refusing}/api/orders?n=1`, status: '200' })
      assert.equal(await page.evaluate(() => document.getElementById('said').textContent), 'tracewire said on the console:\n' + refusal(demo.refusing))
      // Leaving the page sends its span; the view then explains it, from what the backend got.
      await page.evaluate(() => { setTimeout(() => document.getElementById('view').click()) })
      const end = Date.now() + 15_000
      let note
      while (!note) {
        assert.ok(Date.now() < end, 'the trace view shows a note for the request')
        await new Promise((r) => setTimeout(r, 100))
        note = await page.evaluate(() => {
          const n = location.pathname == '/traces.html' && document.querySelector('.trace .note')
          return n && { text: n.textContent, head: n.parentNode.querySelector('.head').textContent, label: n.parentNode.querySelector('.label').textContent }
        }).catch(() => null) // while the page changes
      }
      assert.equal(note.text, `no backend span: ${demo.refusing} refused the trace headers in its CORS preflight ` +
        '(Access-Control-Request-Headers: traceparent,tracestate; its Access-Control-Allow-Headers lists content-type only). ' +
        "tracewire's CORS guard sent the request again without them (GET /api/orders?n=1): the backend answered it, untraced, outside this trace")
      assert.match(note.head, /browser span only \(no backend span in this trace\)$/)
      assert.equal(note.label, `browser.request:GET ${demo.refusing}/api/orders → 200`)
    } finally {
      await page.close()
      await demo.close()
    }
  })
})
