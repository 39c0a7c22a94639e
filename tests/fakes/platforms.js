// Fakes of the mini-program platforms' request, storage and random APIs, modelled on the
// official typings: miniprogram-api-typings 5.2.3 (wx; ByteDance, Baidu and QQ copy its
// request, storage and task shapes) and @mini-types/alipay 3.0.14 (@mini-types/my: my, and
// DingTalk's dd, which runs Alipay's framework).
//
//   const p = fakePlatform('wx')  // p.sent: every request as the server would see it
//   p.request(options) -> RequestTask (my: Promise & RequestTask); answers on a later turn
import { saved } from './bare.js'
import { repoFile } from './host.js'

// SPEC §7: the option each platform reads headers from. Alipay reads both (typings:
// `headers?` and `header?`); where both are given the fake merges them, `headers` last.
export const READS = { wx: ['header'], qq: ['header'], tt: ['header'], swan: ['header'], my: ['header', 'headers'], dd: ['headers'] }
export const PLATFORMS = Object.keys(READS)
const ALIPAY = { my: 1, dd: 1 } // { key } storage objects, { status, headers } results

const later = (f) => setTimeout(f, 1)

export function fakePlatform(name, { status = 200 } = {}) {
  const alipay = !!ALIPAY[name]
  const store = new Map()
  const p = {
    sent: [], // { options (the object the platform received), url, method, headers }
    tasks: [], // every task returned, in order
    request(options) {
      // The platform reads its options once, when called; what it sent is fixed then.
      const headers = {}
      for (const c of READS[name]) Object.assign(headers, options[c])
      p.sent.push({ options, url: options.url, method: options.method || 'GET', headers })
      let aborted = false, listeners = []
      const res = alipay
        ? { data: 'ok', status, headers: { 'content-type': 'text/plain' }, ...(name == 'my' ? { statusCode: status, header: { 'content-type': 'text/plain' } } : {}) }
        : { data: 'ok', statusCode: status, header: { 'Content-Type': 'text/plain' }, cookies: [], errMsg: 'request:ok' }
      const err = alipay ? { error: 9, errorMessage: 'abort' } : { errMsg: 'request:fail abort', errno: 600003 }
      let settle
      const done = new Promise((resolve, reject) => later(() => {
        if (aborted) {
          options.fail && options.fail(err)
          options.complete && options.complete(err)
          return reject(err)
        }
        for (const l of listeners) l({ header: res.header || res.headers, statusCode: status, cookies: [] })
        options.success && options.success(res)
        options.complete && options.complete(res)
        resolve(res)
      }))
      const methods = {
        abort() { aborted = true },
        onHeadersReceived(l) { listeners.push(l) },
        offHeadersReceived(l) { listeners = listeners.filter((x) => x !== l) },
        onChunkReceived() {},
        offChunkReceived() {}
      }
      let task
      if (name == 'my') {
        // Alipay: Promise<result> & RequestTask. Callers that only use callbacks never see
        // its rejection: keep the fake from reporting it as unhandled.
        task = Object.assign(done, { abort: methods.abort })
        done.catch(() => {})
      } else {
        done.catch(() => {})
        task = name == 'dd' ? { abort: methods.abort } : methods
      }
      p.tasks.push(task)
      return task
    },
    store
  }
  if (alipay) {
    p.getStorageSync = (o) => {
      if (!o || typeof o.key != 'string') throw new TypeError('getStorageSync:fail invalid key')
      return { data: store.has(o.key) ? store.get(o.key) : null }
    }
    p.setStorageSync = (o) => {
      if (!o || typeof o.key != 'string') throw new TypeError('setStorageSync:fail invalid key')
      store.set(o.key, o.data)
      return { success: true }
    }
  } else {
    p.getStorageSync = (key) => {
      if (typeof key != 'string') throw new TypeError('getStorageSync:fail parameter error: parameter.key should be String')
      return store.has(key) ? store.get(key) : ''
    }
    p.setStorageSync = (key, data) => {
      if (typeof key != 'string') throw new TypeError('setStorageSync:fail parameter error: parameter.key should be String')
      store.set(key, data)
    }
  }
  if (name == 'wx') {
    // wx.getRandomValues({ length, success }): answers on a later turn with an ArrayBuffer.
    // Answered by the test (p.answerRandom), so it decides when the platform's bytes arrive.
    p.randomCalls = []
    p.getRandomValues = (o) => { p.randomCalls.push(o) }
    p.answerRandom = (bytes) => {
      for (const o of p.randomCalls.splice(0)) {
        const b = new Uint8Array(o.length)
        b.set(bytes(o.length))
        const r = { randomValues: b.buffer, errMsg: 'getRandomValues:ok' }
        o.success && o.success(r)
        o.complete && o.complete(r)
      }
    }
  }
  return p
}

// WXWebAssembly (lib.wx.wasm.d.ts): instantiate(path, imports?) -> Promise<Instance>, only a
// path of a file in the package (files: package path -> file's path in this repository), never
// bytes.
export function fakeWXWebAssembly(files) {
  const W = saved.WebAssembly
  const fake = {
    calls: [],
    batches: 0,
    gate: null, // a promise instantiate waits for, so a test decides when the module is ready
    instantiate(path, imports) {
      fake.calls.push(path)
      if (typeof path != 'string') return Promise.reject(new TypeError('WXWebAssembly.instantiate: path must be a string'))
      // fake.last: the pending load, for tests to await instead of guessing a delay
      return fake.last = Promise.resolve(fake.gate).then(() => {
        if (!files[path]) throw new Error(`WXWebAssembly.instantiate:fail file not found: ${path}`)
        // The exports as the SDK gets them, each batch of ids counted: which engine runs.
        return W.instantiate(repoFile(files[path]), imports || {}).then((r) => {
          const ex = r.instance.exports
          return { exports: { ...ex, tw_batch: (...a) => (fake.batches++, ex.tw_batch(...a)) } }
        })
      })
    }
  }
  return fake
}

// The global free variables a mini-program runtime provides; install returns an undo.
export function install(vars) {
  const before = Object.keys(vars).map((k) => [k, Object.getOwnPropertyDescriptor(globalThis, k)])
  Object.assign(globalThis, vars)
  return () => before.forEach(([k, d]) => d ? Object.defineProperty(globalThis, k, d) : delete globalThis[k])
}

// crypto.getRandomValues as Web Crypto specifies it: an integer typed array of at most 65,536
// bytes, filled in place and returned; anything else throws. The calls are counted; the bytes
// come from Math.random, since a test of the SDK's choice of source only asks which one it used.
export function fakeCrypto() {
  const c = {
    calls: 0,
    getRandomValues(b) {
      c.calls++
      const integer = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, BigInt64Array, BigUint64Array]
      if (!integer.some((T) => b instanceof T)) throw new TypeError("Failed to execute 'getRandomValues' on 'Crypto': not an integer typed array")
      if (b.byteLength > 65536) throw new RangeError(`Failed to execute 'getRandomValues' on 'Crypto': ${b.byteLength} bytes is more than 65536`)
      const bytes = new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.random() * 256
      return b
    }
  }
  return c
}
