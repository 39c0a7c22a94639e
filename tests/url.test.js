// URL resolution and string-rule matching through both engines (SPEC §2 "URL matching"):
// edge cases, and a differential check against Node's WHATWG URL on generated references.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ENGINES, random } from './engines.js'
import { makeTracer } from '../js/tracer.js'

const BASE = 'https://shop.example.com/app/cart/view?x=1#top'

const cases = [
  ['api/x', 'https://shop.example.com/app/cart/api/x'],
  ['./x', 'https://shop.example.com/app/cart/x'],
  ['../x', 'https://shop.example.com/app/x'],
  ['../../../../x', 'https://shop.example.com/x'],
  ['?q=2', 'https://shop.example.com/app/cart/view?q=2'],
  ['#f', 'https://shop.example.com/app/cart/view?x=1#f'],
  ['', 'https://shop.example.com/app/cart/view?x=1'],
  ['//cdn.example.com/x', 'https://cdn.example.com/x'],
  ['/x', 'https://shop.example.com/x'],
  ['\\x\\y', 'https://shop.example.com/x/y'],
  ['HTTPS://API.Example.COM:443/A/B', 'https://api.example.com/A/B'],
  ['http://api.example.com:80/', 'http://api.example.com/'],
  ['http://api.example.com:0080/', 'http://api.example.com/'],
  ['http://api.example.com:8080', 'http://api.example.com:8080/'],
  ['https://user:pw@api.example.com/x', 'https://api.example.com/x'],
  ['http://[::1]:8080/x', 'http://[::1]:8080/x'],
  ['/a/./b/../c/%2e%2E/d', 'https://shop.example.com/a/d'],
  ['/a b?c d\'e#f g`h', 'https://shop.example.com/a%20b?c%20d%27e#f%20g%60h'],
  ['/é?é#é', 'https://shop.example.com/%C3%A9?%C3%A9#%C3%A9'],
  ['  /trimmed  ', 'https://shop.example.com/trimmed'],
  ['http:relative', 'http://relative/'],
  ['https:relative', 'https://shop.example.com/app/cart/relative'],
  ['http://api.example.com:65536/', ''],
  ['http://api.example.com:x/', ''],
  ['http://[::1/', ''],
  ['http://é.example/', ''],
  ['/a\tb', ''],
  ['data:text/plain,x', ''],
  ['blob:https://shop.example.com/1', ''],
  ['about:blank', ''],
  ['javascript:alert(1)', ''],
  ['mailto:x@example.com', ''],
  ['/' + 'a'.repeat(20000), '']
]

for (const [name, load] of ENGINES) {
  const engine = load()
  test(`${name}: resolves references against a page URL as the URL standard does`, () => {
    for (const [ref, want] of cases) assert.equal(engine._norm(ref, BASE), want, `ref ${JSON.stringify(ref.slice(0, 40))}`)
  })

  test(`${name}: without a base only absolute http(s) URLs resolve`, () => {
    assert.equal(engine._norm('/x', ''), '')
    assert.equal(engine._norm('', ''), '')
    assert.equal(engine._norm('https://a.example/x', ''), 'https://a.example/x')
  })

  test(`${name}: matches Node's URL on 20,000 generated references`, () => {
    const parts = ['a', 'B', '.', '..', '%2e', '', 'x y', 'é', '~', '{}', '%41', ':', ';', "'", '"', '<>', '`', '^', '|']
    const pick = (a) => a[random(1)[0] % a.length]
    const bases = ['https://shop.example.com/app/cart/view?x=1#top', 'http://127.0.0.1:8080/', 'https://a.example/b/c/']
    for (let i = 0; i < 20000; i++) {
      let ref = ''
      const n = random(1)[0] % 6
      const lead = pick(['', '/', '//h.example/', '../', './', '?', '#', 'https://X.example:443/', 'http://y.example:80/', 'https://u:p@z.example/', '\\'])
      for (let k = 0; k < n; k++) {
        const part = pick(parts)
        // Node's URL (ada) keeps "./" after a segment such as ".B" where the standard and
        // Chromium remove it; never glue a dot form to the next part, so only the standard's
        // behaviour is compared.
        ref += part + pick(part.startsWith('.') || part == '%2e' ? ['/', '\\', '?', '#'] : ['/', '/', '\\', '?', '#', ''])
      }
      ref = lead + ref
      const base = pick(bases)
      let want
      try {
        const u = new URL(ref, base)
        u.username = ''
        u.password = '' // the engine drops credentials
        want = /^https?:$/.test(u.protocol) ? u.href : ''
      } catch (e) {
        want = ''
      }
      const got = engine._norm(ref, base)
      // The engine refuses hosts that would need percent-decoding, IDNA or IPv4 rewriting
      // (documented: such requests are sent untraced); otherwise it agrees byte for byte.
      const rawHost = (/^(?:https?:)?[\\/]{2,}([^\\/?#]*)/i.exec(ref) || [])[1] || ''
      if (got === '' && want !== '' && /[^A-Za-z0-9.\-_:[\]@]/.test(rawHost)) continue
      assert.equal(got, want, `ref ${JSON.stringify(ref)} base ${base}`)
    }
  })

  test(`${name}: string rules keep SPEC §2's origin boundary and first-match order`, () => {
    const t = makeTracer(engine, {
      pid: 'p', baseURI: 'https://shop.example.com/app/',
      tracing: {
        allowedUrls: [
          { match: 'https://API.example.com', propagatorTypes: 'b3' },
          { match: '/v2/', propagatorTypes: 'jaeger' },
          { match: /\/regexp\//g, propagatorTypes: 'b3multi' },
          { match: (u) => u.endsWith('/fn'), propagatorTypes: 'sw8' }
        ]
      }
    }, random)
    const kind = (u) => {
      const r = t.headers(u)
      return r && Object.keys(r.headers).sort().join()
    }
    assert.equal(kind('https://api.example.com/v1'), 'b3')
    assert.equal(kind('https://api.example.com?x'), 'b3')
    assert.equal(kind('https://API.EXAMPLE.COM:443/v1'), 'b3')
    assert.equal(kind('https://api.example.com.evil.io/'), null)
    assert.equal(kind('https://api.example.com:8443/'), null)
    assert.equal(kind('http://api.example.com/'), null)
    assert.equal(kind('/v2/items'), 'uber-trace-id')
    assert.equal(kind('https://other.example/regexp/'), 'X-B3-Sampled,X-B3-SpanId,X-B3-TraceId')
    assert.equal(kind('https://other.example/regexp/'), 'X-B3-Sampled,X-B3-SpanId,X-B3-TraceId') // lastIndex reset
    assert.equal(kind('https://api.example.com/regexp/'), 'b3') // an earlier string rule wins
    assert.equal(kind('https://other.example/fn'), 'sw8')
    assert.equal(kind('/same-origin'), 'traceparent,tracestate')
    assert.equal(kind('https://shop.example.com:444/'), null)
    assert.equal(kind('data:x'), null)
  })
}
