// Load (issue: hardening): 10,000 fetches and 2,000 XHRs in bursts from a page with tracewire,
// against the local echo server. Every request must arrive exactly once, each with its own
// valid trace id; the page's JS heap after the run, garbage collected, must be within 1 MB of
// the heap before it (DevTools protocol: HeapProfiler.collectGarbage, Runtime.getHeapUsage).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch } from './chromium.js'
import { startServers, bundle } from './server.js'

const TP = /^00-((?!0{32})[0-9a-f]{32})-((?!0{16})[0-9a-f]{16})-0([01])$/
let browser, srv

before(async () => {
  ;[browser, srv] = await Promise.all([launch(), startServers()])
  srv.script('/tw.js', await bundle("import TraceWire from './index.js'; window.TraceWire = TraceWire"))
  srv.page('/load.html', `<!doctype html><script src="/tw.js"></script><script>
    TraceWire.init({ pid: 'load', tracing: true })
    window.burst = async (kind, from, count, size) => {
      for (let i = from; i < from + count; i += size) {
        const all = []
        for (let k = i; k < Math.min(i + size, from + count); k++) {
          all.push(kind == 'fetch'
            ? fetch('/load/' + k).then((r) => r.text())
            : new Promise((resolve) => { const x = new XMLHttpRequest(); x.open('GET', '/load/' + k); x.onloadend = resolve; x.send() }))
        }
        await Promise.all(all)
      }
    }
  </script>`)
}, { timeout: 30_000 })

after(async () => {
  await browser?.close()
  await srv?.close()
})

async function heap(cdp) {
  for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage')
  return (await cdp.send('Runtime.getHeapUsage')).usedSize
}

test('10,000 fetches and 2,000 XHRs in bursts all arrive once, each with its own trace id, and the heap returns within 1 MB', { timeout: 240_000 }, async () => {
  const page = await browser.newPage()
  const cdp = await page.context().newCDPSession(page)
  await page.goto(srv.a + '/load.html')
  // warm-up outside the measured window: JIT, engine batches, the decision cache
  await page.evaluate(() => window.burst('fetch', 100000, 500, 100))
  await page.evaluate(() => window.burst('xhr', 200000, 100, 50))
  const before = await heap(cdp)
  const start = srv.requests.length
  await page.evaluate(() => window.burst('fetch', 0, 10000, 200))
  await page.evaluate(() => window.burst('xhr', 10000, 2000, 100))
  const afterHeap = await heap(cdp)
  const got = srv.requests.slice(start).filter((r) => r.path.startsWith('/load/'))
  assert.equal(got.length, 12000, 'every request arrived')
  const seen = new Set(), ids = new Set()
  for (const r of got) {
    const n = Number(r.path.slice(6))
    assert.ok(!seen.has(n), `request ${n} arrived twice`)
    seen.add(n)
    const m = TP.exec(r.headers.traceparent)
    assert.ok(m, `request ${n}: traceparent ${r.headers.traceparent}`)
    assert.match(r.headers.tracestate, /^rum=2&web&load&[0-9a-f]{32}$/)
    ids.add(m[1])
  }
  assert.equal(seen.size, 12000)
  assert.equal(ids.size, 12000, 'trace ids are unique')
  const grew = afterHeap - before
  console.log(`# heap before ${before} B, after ${afterHeap} B, difference ${grew} B`)
  assert.ok(Math.abs(grew) <= 1024 * 1024, `heap changed by ${grew} bytes`)
  await page.close()
})
