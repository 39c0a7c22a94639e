// The tracing engine seen from JS: one small API over the C module's exports (src/wasm.c),
// whichever form runs it — the wasm module instantiated synchronously from inlined bytes,
// its wasm2js twin where WebAssembly is missing or refused (SPEC §5), or a module that an
// asynchronous loader hands over later (WeChat's WXWebAssembly), switched to with `use`.
//
// Everything crossing the boundary is bytes in the module's static regions. All engine
// output is ASCII (ids, base64, percent-escapes), so it is read back with fromCharCode, which
// needs neither TextDecoder nor a copy.

// SPEC §3 record layout (src/tw.h TW_REC_*): traceparent, then b3, jaeger, sw8 ids head.
export const REC_B3 = 1, REC_JAEGER = 2, REC_SW8 = 4
export const CTX_TRACESTATE = 0, CTX_BAGGAGE = 1, CTX_SW8 = 2
const FIXED_IDS = 0x100
const BATCH = 64 // records per crossing: one decode, then a substring per request
const RESEED = 1024 // batches between reseeds: crypto once per 65,536 ids, not per request

// Synchronous instantiation of the inlined module (SPEC §5: the first request of the page is
// already traced). Returns null where WebAssembly is missing or refused (a CSP without
// 'wasm-unsafe-eval' makes the constructor throw).
export function wasmExports(base64) {
  try {
    const W = globalThis.WebAssembly
    if (!W) return null
    const bin = atobBytes(base64)
    return new W.Instance(new W.Module(bin), {}).exports
  } catch (e) {
    return null
  }
}

// base64 to bytes without atob, which not every runtime has.
function atobBytes(s) {
  const out = new Uint8Array((s.length >> 2) * 3)
  let n = 0, acc = 0, bits = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    const v = c > 96 ? c - 71 : c > 64 ? c - 65 : c > 47 ? c + 4 : c == 43 ? 62 : c == 47 ? 63 : -1
    if (v < 0) continue // '=' padding
    acc = acc << 6 | v
    bits += 6
    if (bits >= 8) out[n++] = acc >> (bits -= 8) & 255
  }
  return out.subarray(0, n)
}

// random(n) answers n cryptographic bytes, or null when the runtime has no such source.
export function createEngine(exports, random) {
  let x, u8, i32, IN, INCAP, OUT, ARENA, ARENACAP, META
  let top = 0 // arena bytes in use
  let gen = 0 // bumped whenever the arena is reset or the module changes: sets re-upload
  let batches = 0

  function use(ex) {
    x = ex
    u8 = new Uint8Array(x.memory.buffer)
    i32 = new Int32Array(x.memory.buffer)
    IN = x.tw_buf(0); INCAP = x.tw_buf(1); OUT = x.tw_buf(2)
    ARENA = x.tw_buf(4); ARENACAP = x.tw_buf(5); META = x.tw_buf(6) >> 2
    top = 0
    gen++
    seed()
  }

  function seed() {
    const b = random(32)
    if (!b) return false
    u8.set(b, IN)
    x.tw_seed(b.length)
    return true
  }

  // UTF-8 of s into the input region at IN + at; the byte count, or -1 when it does not fit.
  // Lone surrogates become U+FFFD, as TextEncoder does.
  function put(s, at) {
    let o = IN + at
    const end = IN + INCAP
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i)
      if (o + 4 > end) return -1
      if (c < 128) { u8[o++] = c; continue }
      if (c < 2048) { u8[o++] = 192 | c >> 6; u8[o++] = 128 | c & 63; continue }
      if (c >= 0xd800 && c < 0xe000) {
        const d = s.charCodeAt(i + 1)
        if (c < 0xdc00 && d >= 0xdc00 && d < 0xe000) {
          c = 0x10000 + (c - 0xd800 << 10) + d - 0xdc00
          i++
          u8[o++] = 240 | c >> 18; u8[o++] = 128 | c >> 12 & 63
          u8[o++] = 128 | c >> 6 & 63; u8[o++] = 128 | c & 63
          continue
        }
        c = 0xfffd
      }
      u8[o++] = 224 | c >> 12; u8[o++] = 128 | c >> 6 & 63; u8[o++] = 128 | c & 63
    }
    return o - IN - at
  }

  // TextDecoder wins on long runs in V8; fromCharCode needs nothing from the runtime.
  const td = typeof TextDecoder == 'function' && new TextDecoder('latin1')
  function text(at, n) {
    if (td && n > 256) return td.decode(u8.subarray(at, at + n))
    let s = ''
    for (let i = 0; i < n; i += 8192) {
      s += String.fromCharCode.apply(null, u8.subarray(at + i, at + Math.min(n, i + 8192)))
    }
    return s
  }

  // Lays a rule set (base entry, then the rules) into the arena at `at`; its length, or -1.
  function lay(at, strings) {
    let o = at
    for (const s of strings) {
      const n = put(s, 0)
      if (n < 0 || n > 65535 || o + 2 + n > ARENACAP) return -1
      u8[ARENA + o] = n & 255
      u8[ARENA + o + 1] = n >> 8
      u8.copyWithin(ARENA + o + 2, IN, IN + n)
      o += 2 + n
    }
    return o - at
  }

  const engine = {
    use,

    // A rule set for tw_req: the normalised base ('' for none) and normalised string rules.
    // The handle re-uploads itself after an arena reset or a module switch.
    rules(base, strings) {
      const all = [base].concat(strings)
      const h = { gen: -1, off: 0, len: 0 }
      h.load = () => {
        let len = lay(top, all)
        if (len < 0) { // full: start over; older sets reload on their next use
          top = 0
          gen++
          len = lay(0, all)
        }
        if (len < 0) return false
        h.off = top
        h.len = len
        h.gen = gen
        top += len
        return true
      }
      return h
    },

    // One request: >= 0 the index of the first string rule the absolute URL starts with, -1 no
    // string rule, -2 not traceable (not http(s), unparsable, too long). One crossing.
    req(set, url) {
      if (set.gen !== gen && !set.load()) return -2
      const n = put(url, 0)
      return n < 0 ? -2 : x.tw_req(set.off, set.len, n)
    },
    // The absolute URL and the base64 sw8 peer of the last req, decoded only when asked for.
    abs: () => text(OUT, i32[META]),
    peer: () => text(OUT + i32[META], i32[META + 1]),

    // Absolute form of ref against base (an absolute URL or ''), or '' when it is not a
    // traceable URL. Config time only: the set it uses is laid past the arena's top and
    // dropped at once.
    norm(ref, base) {
      const b = base ? engine.norm(base, '') : ''
      let len = lay(top, [b])
      if (len < 0) {
        top = 0
        gen++
        len = lay(0, [b])
      }
      if (len < 0) return ''
      const n = put(ref, 0)
      return n >= 0 && x.tw_req(top, len, n) !== -2 ? engine.abs() : ''
    },

    // n records for a tracer: a string of n * len characters, or '' when n does not fit.
    batch(n, percent, parts) {
      if (++batches % RESEED === 0) seed()
      const len = x.tw_batch(n || BATCH, percent, parts)
      return len ? { len, text: text(OUT, (n || BATCH) * len) } : null
    },
    // Tests: the one record of the given ids (40 bytes: trace, span, segment).
    fixed(ids, sampled, parts) {
      u8.set(ids, IN)
      const len = x.tw_batch(1, sampled ? 100 : 0, parts | FIXED_IDS)
      return text(OUT, len)
    },

    // Request-independent values (src/wasm.c tw_ctx); '' when the value must be left out.
    ctx(kind, app, a, b, c) {
      const na = put(a, 0), nb = na < 0 ? -1 : put(b, na), nc = nb < 0 ? -1 : put(c || '', na + nb)
      if (nc < 0) return ''
      return text(OUT, x.tw_ctx(kind, app, na, nb, nc))
    },

  }
  use(exports)
  return engine
}
