// Privacy (SPEC §2 origin boundary, issue: hardening): with made-up host names mapped to
// 127.0.0.1 (browsers.js `hosts`: a resolver rule in Chromium, a pref in Firefox, a forward
// proxy in WebKitGTK), trace headers and the session id reach the origin a rule allows and
// nothing else — not a suffix domain of it, not the same host on another port. In each engine.
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { ENGINES, launch } from './browsers.js'
import { startServers, bundle } from './server.js'

const TRACE = ['traceparent', 'tracestate', 'b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled', 'uber-trace-id', 'sw8', 'baggage']
const HOSTS = ['shop.test', 'api.test', 'api.test.evil.test', 'evil-api.test']
let sdk
before(async () => { sdk = await bundle("import TraceWire from './index.js'; window.TraceWire = TraceWire") })

for (const engine of ENGINES) describe(engine, () => {
  let browser, srv

  before(async () => {
    ;[browser, srv] = await Promise.all([launch(engine, { hosts: HOSTS }), startServers()])
    srv.script('/tw.js', sdk)
  }, { timeout: 30_000 })

  after(async () => {
    await browser?.close()
    await srv?.close()
  })

  test(`${engine}: trace headers and the session id never reach a suffix domain or another port of an allowed origin`, { timeout: 30_000 }, async () => {
    const portA = new URL(srv.a).port, portB = new URL(srv.b).port
    const api = `http://api.test:${portB}`
    srv.page('/privacy.html', `<!doctype html><script src="/tw.js"></script><script>
      TraceWire.init({ pid: 'shop', tracing: { baggage: true, propagatorTypes: ['tracecontext', 'b3', 'jaeger'], allowedUrls: ['${api}'] } })
    </script>`)
    const page = await browser.newPage()
    await page.goto(`http://shop.test:${portA}/privacy.html`)
    const start = srv.requests.length, pf = srv.preflights.length
    await page.evaluate(async ({ portA, portB }) => {
      const go = (u) => fetch(u).then(() => 0, () => 0)
      await go('/same-origin')
      await go(`http://api.test:${portB}/allow/allowed`) // the rule's origin: preflight asks for our headers
      await go(`http://api.test.evil.test:${portB}/allow/suffix`) // a suffix domain of it
      await go(`http://evil-api.test:${portB}/allow/lookalike`)
      await go(`http://api.test:${portA}/other-port`) // the same host on another port
    }, { portA, portB })
    // the session starts with the first traced request
    const sid = await page.evaluate(() => sessionStorage.getItem('tracewire.sid').split('|')[0])
    assert.match(sid, /^[0-9a-f]{32}$/)
    const got = srv.requests.slice(start), preflights = srv.preflights.slice(pf)
    const by = (p) => got.find((r) => r.path.endsWith(p))
    // controls: same origin traced, the allowed origin's preflight lists our headers (B answers
    // it for another origin, so nothing follows it), and every request really went to the
    // made-up name it was sent to
    assert.match(by('/same-origin').headers.traceparent, /^00-/)
    assert.ok(by('/same-origin').headers.tracestate.endsWith(sid), 'the control carries the session id')
    const allowed = preflights.find((r) => r.path == '/allow/allowed')
    assert.match(allowed?.headers['access-control-request-headers'] ?? '', /traceparent/)
    assert.equal(allowed.headers.host, `api.test:${portB}`)
    assert.equal(allowed.headers.origin, `http://shop.test:${portA}`)
    for (const [p, host] of [['/allow/suffix', `api.test.evil.test:${portB}`], ['/allow/lookalike', `evil-api.test:${portB}`], ['/other-port', `api.test:${portA}`]]) {
      const r = by(p)
      assert.ok(r, `${p} was sent`)
      assert.equal(r.headers.host, host, `${p} went to ${host}`)
      assert.deepEqual(TRACE.filter((h) => h in r.headers), [], `${p} carries no trace header`)
      assert.ok(!JSON.stringify(r.headers).includes(sid), `${p} never sees the session id`)
      assert.ok(!preflights.some((f) => f.path == p), `${p} needed no preflight`)
    }
    assert.deepEqual(await page.errors(), [])
    await page.close()
  })
})
