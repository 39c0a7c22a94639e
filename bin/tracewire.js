#!/usr/bin/env node
// The tracewire command (SPEC §8):
//   tracewire cors '<tracing as JSON>'   the Access-Control-Allow-Headers value a cross-origin
//                                        backend needs for that config, on one line
//   tracewire check <url> [--origin <page origin>] [--tracing '<json>'] [--method <method>] [--credentials]
//                                        sends the CORS preflight a browser would send before a
//                                        traced request to <url>, and says whether the backend
//                                        accepts it; if not, the exact line to add. Exit status
//                                        0 only when it accepts; 1 when it refuses or cannot be
//                                        reached; 2 for a usage error.
import { existsSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'

// From the sources in a checkout; from the build in the installed package, which ships dist/ only.
const source = new URL('../js/index.js', import.meta.url)
const { corsHeaders, createTracer } = await import(existsSync(source) ? source.href : '../dist/index.js')

const USAGE = `usage: tracewire cors '<tracing config as JSON>'   (no config means true)
       tracewire check <url> [--origin <page origin>] [--tracing '<json>'] [--method <method>] [--credentials]`
const DEFAULT_ORIGIN = 'https://example.com'
const TIMEOUT = 10_000

function usage(message) {
  console.error((message ? `tracewire: ${message}\n` : '') + USAGE)
  process.exit(2)
}

function parseTracing(json) {
  if (json === undefined) return true
  try {
    return JSON.parse(json)
  } catch (e) {
    console.error(`tracewire: the config is not JSON: ${e.message}`)
    process.exit(2)
  }
}

// ---- check ----

function options(args) {
  const o = { origin: DEFAULT_ORIGIN, method: 'GET', credentials: false, defaultOrigin: true }
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    const value = () => {
      if (i + 1 >= args.length) usage(`${a} needs a value`)
      return args[++i]
    }
    if (a == '--origin') o.origin = value(), o.defaultOrigin = false
    else if (a == '--tracing') o.tracing = value()
    else if (a == '--method') o.method = value().toUpperCase()
    else if (a == '--credentials') o.credentials = true
    else if (a.startsWith('--')) usage(`unknown option ${a}`)
    else if (o.url) usage(`one URL only (got ${o.url} and ${a})`)
    else o.url = a
  }
  if (!o.url) usage('check needs the URL of a backend request')
  let u, origin
  try { u = new URL(o.url) } catch (e) { usage(`not a URL: ${o.url}`) }
  if (!/^https?:$/.test(u.protocol)) usage(`not an http(s) URL: ${o.url}`)
  try { origin = new URL(o.origin) } catch (e) { usage(`--origin is not an origin: ${o.origin}`) }
  if (origin.origin == 'null' || !/^https?:$/.test(origin.protocol)) usage(`--origin is not an http(s) origin: ${o.origin}`)
  o.origin = origin.origin
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(o.method)) usage(`--method is not an HTTP method: ${o.method}`)
  o.url = u.href
  return o
}

// The names a browser would list in Access-Control-Request-Headers for this config: those of
// the rule that matches the URL (SPEC §2), lower case and sorted as browsers send them. A URL no
// rule matches would go untraced: then every name the config can send (SPEC §8 corsHeaders).
function names(o, tracing) {
  const t = createTracer({ pid: 'check', tracing, baseURI: o.origin + '/' }).headers(o.url)
  if (t) return { list: Object.keys(t.headers).map((k) => k.toLowerCase()).sort(), traced: true }
  return { list: corsHeaders(tracing).slice().sort(), traced: false }
}

// OPTIONS as a browser sends it; resolves { status, headers } or { error }.
function preflight(o, requested) {
  return new Promise((resolve) => {
    const lib = o.url.startsWith('https:') ? https : http
    const req = lib.request(o.url, {
      method: 'OPTIONS',
      headers: {
        Origin: o.origin,
        'Access-Control-Request-Method': o.method,
        'Access-Control-Request-Headers': requested.join(','),
        Accept: '*/*',
        'User-Agent': 'tracewire-check',
      },
      timeout: TIMEOUT,
    }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, raw: res.rawHeaders }))
    })
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })))
    req.on('error', (error) => resolve({ error }))
    req.end()
  })
}

function unreachable(o, e) {
  const u = new URL(o.url)
  const where = `${u.hostname}:${u.port || (u.protocol == 'https:' ? 443 : 80)}`
  const why = {
    ECONNREFUSED: `connection refused: nothing listens on ${where}`,
    ENOTFOUND: `host ${u.hostname} not found`,
    EAI_AGAIN: `host ${u.hostname} could not be resolved`,
    ECONNRESET: 'the connection was closed without an answer',
    EHOSTUNREACH: `host ${u.hostname} is unreachable`,
    ENETUNREACH: 'the network is unreachable',
    TIMEOUT: `no answer within ${TIMEOUT / 1000} s`,
  }[e.code] || e.message
  return `cannot reach ${o.url}: ${why}`
}

// A list header as lower-case items ('' and absent: none).
const list = (v) => `${v || ''}`.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)
const SIMPLE_METHODS = ['GET', 'HEAD', 'POST']

async function check(args) {
  const o = options(args)
  const tracing = parseTracing(o.tracing)
  const { list: requested, traced } = names(o, tracing)
  if (!requested.length) {
    console.log('this tracing config sends no trace headers (tracing is off): there is nothing to check')
    return 0
  }
  if (!traced) {
    console.log(`note: with this config tracewire would not trace ${o.url} from ${o.origin} (add it to tracing.allowedUrls);` +
      ' checking every header the config can send')
  }
  console.log(`preflight: OPTIONS ${o.url}`)
  console.log(`  Origin: ${o.origin}${o.defaultOrigin ? '   (the default: pass --origin with your page\'s origin)' : ''}`)
  console.log(`  Access-Control-Request-Method: ${o.method}`)
  console.log(`  Access-Control-Request-Headers: ${requested.join(',')}`)
  const r = await preflight(o, requested)
  if (r.error) {
    console.log(unreachable(o, r.error))
    return 1
  }
  const h = r.headers
  console.log(`answer: ${r.status}`)
  for (let i = 0; i < r.raw.length; i += 2) {
    if (/^access-control-/i.test(r.raw[i])) console.log(`  ${r.raw[i]}: ${r.raw[i + 1]}`)
  }

  // The browser's checks, in the Fetch standard's order (CORS-preflight fetch, CORS check).
  // A credentialed request needs its origin echoed and Allow-Credentials, and `*` is no wildcard.
  const cred = o.credentials
  const problems = []
  if (r.status < 200 || r.status > 299) {
    problems.push(`the preflight answered ${r.status}, not 2xx: the backend must answer OPTIONS for this URL with a 2xx status and the CORS headers`)
  }
  const allowOrigin = `${h['access-control-allow-origin'] || ''}`.trim()
  if (allowOrigin != o.origin && !(allowOrigin == '*' && !cred)) {
    problems.push(allowOrigin
      ? `Access-Control-Allow-Origin is ${allowOrigin}, not ${o.origin}${allowOrigin == '*' ? ' (a credentialed request needs its origin echoed)' : ''}: the backend refuses the page's origin itself, trace headers or not`
      : `no Access-Control-Allow-Origin: the backend refuses the page's origin itself, trace headers or not`)
  }
  if (cred && `${h['access-control-allow-credentials'] || ''}`.trim() != 'true') {
    problems.push('no Access-Control-Allow-Credentials: true, which a request with credentials needs')
  }
  const methods = list(h['access-control-allow-methods'])
  if (!SIMPLE_METHODS.includes(o.method) && !methods.includes(o.method.toLowerCase()) && !(methods.includes('*') && !cred)) {
    problems.push(`Access-Control-Allow-Methods does not list ${o.method}`)
  }
  const allowed = list(h['access-control-allow-headers'])
  const missing = allowed.includes('*') && !cred ? [] : requested.filter((n) => !allowed.includes(n))

  if (!problems.length && !missing.length) {
    console.log(`accepted: ${o.url} allows ${requested.join(', ')} from ${o.origin}`)
    return 0
  }
  console.log('refused:')
  for (const p of problems) console.log(`  ${p}`)
  if (missing.length) {
    console.log(`  Access-Control-Allow-Headers does not list ${missing.join(', ')}`)
    // The backend's own names first, as it sends them; '*' has no meaning with credentials.
    const own = `${h['access-control-allow-headers'] || ''}`.split(',').map((s) => s.trim()).filter((s) => s && s != '*')
    const line = own.concat(missing).join(', ')
    console.log(`the backend's preflight answers (OPTIONS ${new URL(o.url).pathname}, from ${o.origin}) must carry this line:`)
    console.log(`  Access-Control-Allow-Headers: ${line}`)
  }
  return 1
}

const [cmd, ...rest] = process.argv.slice(2)
if (cmd === 'cors') console.log(corsHeaders(parseTracing(rest[0])).join(', '))
else if (cmd === 'check') process.exit(await check(rest))
else usage()
