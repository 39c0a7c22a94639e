// The three browser engines tracewire's users run, behind one small page API, so that a test
// file is written once and run per engine. Nothing is ever downloaded: every engine is the
// Debian package scripts/setup.sh installs.
//
//   chromium  /usr/bin/chromium through playwright-core (CDP)
//   firefox   /usr/bin/firefox-esr through puppeteer-core over WebDriver BiDi
//   webkit    WebKitGTK's MiniBrowser through /usr/bin/WebKitWebDriver (WebDriver classic,
//             webdriverio), on an Xvfb display this module starts itself
//
// API
//   ENGINES                      ['chromium', 'firefox', 'webkit'], or the comma-separated
//                                subset in TRACEWIRE_BROWSERS (e.g. TRACEWIRE_BROWSERS=firefox)
//   launch(engine, { hosts })    -> browser { engine, version, newPage(), close(), raw }
//                                hosts: exact host names to resolve to 127.0.0.1 (see below)
//   browser.newPage()            -> page, a fresh top-level page, visible (never a background
//                                tab, whose timers would be throttled); in Chromium and
//                                Firefox in a fresh context with its own cookies, in WebKit a
//                                new window sharing the session's cookie jar. Only the newest
//                                page has focus in Firefox and WebKit.
//   page.goto(url), page.reload()          resolve once the load event fired
//   page.evaluate(fn, arg)       fn's source is sent and called in the page with one argument
//                                (JSON); a returned promise is awaited; the result comes back
//                                as JSON, except that undefined is kept (in arrays and objects
//                                too), as Chromium's own evaluate does. Works under any CSP.
//   page.waitFor(fn, arg, { timeout })     polls evaluate until it returns a truthy value
//   page.console()               [{ type, text }] of the page's console calls; type is 'log',
//                                'info', 'warning', 'error' or 'debug'
//   page.errors()                ['Error: message', ...]: uncaught errors and unhandled rejections
//   page.close()
//   page.raw, browser.raw        the driver's own object (playwright Page, puppeteer Page,
//                                webdriverio Browser): engine-specific, avoid in shared tests
//
// Console and errors: WebDriver classic has neither console events nor init scripts, so one
// mechanism serves every engine: a capture script (CAPTURE.source) that each test page loads
// before anything else, as <script src="/__tracewire_capture.js"> (CAPTURE.path, CAPTURE.tag).
// tests/browser/server.js serves it and puts it first in every page it serves; another server
// must do the same, or console() and errors() throw. It keeps its records under a
// non-enumerable Symbol, so Object.keys(window) is unchanged.
//
// hosts (made-up names to 127.0.0.1): Chromium maps them with --host-resolver-rules; Firefox
// with the network.dns.localDomains pref; WebKitGTK has no such switch, so the launcher runs a
// small forward proxy on 127.0.0.1 that connects those names to 127.0.0.1 (other names resolve
// as usual) and starts MiniBrowser with --proxy. The servers see the same requests either way.
//
// Every process is ended on close(), and, should close() never run, when this Node process
// exits; WebKitWebDriver, MiniBrowser and Xvfb also when this process dies without a word (each
// runs under a shell that kills its process group once our pipe to it closes). A missing
// browser makes launch() reject at once, naming the package to install.
import { existsSync } from 'node:fs'
import { spawn } from 'node:child_process'
import http from 'node:http'
import net from 'node:net'

export const ALL_ENGINES = ['chromium', 'firefox', 'webkit']

export const ENGINES = (() => {
  const want = (process.env.TRACEWIRE_BROWSERS || '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)
  if (!want.length) return ALL_ENGINES
  const bad = want.filter((e) => !ALL_ENGINES.includes(e))
  if (bad.length) throw new Error(`TRACEWIRE_BROWSERS: unknown engine ${bad.join(', ')} (known: ${ALL_ENGINES.join(', ')})`)
  return ALL_ENGINES.filter((e) => want.includes(e))
})()

export const CHROMIUM = '/usr/bin/chromium'
export const FIREFOX = '/usr/bin/firefox-esr'
export const WEBKIT_DRIVER = '/usr/bin/WebKitWebDriver'
export const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser'
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync']

// Firefox's own traffic off: none of it may reach the test servers or the outside.
const FIREFOX_PREFS = {
  'app.update.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'browser.safebrowsing.downloads.enabled': false,
  'browser.safebrowsing.blockedURIs.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.dns.disablePrefetch': true,
  'network.http.speculative-parallel-limit': 0,
  'network.prefetch-next': false,
  'extensions.update.enabled': false,
  'datareporting.healthreport.uploadEnabled': false,
  'toolkit.telemetry.enabled': false,
  'browser.ping-centre.telemetry': false,
}

const LAUNCH_TIMEOUT = 30_000

// ---- the in-page capture script ----

const CAPTURE_KEY = 'tracewire.test.capture'
const CAPTURE_SOURCE = `(() => {
  const rec = { console: [], errors: [] }
  Object.defineProperty(window, Symbol.for(${JSON.stringify(CAPTURE_KEY)}), { value: rec })
  const text = (a) => {
    if (typeof a == 'string') return a
    if (a instanceof Error) return String(a)
    try { return typeof a == 'object' && a !== null ? JSON.stringify(a) : String(a) } catch (e) { return String(a) }
  }
  for (const [m, type] of [['log', 'log'], ['info', 'info'], ['warn', 'warning'], ['error', 'error'], ['debug', 'debug']]) {
    const orig = console[m]
    console[m] = function (...args) {
      rec.console.push({ type, text: args.map(text).join(' ') })
      return orig.apply(this, args)
    }
  }
  addEventListener('error', (e) => { rec.errors.push(e.error !== undefined ? String(e.error) : String(e.message)) })
  addEventListener('unhandledrejection', (e) => { rec.errors.push(String(e.reason)) })
})()
`
export const CAPTURE = {
  path: '/__tracewire_capture.js',
  source: CAPTURE_SOURCE,
  tag: '<script src="/__tracewire_capture.js"></script>',
}

// ---- evaluate: one wire format for every engine ----

const UNDEF = '__tracewire_undefined__'
// An expression, evaluated in the page, whose value is the JSON text of fn(arg)'s result.
function expression(fn, arg) {
  const src = typeof fn == 'function' ? fn.toString() : `() => (${fn})`
  const a = arg === undefined ? 'undefined' : JSON.stringify(arg)
  return `(async () => JSON.stringify(await (${src})(${a}), (k, v) => v === undefined ? { ${UNDEF}: 1 } : v))()`
}
function decode(text) {
  if (typeof text != 'string') throw new Error(`evaluate: the page returned ${typeof text}, not JSON text`)
  const revive = (v) => {
    if (v && typeof v == 'object') {
      if (v[UNDEF] === 1 && Object.keys(v).length == 1) return undefined
      for (const k of Object.keys(v)) v[k] = revive(v[k])
    }
    return v
  }
  return revive(JSON.parse(text))
}

// The page API over three small drivers: each supplies goto, reload, run (an expression string
// -> its value), close and raw.
function makePage(engine, d) {
  const captured = async (what) => {
    const r = await page.evaluate((k) => {
      const rec = window[Symbol.for(k)]
      return rec ? rec : null
    }, CAPTURE_KEY)
    if (!r) throw new Error(`${engine}: this page did not load the capture script (${CAPTURE.path}) first, so ${what}() cannot be read`)
    return r[what]
  }
  const page = {
    engine,
    raw: d.raw,
    goto: (url) => d.goto(url),
    reload: () => d.reload(),
    evaluate: async (fn, arg) => decode(await d.run(expression(fn, arg))),
    async waitFor(fn, arg, { timeout = 10_000, interval = 50 } = {}) {
      const end = Date.now() + timeout
      for (;;) {
        const v = await page.evaluate(fn, arg)
        if (v) return v
        if (Date.now() > end) throw new Error(`${engine}: waitFor timed out after ${timeout} ms: ${fn}`)
        await new Promise((r) => setTimeout(r, interval))
      }
    },
    console: () => captured('console'),
    errors: () => captured('errors'),
    close: () => d.close(),
  }
  return page
}

// ---- process hygiene ----

const children = new Set() // supervised process groups still alive
let exitHooked = false
function hookExit() {
  if (exitHooked) return
  exitHooked = true
  const killAll = () => { for (const c of children) { try { process.kill(-c.pid, 'SIGKILL') } catch {} } }
  // A death by signal needs no handler here: the closed pipe ends each group (see supervise).
  process.on('exit', killAll)
}

// Runs argv in its own process group under a shell that kills the whole group (the program and
// whatever it started) as soon as its stdin closes: when we end it, or when this process dies.
// extraFd: a pipe as fd 3 for the child (Xvfb's -displayfd).
function supervise(argv, { env = process.env, extraFd = false } = {}) {
  const script = '"$@" 0</dev/null & cat >/dev/null; kill -KILL 0'
  const child = spawn('/bin/sh', ['-c', script, 'sh', ...argv], {
    detached: true, env, stdio: ['pipe', 'ignore', 'pipe', ...(extraFd ? ['pipe'] : [])],
  })
  const c = { pid: child.pid, child, stderr: '' }
  child.stderr.on('data', (b) => { if (c.stderr.length < 4000) c.stderr += b })
  child.on('exit', () => children.delete(c))
  children.add(c)
  hookExit()
  c.exited = new Promise((r) => child.on('exit', r))
  c.kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.stdin.end()
    const t = setTimeout(() => { try { process.kill(-c.pid, 'SIGKILL') } catch {} }, 2000)
    await c.exited
    clearTimeout(t)
  }
  return c
}

const freePort = () => new Promise((resolve, reject) => {
  const s = net.createServer()
  s.on('error', reject)
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)) })
})

function need(path, pkg) {
  if (!existsSync(path)) throw new Error(`${path} is missing: run scripts/setup.sh (apt-get install ${pkg})`)
}

// ---- chromium ----

// Debian's Chromium through playwright-core, as a playwright Browser (for code that drives it
// directly; the shared page API is launch('chromium')).
export async function launchPlaywrightChromium(args = []) {
  need(CHROMIUM, 'chromium')
  const { chromium } = await import('playwright-core')
  return chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: LAUNCH_TIMEOUT, args: [...CHROMIUM_ARGS, ...args] })
}

async function chromiumBrowser({ hosts = [] }) {
  const args = hosts.length ? [`--host-resolver-rules=${hosts.map((h) => `MAP ${h} 127.0.0.1`).join(', ')}`] : []
  const b = await launchPlaywrightChromium(args)
  return {
    engine: 'chromium',
    version: b.version(),
    raw: b,
    async newPage() {
      // Its own context, which outlives the page: closing a context tears down its network
      // stack, and with it a keepalive request the page's pagehide has just made (a tab that
      // a user closes leaves the profile alone). The browser's close ends every context.
      const p = await (await b.newContext()).newPage()
      return makePage('chromium', {
        raw: p,
        goto: async (url) => { await p.goto(url) },
        reload: async () => { await p.reload() },
        run: (expr) => p.evaluate(expr),
        close: () => p.close(),
      })
    },
    close: () => b.close(),
  }
}

// ---- firefox ----

async function firefoxBrowser({ hosts = [] }) {
  need(FIREFOX, 'firefox-esr')
  const puppeteer = (await import('puppeteer-core')).default
  const b = await puppeteer.launch({
    browser: 'firefox', executablePath: FIREFOX, headless: true, timeout: LAUNCH_TIMEOUT,
    protocolTimeout: LAUNCH_TIMEOUT,
    extraPrefsFirefox: { ...FIREFOX_PREFS, ...(hosts.length ? { 'network.dns.localDomains': hosts.join(',') } : {}) },
  })
  const version = (await b.version()).replace(/^firefox\//, '')
  return {
    engine: 'firefox',
    version,
    raw: b,
    async newPage() {
      const ctx = await b.createBrowserContext() // a BiDi user context: own cookies and storage
      // A window, not a tab: a background tab is hidden and its timers throttled to 1 s.
      const p = await ctx.newPage({ type: 'window' })
      return makePage('firefox', {
        raw: p,
        goto: async (url) => { await p.goto(url, { waitUntil: 'load' }) },
        reload: async () => { await p.reload({ waitUntil: 'load' }) },
        run: (expr) => p.evaluate(expr),
        close: () => ctx.close(),
      })
    },
    close: () => b.close(),
  }
}

// ---- webkit ----

// An Xvfb display of our own: -displayfd makes Xvfb pick a free display number and report it.
async function startXvfb() {
  need('/usr/bin/Xvfb', 'xvfb')
  const x = supervise(['Xvfb', '-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '1280x1024x24'], { extraFd: true })
  const display = await new Promise((resolve, reject) => {
    let out = ''
    const t = setTimeout(() => reject(new Error(`Xvfb reported no display within 10 s: ${x.stderr}`)), 10_000)
    x.child.stdio[3].on('data', (b) => {
      out += b
      if (out.includes('\n')) { clearTimeout(t); resolve(':' + out.trim()) }
    })
    x.exited.then(() => { clearTimeout(t); reject(new Error(`Xvfb exited: ${x.stderr}`)) })
  })
  return { display, kill: x.kill }
}

// A forward proxy for WebKitGTK (which has no host-mapping switch): requests for `hosts` go to
// 127.0.0.1 on the URL's port, with the request line, headers and body as the browser sent them.
async function startHostProxy(hosts) {
  const mapped = new Set(hosts.map((h) => h.toLowerCase()))
  const s = http.createServer((req, res) => {
    let u
    try { u = new URL(req.url) } catch { res.writeHead(400); return res.end() }
    const raw = []
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      if (!/^proxy-/i.test(req.rawHeaders[i])) raw.push(req.rawHeaders[i], req.rawHeaders[i + 1])
    }
    const up = http.request({
      host: mapped.has(u.hostname) ? '127.0.0.1' : u.hostname, port: u.port || 80,
      method: req.method, path: u.pathname + u.search, headers: raw, setHost: false,
    }, (r) => { res.writeHead(r.statusCode, r.statusMessage, r.rawHeaders); r.pipe(res) })
    up.on('error', () => { if (!res.headersSent) res.writeHead(502); res.end() })
    req.pipe(up)
  })
  s.on('connect', (req, sock) => sock.destroy()) // no https in the tests
  await new Promise((r) => s.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${s.address().port}`,
    close: () => new Promise((r) => { s.closeAllConnections(); s.close(r) }),
  }
}

async function startWebKitDriver(env) {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort()
    const d = supervise([WEBKIT_DRIVER, `--port=${port}`, '--host=127.0.0.1'], { env })
    const end = Date.now() + 10_000
    let gone = false
    d.exited.then(() => { gone = true })
    while (!gone && Date.now() < end) {
      const ok = await fetch(`http://127.0.0.1:${port}/status`).then((r) => r.ok, () => false)
      if (ok) return { port, kill: d.kill }
      await new Promise((r) => setTimeout(r, 100))
    }
    await d.kill()
    if (attempt == 2) throw new Error(`WebKitWebDriver did not start: ${d.stderr}`)
  }
}

async function webkitBrowser({ hosts = [] }) {
  need(WEBKIT_DRIVER, 'webkit2gtk-driver')
  need(MINIBROWSER, 'webkit2gtk-driver')
  const { remote } = await import('webdriverio')
  const cleanup = []
  const closeAll = async () => { for (const f of cleanup.splice(0).reverse()) await f().catch(() => {}) }
  try {
    const x = await startXvfb()
    cleanup.push(x.kill)
    const proxy = hosts.length ? await startHostProxy(hosts) : null
    if (proxy) cleanup.push(proxy.close)
    const drv = await startWebKitDriver({ ...process.env, DISPLAY: x.display })
    cleanup.push(drv.kill)
    const args = ['--automation', ...(proxy ? [`--proxy=${proxy.url}`] : [])]
    const b = await remote({
      hostname: '127.0.0.1', port: drv.port, logLevel: 'silent',
      connectionRetryTimeout: LAUNCH_TIMEOUT, connectionRetryCount: 0,
      capabilities: {
        browserName: 'MiniBrowser', 'wdio:enforceWebDriverClassic': true,
        'webkitgtk:browserOptions': { binary: MINIBROWSER, args },
      },
    })
    cleanup.push(() => b.deleteSession())
    // WebDriver classic drives one window at a time, and closing the last window ends the
    // session: the first window stays open and unused, each page is a window of its own, and
    // every command switches to its page's window first, one command at a time.
    let queue = Promise.resolve()
    const serial = (f) => { const r = queue.then(f, f); queue = r.catch(() => {}); return r }
    const home = await b.getWindowHandle()
    let current = home
    const on = (handle, f) => serial(async () => {
      if (current !== handle) { await b.switchToWindow(handle); current = handle }
      return f()
    })
    return {
      engine: 'webkit',
      version: b.capabilities.browserVersion,
      raw: b,
      async newPage() {
        const { handle } = await serial(() => b.createWindow('window'))
        let closed = false
        return makePage('webkit', {
          raw: b,
          goto: (url) => on(handle, () => b.url(url)),
          reload: () => on(handle, () => b.refresh()),
          run: (expr) => on(handle, () => b.execute(`return ${expr}`)),
          // New Window needs an open current window: back to the first one.
          close: () => closed ? undefined : on(handle, async () => {
            closed = true
            await b.closeWindow()
            await b.switchToWindow(home)
            current = home
          }),
        })
      },
      close: closeAll,
    }
  } catch (e) {
    await closeAll()
    throw e
  }
}

// launch(engine, { hosts }): see the API at the top of this file.
export async function launch(engine, options = {}) {
  if (engine == 'chromium') return chromiumBrowser(options)
  if (engine == 'firefox') return firefoxBrowser(options)
  if (engine == 'webkit') return webkitBrowser(options)
  throw new Error(`unknown engine ${engine} (known: ${ALL_ENGINES.join(', ')})`)
}
