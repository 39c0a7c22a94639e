// Local test servers for browser tests: two origins on 127.0.0.1 (A = the page, B = a
// cross-origin API). Every request is recorded as the server really received it and answered
// with a JSON echo of that record. Nothing listens beyond 127.0.0.1.
//
//   const srv = await startServers()
//   srv.page('/t.html', '<script src="/tw.js"></script>', { 'Content-Security-Policy': "script-src 'self'" })
//   srv.script('/tw.js', await bundle(`import { patchWeb } from './web.js'; ...`))
//   ... srv.requests.filter(r => r.path.startsWith('/case/')) ...
//   await srv.close()
//
// Special paths (either origin):
//   /status/<n>...   answer with status n
//   /drop...         destroy the socket without answering (a network error)
//   /redirect...     302 to the same path with /redirect replaced by /echo
//   ?delay=<ms>      answer after ms milliseconds
// Every page() gets browsers.js's console capture script as its first script (after the
// doctype), served on A at CAPTURE.path: page.console() and page.errors() read what it keeps.
// CORS on B: preflights under /allow/ allow the requested method and headers (with credentials);
// under /deny/ they answer 204 with the origin allowed but no Access-Control-Allow-Headers, so
// a request with non-safelisted headers is blocked. Actual responses carry
// Access-Control-Allow-Origin: A and Access-Control-Allow-Credentials: true.
import http from 'node:http'
import { fileURLToPath } from 'node:url'
import esbuild from 'esbuild'
import { CAPTURE } from './browsers.js'

const JS_DIR = fileURLToPath(new URL('../../js/', import.meta.url))

// Bundle `source` (an ES module whose relative imports resolve in js/) into one IIFE string.
export async function bundle(source, options = {}) {
  const r = await esbuild.build({
    stdin: { contents: source, resolveDir: JS_DIR, sourcefile: 'entry.js', loader: 'js' },
    bundle: true, format: 'iife', write: false, target: 'es2020', logLevel: 'silent', ...options,
  })
  return r.outputFiles[0].text
}

// Polls f, a look at what the servers received, every 50 ms until it answers something truthy
// or ms have passed; resolves its last answer (falsy when time ran out).
export async function until(f, ms = 10_000) {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
    const v = f()
    if (v) return v
  }
  return f()
}

export async function startServers() {
  const requests = [], preflights = [], routes = new Map()
  routes.set(CAPTURE.path, { type: 'text/javascript; charset=utf-8', body: CAPTURE.source, headers: {} })
  const origins = {}

  const handler = name => (req, res) => {
    const chunks = []
    req.on('data', c => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url, 'http://x')
      const headers = {}
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const k = req.rawHeaders[i].toLowerCase()
        // Raw values as sent; a repeated header is kept as an array, never joined by us.
        headers[k] = k in headers ? [].concat(headers[k], req.rawHeaders[i + 1]) : req.rawHeaders[i + 1]
      }
      const rec = { origin: name, method: req.method, path: req.url, headers, body: Buffer.concat(chunks).toString('utf8') }
      const cors = name == 'b' ? { 'access-control-allow-origin': origins.a, 'access-control-allow-credentials': 'true' } : {}

      if (req.method == 'OPTIONS' && headers['access-control-request-method']) {
        preflights.push(rec)
        const allow = url.pathname.startsWith('/allow/')
        res.writeHead(204, {
          ...cors,
          ...(allow || url.pathname.startsWith('/deny/') ? {} : { 'access-control-allow-origin': 'null' }),
          'access-control-allow-methods': headers['access-control-request-method'],
          ...(allow && headers['access-control-request-headers']
            ? { 'access-control-allow-headers': headers['access-control-request-headers'] } : {}),
          'access-control-max-age': '0',
        })
        return res.end()
      }
      requests.push(rec)

      const route = name == 'a' && routes.get(url.pathname)
      if (route) {
        res.writeHead(200, { 'content-type': route.type, 'cache-control': 'no-store', ...route.headers })
        return res.end(route.body)
      }
      if (url.pathname.startsWith('/drop')) return req.socket.destroy()
      if (url.pathname.startsWith('/redirect')) {
        res.writeHead(302, { ...cors, location: req.url.replace('/redirect', '/echo') })
        return res.end()
      }
      const status = /^\/status\/(\d{3})/.exec(url.pathname)
      const send = () => {
        res.writeHead(status ? +status[1] : 200, { ...cors, 'content-type': 'application/json', 'cache-control': 'no-store' })
        res.end(JSON.stringify(rec))
      }
      const delay = +url.searchParams.get('delay')
      delay ? setTimeout(send, delay) : send()
    })
  }

  const listen = name => new Promise((resolve, reject) => {
    const s = http.createServer(handler(name))
    s.keepAliveTimeout = 1000
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      origins[name] = `http://127.0.0.1:${s.address().port}`
      resolve(s)
    })
  })
  const servers = [await listen('a'), await listen('b')]

  return {
    a: origins.a,
    b: origins.b,
    requests,
    preflights,
    // An HTML page on A, with extra response headers (a Content-Security-Policy, say).
    // The capture script goes first, so it sees every console call and error of the page.
    page(path, html, headers = {}) {
      const body = html.replace(/^(<!doctype html>)?/i, (d) => d + CAPTURE.tag)
      routes.set(path, { type: 'text/html; charset=utf-8', body, headers })
    },
    // A script on A, typically a bundle() output.
    script(path, code, headers = {}) { routes.set(path, { type: 'text/javascript; charset=utf-8', body: code, headers }) },
    close() {
      return Promise.all(servers.map(s => new Promise(r => { s.closeAllConnections(); s.close(r) })))
    },
  }
}
