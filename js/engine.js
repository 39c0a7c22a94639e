// The tracing engine seen from JS: one small API over the C module's exports (src/wasm.c),
// whichever form runs it — the wasm module instantiated synchronously from inlined bytes,
// its wasm2js twin where WebAssembly is missing or refused (SPEC §5), or a module that an
// asynchronous loader hands over later (WeChat's WXWebAssembly), switched to with `_use`.
//
// Everything crossing the boundary is bytes in the module's static regions. All engine
// output is ASCII (ids, base64, percent-escapes), so it is read back as latin1: fromCharCode,
// which every runtime has, or TextDecoder for a batch of records, where it is 8x faster.

import { unpack } from '../wasm/bytes.js'
import { hex } from './random.js'

// Record parts (src/tw.h TW_REC_*): the tracer asks for the traceparent alone or with the sw8
// ids. A record (src/tw_w.h) is a space and the traceparent (55 characters, its trace id at
// 4), then where sw8 is sent the base64 of the trace id's hex and of the segment id's (44
// each): the tracer slices the headers' values from it.
export const REC_SW8 = 4, AT_TRACE = 4, AT_SW8 = 56
export const CTX_TRACESTATE = 0, CTX_BAGGAGE = 1, CTX_SW8 = 2
const CTX_B64 = 3
const RAW = 0x200 // src/wasm.c TW_RAW_IDS
const BATCH = 64 // records per crossing: one decode, then a substring per request
const RESEED = 1024 // batches between reseeds: crypto once per 65,536 ids, not per request

// Synchronous instantiation of the inlined module (SPEC §5: the first request of the page is
// already traced), from wasm/bytes.js's packed text. Returns null where WebAssembly is missing
// or refused (a CSP without 'wasm-unsafe-eval' makes the constructor throw): the JS twin runs
// instead.
export function wasmExports(packed) {
  try {
    const W = globalThis.WebAssembly
    return new W.Instance(new W.Module(unpack(packed)), {}).exports
  } catch (e) {
    return null
  }
}

// "000102...ff": every byte's two hex digits, in order.
const pairs = () => hex(Array.from({ length: 256 }, (_, i) => i))

// random(n) answers n cryptographic bytes, or null when the runtime has no such source.
export function createEngine(exports, random) {
  let x, u8, i32, IN, INCAP, OUT, END, ARENA, ARENACAP, META, TABLES, RNG
  let top = 0 // arena bytes in use
  let generation = 0 // bumped whenever the arena is reset or the module changes: sets re-upload
  let batches = 0

  function use(ex) {
    x = ex
    u8 = new Uint8Array(x.memory.buffer)
    i32 = new Int32Array(x.memory.buffer)
    IN = x.tw_buf(0); INCAP = x.tw_buf(1); OUT = x.tw_buf(2); END = OUT + x.tw_buf(3)
    ARENA = x.tw_buf(4); ARENACAP = x.tw_buf(5); META = x.tw_buf(6) >> 2; RNG = x.tw_buf(10)
    // the record writer's hex table (src/tw_w.h): the text "000102...ff" as it is
    u8.copyWithin(TABLES = x.tw_buf(8), IN, IN + put(pairs(), 0))
    top = 0
    generation++
    seed()
  }

  // The generator's state (src/tw.h tw_rng, 16 bytes at RNG) gets the random bytes XORed
  // in, so a source that repeats itself or answers null (none) never sets it back; it must
  // never be all-zero, the one state xoshiro never leaves.
  function seed() {
    const b = random(16), w = RNG >> 2
    for (let i = 0; b && i < 16; i++) u8[RNG + i] ^= b[i]
    if (!(i32[w] | i32[w + 1] | i32[w + 2] | i32[w + 3])) i32[w] = 0x9e3779b9
  }

  // UTF-8 of s into the input region at IN + at; the byte count, or -1 when it does not fit.
  // ASCII, the common case, goes as it is; from the first other character the runtime's own
  // encoder does it (its bytes, one character each, from encodeURIComponent's %XX undone by
  // unescape), lone surrogates first made U+FFFD, as TextEncoder does (with the u flag a
  // surrogate pair is one character, so the class matches only lone halves).
  function put(s, at) {
    let i = 0, c
    while (i < s.length && i < INCAP - at && (c = s.charCodeAt(i)) < 128) u8[IN + at + i++] = c
    if (i < s.length) {
      s = unescape(encodeURIComponent(s.replace(/[\ud800-\udfff]/gu, '\ufffd')))
      if (s.length > INCAP - at) return -1
      for (i = 0; i < s.length; i++) u8[IN + at + i] = s.charCodeAt(i)
    }
    return s.length
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

  // Lays a rule set (base entry, then the rules) at the arena's top; its length, or -1. When
  // the arena is full it starts over: older sets reload on their next use.
  function lay(strings) {
    let o = top
    for (const s of strings) {
      const n = put(s, 0)
      if (n < 0 || n > 65535 || o + 2 + n > ARENACAP) return top ? (top = 0, generation++, lay(strings)) : -1
      u8[ARENA + o] = n
      u8[ARENA + o + 1] = n >> 8
      u8.copyWithin(ARENA + o + 2, IN, IN + n)
      o += 2 + n
    }
    return o - top
  }

  // tracewire's own object: its names are shortened by the build (scripts/bundle.mjs).
  const engine = {
    _use: use,

    // A rule set for tw_req: the normalised base ('' for none) and normalised string rules.
    // _req lays it in the arena on first use, and again after an arena reset or a module switch.
    _rules: (base, strings) => ({ _strings: [base].concat(strings), _generation: -1 }),

    // One request: >= 0 the index of the first string rule the absolute URL starts with, -1 no
    // string rule, -2 not traceable (not http(s), unparsable, too long). One crossing.
    _req(set, url) {
      if (set._generation !== generation) {
        const len = lay(set._strings)
        if (len < 0) return -2
        set._offset = top
        set._length = len
        set._generation = generation
        top += len
      }
      const n = put(url, 0)
      return n < 0 ? -2 : x.tw_req(set._offset, set._length, n)
    },
    // The absolute URL of the last req, decoded only when asked for, and not at all when it is
    // the guess (the URL as given, or the page's origin and a path): for a 50-character URL,
    // reading it back with fromCharCode takes 0.4 to 1.7 us in Node and the three browsers,
    // comparing it 0.15 to 0.3. (i: where the comparison is; past the end at once when the
    // lengths differ)
    _abs(guess) {
      const n = i32[META]
      let i = guess.length - n && n + 1
      while (i < n && u8[OUT + i] == guess.charCodeAt(i)) i++
      return i - n ? text(OUT, n) : guess
    },

    // The sw8 peer of an absolute URL from _abs (SPEC §3): its host:port, the scheme's default
    // port written out (SkyWalking's meaning of peer is the target address), in base64. As
    // src/url.c tw_url_peer: the module had no room for it.
    _peer(abs) {
      const i = abs.indexOf('/') + 2, host = abs.slice(i, abs.indexOf('/', i))
      return engine._ctx(CTX_B64, 0, /:\d+$/.test(host) ? host : host + (abs[4] == 's' ? ':443' : ':80'))
    },

    // Absolute form of ref against base (an absolute URL or ''), or '' when it is not a
    // traceable URL. Config time only: the set it uses is laid past the arena's top and
    // dropped at once.
    _norm(ref, base) {
      const len = lay([base ? engine._norm(base, '') : ''])
      const n = len < 0 ? -1 : put(ref, 0)
      return n >= 0 && x.tw_req(top, len, n) !== -2 ? engine._abs(ref) : ''
    },

    // n records for a tracer (0: the default batch) sampled at percent, each _length
    // characters, all in one _text; null when n does not fit.
    _batch(n, percent, parts) {
      // sw8 records read the base64 of every 3 hex digits from a table (src/tw_w.h), made on
      // a module's first sw8 batch. Its first two digits depend on the first two hex digits
      // alone, the last two on the last two: so from the module's own base64 of "ab0" and of
      // "0bc" for every two hex digits (256 groups each), 4,096 words of two halves each.
      if (parts & REC_SW8 && !u8[TABLES + 16895]) {
        const two = pairs(), o = OUT >> 2, t = (TABLES >> 2) + 128
        x.tw_ctx(CTX_B64, 0, put(two.replace(/../g, '$&0') + two.replace(/../g, '0$&'), 0), 0, 0)
        for (let i = 0; i < 4096; i++) i32[t + i] = i32[o + (i >> 4)] & 0xffff | i32[o + 256 + (i & 255)] & -65536
      }
      // Where the runtime has Uint8Array.prototype.toHex, the ids come raw and it makes their
      // hex: in a batch's text, the one string that is new each time, decoding is what costs
      // (a browser's TextDecoder takes 2 to 8 ns a character there, toHex 0.3 to 5 a byte).
      // (Such ids are the generator's words as little-endian memory holds them, other ids
      // than a text record shows but as random.) Their flags are all alike, so the percent
      // must be 0 or 100, the default.
      const raw = u8.toHex && !(parts & REC_SW8) && !(percent > 0 && percent < 100) && (percent === 0 ? '0' : '1')
      if (raw) parts |= RAW
      if (++batches % RESEED === 0) seed()
      // The rate as the engine decides with it (src/sample.c tw_w_rate_of, which the module had
      // no room for): p * 2^56 = (a + 100 * 2^24) * 2^32 + b. SPEC §2: anything but a number
      // in 0..100 counts as 100.
      const p = percent >= 0 && percent <= 100 ? percent * 16777216 : 1677721600, a = Math.floor(p)
      const len = x.tw_batch(n = n || BATCH, a - 1677721600, (p - a) * 4294967296, parts)
      // raw: the ids at the end of the output region, 10 words a record apart (src/wasm.c)
      return len ? { _length: raw ? 48 : len, _text: raw ? u8.subarray(END - 40 * n, END - 16 * n).toHex() : text(OUT, n * len), _raw: raw } : null
    },

    // Request-independent values (src/wasm.c tw_ctx); '' when the value must be left out.
    _ctx(kind, app, a, b, c) {
      const na = put(a, 0), nb = na < 0 ? -1 : put(b || '', na), nc = nb < 0 ? -1 : put(c || '', na + nb)
      const s = nc < 0 ? '' : text(OUT, x.tw_ctx(kind, app, na, nb, nc))
      // W3C: a tracestate member's value (after "rum=") is at most 256 characters, a baggage
      // header at most 8192 bytes; past them the value is left out (SPEC §3), as src/fmt.c's.
      return s.length > [260, 8192][kind] ? '' : s
    },
  }
  use(exports)
  return engine
}
