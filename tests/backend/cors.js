// A cross-origin API backend for the CORS guard (SPEC §8) that counts every request it
// receives, preflights included, so that a test can prove what reached it and that nothing
// was sent twice. Listens on 127.0.0.1 only.
//
//   const be = await startCorsBackend('refuse')   // or 'accept', 'origin'; a port as second argument
//   ... fetch(be.origin + '/api/x?n=1') from a page ...
//   be.requests        [{ method, path, headers, body, preflight }] in the order received (body
//                      as UTF-8 text)
//   be.count('GET', '/api/x?n=1')     requests with that method and exact path (query included)
//   be.under('/api/x')                every request whose path starts with that prefix
//   await be.close()
//
// Modes (CORS as the backend answers it):
//   accept   preflights allow the requested method and headers: the trace headers pass
//   refuse   the page's origin and methods are allowed, but preflights list only content-type
//            in Access-Control-Allow-Headers: a request with trace headers is refused by the
//            browser before it is sent; one without them goes through
//   origin   every answer allows another origin only: the page's requests all fail, trace
//            headers or not
// Other than in 'origin' mode, every answer allows the request's Origin with credentials.
// ?delay=<ms> delays every answer to that URL, preflights included; ?drop=1 closes the
// connection instead of answering (a network error), preflights excepted.
// Answers: 200 JSON { method, path, traced } (traced: a traceparent arrived); no body to HEAD.
import http from 'node:http'
import { serve } from './serve.js'

export async function startCorsBackend(mode = 'refuse', port = 0) {
  const requests = []
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x')
    const preflight = req.method == 'OPTIONS' && !!req.headers['access-control-request-method']
    const rec = { method: req.method, path: req.url, headers: req.headers, body: '', preflight }
    requests.push(rec) // when the request arrives, before its body: a dropped upload still counts
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => { rec.body = Buffer.concat(chunks).toString('utf8') })
    const cors = mode == 'origin'
      ? { 'access-control-allow-origin': 'https://elsewhere.example' }
      : { 'access-control-allow-origin': req.headers.origin || '*', 'access-control-allow-credentials': 'true', vary: 'origin' }
    const answer = () => {
      if (!preflight && url.searchParams.get('drop')) return req.socket.destroy()
      if (preflight) {
        const asked = req.headers['access-control-request-headers']
        res.writeHead(204, {
          ...cors,
          'access-control-allow-methods': 'GET, POST, PUT, DELETE',
          ...(mode == 'accept' && asked ? { 'access-control-allow-headers': asked } : { 'access-control-allow-headers': 'content-type' }),
          'access-control-max-age': '0',
        })
        return res.end()
      }
      const body = JSON.stringify({ method: req.method, path: req.url, traced: 'traceparent' in req.headers })
      res.writeHead(200, { ...cors, 'content-type': 'application/json', 'cache-control': 'no-store' })
      res.end(req.method == 'HEAD' ? undefined : body)
    }
    const delay = Math.min(+url.searchParams.get('delay') || 0, 10_000)
    // After the body: a request is answered once it has fully arrived, as a real API does.
    req.on('end', () => delay ? setTimeout(answer, delay) : answer())
  })
  const { origin, close } = await serve(server, port)
  return {
    origin,
    mode,
    requests,
    count: (method, path) => requests.filter((r) => r.method == method && r.path == path).length,
    under: (prefix) => requests.filter((r) => r.path.startsWith(prefix)),
    close,
  }
}

// An origin where nothing listens: a port that was free a moment ago and is closed again.
export async function deadOrigin() {
  const s = http.createServer()
  const { origin, close } = await serve(s)
  await close()
  return origin
}
