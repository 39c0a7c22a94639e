// The span exporter in real browsers (SPEC §4): the batch a page sends when it is hidden
// arrives at a collector on another origin that answers CORS with `*` (no credentials), at one
// that echoes the origin and allows credentials (as the OpenTelemetry Collector does), and at
// the page's own origin; a collector that never answers leaves the page working and is given
// up after 10 seconds, one request at a time. Every test runs once per engine (browsers.js),
// against the real OTLP receiver (tests/backend/otlp.js).
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { ENGINES, launch, CAPTURE } from './browsers.js'
import { bundle, startServers, until } from './server.js'
import { startReceiver } from '../backend/otlp.js'
import { mangleProps } from '../../scripts/bundle.mjs'

const LIMIT = { timeout: 40_000 }
const TRACE = ['traceparent', 'tracestate', 'b3', 'uber-trace-id', 'sw8', 'baggage']
// The page reads init's options from its query: ?o=<JSON>. Its API is its own origin's /api/.
const PAGE = '<!doctype html><script src="/tw.js"></script><script>TraceWire.init(JSON.parse(new URLSearchParams(location.search).get("o")))</script>'
const KINDS = {
  star: 'cross-origin collector answering Access-Control-Allow-Origin: *',
  echo: 'cross-origin collector echoing the origin with credentials allowed',
  same: 'same-origin collector',
}

let tw
before(async () => {
  // Built as the distribution is: the exporter's own names are shortened (mangleProps).
  tw = await bundle("import TraceWire from './index.js'; window.TraceWire = TraceWire", { mangleProps, minify: true })
})

const pidsOf = (rx, pid) => rx.spans().filter((x) => x.resource['rum.pid'] == pid)
const requestsOf = (rx, pid) => rx.requests.filter((r) => r.body?.resourceSpans?.some((rs) => rs.resource.attributes.some((a) => a.key == 'rum.pid' && a.value.stringValue == pid)))

for (const engine of ENGINES) describe(engine, () => {
  let browser, srv
  const rx = {}
  before(async () => {
    const routes = new Map([
      ['/page.html', { type: 'text/html', body: PAGE.replace('<!doctype html>', '<!doctype html>' + CAPTURE.tag) }],
      ['/tw.js', { type: 'text/javascript', body: tw }],
      [CAPTURE.path, { type: 'text/javascript', body: CAPTURE.source }],
      ['/api/ok', { type: 'application/json', body: '{}' }],
    ])
    ;[browser, srv, rx.star, rx.echo, rx.same, rx.dead] = await Promise.all([
      launch(engine), startServers(),
      startReceiver({ cors: 'star' }), startReceiver(), startReceiver({ routes }), startReceiver({ hang: true }),
    ])
    srv.page('/page.html', PAGE)
    srv.script('/tw.js', tw)
  }, { timeout: 60_000 })

  after(async () => {
    await browser?.close()
    await Promise.all([srv?.close(), ...Object.values(rx).map((r) => r?.close())])
  })

  // A page with tracewire exporting to rx, a cookie on 127.0.0.1 (every test port shares it:
  // cookies ignore the port), and `n` traced requests whose spans wait for the 5-second timer.
  async function traced(kind, pid, n = 3) {
    const page = await browser.newPage()
    const origin = kind == 'same' ? rx.same.origin : srv.a
    await page.goto(`${origin}/page.html?o=${encodeURIComponent(JSON.stringify({ pid, endpoint: rx[kind].origin, tracing: true }))}`)
    const statuses = await page.evaluate(async (n) => {
      document.cookie = 'tw_export=1; path=/'
      const out = []
      for (let i = 0; i < n; i++) out.push(await fetch('/api/ok?i=' + i).then((r) => r.status))
      return out
    }, n)
    assert.deepEqual(statuses, Array(n).fill(200))
    assert.deepEqual(pidsOf(rx[kind], pid), [], 'nothing is exported before the page is hidden or the timer fires')
    return page
  }

  // The requests that carried pid's spans: OTLP JSON, untraced, without the page's cookie.
  function assertExport(kind, pid, n) {
    const reqs = requestsOf(rx[kind], pid)
    assert.ok(reqs.length >= 1)
    for (const r of reqs) {
      assert.match(r.headers['content-type'], /^application\/json/)
      assert.equal(r.headers.cookie, undefined, "credentials 'omit': the export carries no cookie")
      for (const k of TRACE) assert.equal(r.headers[k], undefined, `the export request carries no ${k}`)
    }
    assert.equal(pidsOf(rx[kind], pid).length, n, 'every waiting span arrived, once')
  }

  test('fetch keepalive is there to use: Request has the keepalive attribute', LIMIT, async () => {
    const page = await browser.newPage()
    await page.goto(`${srv.a}/page.html?o=${encodeURIComponent('{}')}`)
    // Firefox ESR 153 has had it since 133; Chromium since 66; WebKit since Safari 13.
    assert.equal(await page.evaluate(() => 'keepalive' in Request.prototype), true)
    await page.close()
  })

  for (const [kind, label] of Object.entries(KINDS)) {
    test(`leaving for another page sends the waiting spans at once to a ${label}`, LIMIT, async () => {
      const pid = `${engine}-${kind}-leave`
      const page = await traced(kind, pid)
      assert.deepEqual(await page.errors(), [])
      const left = Date.now()
      await page.goto('about:blank')
      await until(() => pidsOf(rx[kind], pid).length == 3, 8000)
      assertExport(kind, pid, 3)
      // The page is gone (or frozen in the back-forward cache): its timer cannot have sent them.
      assert.ok(requestsOf(rx[kind], pid)[0].at - left < 5000, 'sent on leaving')
      await page.close()
    })

    // Each engine runs the page's pagehide when it is closed as its driver closes it (Chromium:
    // the page and its context; Firefox: the BiDi user context; WebKit: the window), and the
    // keepalive fetch made there outlives the page.
    test(`closing the page sends the waiting spans to a ${label}`, LIMIT, async () => {
      const pid = `${engine}-${kind}-close`
      const page = await traced(kind, pid)
      const closed = Date.now()
      await page.close()
      await until(() => pidsOf(rx[kind], pid).length == 3, 8000)
      assertExport(kind, pid, 3)
      assert.ok(requestsOf(rx[kind], pid)[0].at - closed < 5000, 'sent on closing')
    })
  }

  test('a collector that never answers leaves the page working; its request is aborted after 10 seconds and the next batch goes then, one request at a time', { timeout: 60_000 }, async () => {
    const pid = `${engine}-dead`
    const page = await traced('dead', pid)
    const first = await until(() => requestsOf(rx.dead, pid)[0], 7000)
    assert.ok(first, 'the 5-second timer sent the first batch')
    // 60 more spans while the first request hangs: a full batch waits for it.
    const statuses = await page.evaluate(async () => {
      const out = []
      for (let i = 0; i < 60; i++) out.push(await fetch('/api/ok?more=' + i).then((r) => r.status))
      return out
    })
    assert.deepEqual(new Set(statuses), new Set([200]), 'the page works while the collector hangs')
    assert.equal(requestsOf(rx.dead, pid).length, 1, 'no second request while the first hangs')
    const second = await until(() => requestsOf(rx.dead, pid)[1], 14_000)
    assert.ok(first.closed, 'the browser closed the hanging request')
    const waited = first.closed - first.at
    assert.ok(waited >= 9_000 && waited <= 12_000, `aborted ${waited} ms after it was sent`)
    assert.ok(second, 'the next batch went once the first was given up')
    assert.ok(second.at >= first.closed - 50 && second.at - first.closed < 2000, `the next batch left ${second.at - first.closed} ms after the abort`)
    assert.equal(requestsOf(rx.dead, pid).filter((r) => r.at < first.closed - 50).length, 1, 'one request at a time')
    const problems = [...await page.errors(), ...(await page.console()).filter((m) => m.text.startsWith('[tracewire]')).map((m) => m.text)]
    assert.deepEqual(problems, [], 'nothing thrown, nothing warned')
    await page.close()
  })
})
