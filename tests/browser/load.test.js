// Load (issue: hardening): thousands of fetches and XHRs in bursts from a page with tracewire,
// against the local echo server, in Chromium, Firefox and WebKit (browsers.js). Every request
// must arrive exactly once, each with its own valid trace id; where the engine gives a reading
// of the page's JS heap, that heap after the run, garbage collected, must be within 1 MB of the
// heap before it. What each engine measures, and how many requests it sends, is in PLAN.
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { ENGINES, launch } from './browsers.js'
import { startServers, bundle } from './server.js'

// Firefox shows its memory reporters only to a privileged page (about:memory), which WebDriver
// BiDi may open only when this variable is set when Firefox starts.
process.env.MOZ_REMOTE_ALLOW_SYSTEM_ACCESS = '1'

const TP = /^00-((?!0{32})[0-9a-f]{32})-((?!0{16})[0-9a-f]{16})-0([01])$/
const MB = 1024 * 1024

// Per engine: the requests sent, and the heap reading (null: the engine offers none).
//   chromium  DevTools protocol: HeapProfiler.collectGarbage, then Runtime.getHeapUsage's
//             usedSize (the page's V8 heap in use).
//   firefox   its memory reporters (what about:memory lists), after a GC and CC of every
//             process: the page's JS zone and realm (objects, strings, shapes, scripts...),
//             free GC cells left out. Firefox sends these requests about twice as slowly as
//             Chromium on the test machine (about 6 ms each), so it sends 5,000: a leak the 1 MB
//             bound lets through is then under 210 bytes per request, less than one queued
//             span or one retained request would hold.
//   webkit    no heap reading: WebKitGTK has no performance.memory, keeps JSC's $vm (and its
//             gc()) from pages in its web process, and its remote inspector server (the one
//             that has Heap.snapshot) cannot run beside WebKitWebDriver. So WebKit proves
//             arrival once and unique trace ids only, with the full counts.
const PLAN = {
  chromium: { fetches: 10_000, xhrs: 2_000, heap: chromiumHeap },
  firefox: { fetches: 4_000, xhrs: 1_000, heap: firefoxHeap },
  webkit: { fetches: 10_000, xhrs: 2_000, heap: null },
}

let sdk
before(async () => { sdk = await bundle("import TraceWire from './index.js'; window.TraceWire = TraceWire") })

const PAGE = `<!doctype html><script src="/tw.js"></script><script>
  TraceWire.init({ pid: 'load', tracing: true })
  // Bursts of size requests at a time. Started by run(), read back by polling window.__load:
  // one long evaluate would pass the drivers' own time limits.
  const burst = async (kind, from, count, size) => {
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
  window.run = (steps) => {
    window.__load = null
    steps.reduce((p, s) => p.then(() => burst(...s)), Promise.resolve())
      .then(() => { window.__load = 'done' }, (e) => { window.__load = 'failed: ' + e })
  }
</script>`

async function run(page, steps) {
  await page.evaluate((steps) => { window.run(steps) }, steps)
  const r = await page.waitFor(() => window.__load, null, { timeout: 150_000, interval: 500 })
  assert.equal(r, 'done')
}

async function chromiumHeap(page) {
  const cdp = page.cdp ??= await page.raw.context().newCDPSession(page.raw)
  for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage')
  return (await cdp.send('Runtime.getHeapUsage')).usedSize
}

// about:memory in a tab of its own, opened before the load page, so that the load page keeps
// the focus. Its navigation leaves the content process, which puppeteer does not follow to a
// load event: the page is polled until it is about:memory with its privileges.
async function firefoxMemoryTab(browser) {
  const tab = await browser.raw.newPage()
  tab.goto('about:memory').catch(() => {})
  for (const end = Date.now() + 15_000; ; await new Promise((r) => setTimeout(r, 100))) {
    const ok = await tab.evaluate(() => location.href == 'about:memory' && typeof Cu == 'object').catch(() => false)
    if (ok) return tab
    if (Date.now() > end) throw new Error('firefox: about:memory did not open with its privileges')
  }
}

async function firefoxHeap(page) {
  return page.memoryTab.evaluate(async (url) => {
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
    for (let i = 0; i < 3; i++) {
      // about:memory's own "GC" and "CC" buttons: every child process collects, then this one.
      Services.obs.notifyObservers(null, 'child-gc-request')
      Services.obs.notifyObservers(null, 'child-cc-request')
      Cu.forceGC()
      Cu.forceCC()
      await sleep(300)
    }
    // Reporter paths write the URL's slashes as backslashes.
    const top = `explicit/window-objects/top(${url.replace(/\//g, '\\')}, id=`
    const mgr = Cc['@mozilla.org/memory-reporter-manager;1'].getService(Ci.nsIMemoryReporterManager)
    let used = 0, seen = 0
    await new Promise((resolve) => mgr.getReports((process, path, kind, units, amount) => {
      if (units != Ci.nsIMemoryReporter.UNITS_BYTES || !path.startsWith(top)) return
      seen++
      if (/\/js-(zone|realm)\(/.test(path) && !path.endsWith('/unused-gc-things')) used += amount
    }, null, resolve, null, false))
    if (!seen) throw new Error(`no memory report for ${url}`)
    return used
  }, page.url)
}

for (const engine of ENGINES) describe(engine, () => {
  const plan = PLAN[engine]
  const total = plan.fetches + plan.xhrs
  let browser, srv

  before(async () => {
    ;[browser, srv] = await Promise.all([launch(engine), startServers()])
    srv.script('/tw.js', sdk)
    srv.page('/load.html', PAGE)
  }, { timeout: 30_000 })

  after(async () => {
    await browser?.close()
    await srv?.close()
  })

  const n = (x) => x.toLocaleString('en-US')
  const name = `${engine}: ${n(plan.fetches)} fetches and ${n(plan.xhrs)} XHRs in bursts all arrive once, each with its own trace id`
    + (plan.heap ? ', and the JS heap returns within 1 MB' : ' (WebKitGTK gives no heap reading)')

  test(name, { timeout: 240_000 }, async (t) => {
    const memoryTab = engine == 'firefox' ? await firefoxMemoryTab(browser) : null
    const page = await browser.newPage()
    Object.assign(page, { url: srv.a + '/load.html', memoryTab })
    await page.goto(page.url)
    // warm-up outside the measured window: JIT, engine batches, the decision cache
    await run(page, [['fetch', 100000, 500, 100], ['xhr', 200000, 100, 50]])
    const before = plan.heap && await plan.heap(page)
    const start = srv.requests.length
    await run(page, [['fetch', 0, plan.fetches, 200], ['xhr', plan.fetches, plan.xhrs, 100]])
    const afterHeap = plan.heap && await plan.heap(page)
    const got = srv.requests.slice(start).filter((r) => r.path.startsWith('/load/'))
    assert.equal(got.length, total, 'every request arrived')
    const seen = new Set(), ids = new Set()
    for (const r of got) {
      const k = Number(r.path.slice(6))
      assert.ok(!seen.has(k), `request ${k} arrived twice`)
      seen.add(k)
      const m = TP.exec(r.headers.traceparent)
      assert.ok(m, `request ${k}: traceparent ${r.headers.traceparent}`)
      assert.match(r.headers.tracestate, /^rum=2&web&load&[0-9a-f]{32}$/)
      ids.add(m[1])
    }
    assert.equal(seen.size, total)
    assert.ok([...seen].every((k) => k >= 0 && k < total), 'each request is one of this run')
    assert.equal(ids.size, total, 'trace ids are unique')
    assert.deepEqual(await page.errors(), [])
    if (plan.heap) {
      const grew = afterHeap - before
      t.diagnostic(`${engine}: JS heap before ${before} B, after ${afterHeap} B, difference ${grew} B`)
      assert.ok(before > 0 && afterHeap > 0, 'the heap was read')
      assert.ok(Math.abs(grew) <= MB, `heap changed by ${grew} bytes`)
    }
    await page.close()
    await memoryTab?.close()
  })
})
