// Self-contained: js/index.d.ts names the DOM's URL, and a mini-program project compiles
// without the DOM library. These five types are those of js/index.d.ts (see there for more).

/** `tracecontext` (traceparent, tracestate), `b3`, `b3multi` (X-B3-*), `jaeger` (uber-trace-id), `sw8` (alone when listed). */
export type PropagatorType = 'tracecontext' | 'b3' | 'b3multi' | 'jaeger' | 'sw8'
/** A URL prefix (an origin alone must equal the URL's origin), a RegExp, or a function of the absolute URL. */
export type MatchOption = string | RegExp | ((url: string) => boolean)
/** A rule that sends its own formats: `{ match: 'https://legacy.example.com', propagatorTypes: 'b3' }`. */
export interface AllowedUrl {
  match: MatchOption
  propagatorTypes?: PropagatorType | PropagatorType[]
}
/** What to trace and how: `{ sample: 20, allowedUrls: ['https://api.example.com'] }`. */
export interface TracingConfig {
  /** `false` turns tracing off. Default `true`. */
  enable?: boolean
  /** Percent (0–100) of traced requests marked sampled. Default `100`. */
  sample?: number
  /** Send `tracestate: rum=2&miniapp&{pid}&{session}` with `traceparent`. Default `true`. */
  tracestate?: boolean
  /** Send `baggage: rum.pid=…,rum.sid=…,rum.app=miniapp`. Default `false`. */
  baggage?: boolean
  /** Formats to send. Default `['tracecontext']`. */
  propagatorTypes?: PropagatorType | PropagatorType[]
  /** Rules tried in order; the first match decides. Mini programs trace nothing else. Default `[]`. */
  allowedUrls?: Array<MatchOption | AllowedUrl>
}
/** `true` for all defaults, `false` (or absent) for off, or a config. */
export type Tracing = boolean | TracingConfig

/**
 * A mini-program platform object: `wx`, `my`, `dd`, `tt`, `swan`, `qq`, or one with the same
 * `request` (a host app's `wx` handed to a plugin).
 *
 * ```js
 * TraceWire.init({ pid: 'shop-mini', platform: wx, tracing: { allowedUrls: ['https://api.example.com'] } })
 * ```
 */
export interface MiniProgramPlatform {
  /** The platform's request: patched by `init`, called by the handle's `request`. */
  request(options: any): any
  /** Keeps the session id (`wx` style `(key)`, or Alipay and DingTalk style `({ key })`). */
  getStorageSync?: Function
  setStorageSync?: Function
  /** WeChat's asynchronous entropy source: seeds trace ids when present. */
  getRandomValues?: Function
}

/**
 * Options of the mini-program `init`.
 *
 * ```js
 * TraceWire.init({ pid: 'shop-mini', tracing: { allowedUrls: ['https://api.example.com'] } })
 * ```
 */
export interface MiniProgramInitOptions {
  /** Your application id: in `tracestate`, `baggage` and as the sw8 service. */
  pid: string
  /** Tracing config. Mini programs have no same-origin rule: only `allowedUrls` are traced. */
  tracing?: Tracing
  /** Your application version: the sw8 service instance. Default `'1.0.0'`. */
  version?: string
  /**
   * OTLP/HTTP collector base URL. When set, each sampled traced request is also a client span
   * `miniapp.request:{METHOD} {url}` with the ids of its headers, sent as OTLP JSON to
   * `{endpoint}/v1/traces` through the platform's own request (never traced itself), in batches
   * within 5 s and at once when the app goes to the background. Add the collector's domain to
   * the mini program's request domain list. Absent: no spans, headers only.
   */
  endpoint?: string
  /** The platform object, or its name. Default: the first of `dd`, `qq`, `tt`, `swan`, `my`, `wx` that exists. */
  platform?: MiniProgramPlatform | 'wx' | 'my' | 'dd' | 'tt' | 'swan' | 'qq'
  /** WeChat: package path of the .wasm for `WXWebAssembly`, or `false` to keep the JavaScript engine. Default `'/miniprogram_npm/tracewire/tracewire.wasm'`. */
  wasm?: string | false
}

/**
 * What the mini-program `init` returns.
 *
 * ```js
 * const tw = TraceWire.init({ pid: 'shop-mini', tracing: { allowedUrls: ['https://api.example.com'] } })
 * tw.request({ url: 'https://api.example.com/v1/cart', success(res) {} }) // traced even where wx.request cannot be patched
 * tw.stop()
 * ```
 */
export interface MiniProgramHandle {
  /** The platform's request, traced: same options, callbacks and returned task. After `stop()`, untraced. */
  request(options: any): any
  /** Stops tracing and restores the platform's request where nothing wrapped it since. */
  stop(): void
}

/**
 * Adds trace headers to the platform's requests that match `tracing.allowedUrls`. Never throws.
 *
 * ```js
 * import TraceWire from 'tracewire/miniprogram'
 * TraceWire.init({ pid: 'shop-mini', tracing: { allowedUrls: ['https://api.example.com'] } })
 * ```
 *
 * @param options The application id, the tracing config and, optionally, the platform object.
 * @returns A handle with a traced `request` and `stop()`.
 */
export function init(options: MiniProgramInitOptions): MiniProgramHandle

declare const TraceWire: {
  init: typeof init
}
export default TraceWire
