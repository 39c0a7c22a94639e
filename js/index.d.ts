/**
 * A trace-context format that tracewire can write into a request.
 *
 * ```js
 * TraceWire.init({ pid: 'shop-web', tracing: { propagatorTypes: ['tracecontext', 'b3'] } })
 * ```
 *
 * - `tracecontext`: W3C `traceparent` (and `tracestate` unless turned off)
 * - `b3`: Zipkin B3 single header `b3`
 * - `b3multi`: Zipkin `X-B3-TraceId`, `X-B3-SpanId`, `X-B3-Sampled`
 * - `jaeger`: `uber-trace-id`
 * - `sw8`: SkyWalking `sw8`; when listed, the only one sent
 */
export type PropagatorType = 'tracecontext' | 'b3' | 'b3multi' | 'jaeger' | 'sw8'

/**
 * Which request URLs a rule traces. Every matcher sees the absolute URL.
 *
 * ```js
 * allowedUrls: ['https://api.example.com', /\/graphql$/, (url) => url.includes('/v2/')]
 * ```
 *
 * - string: the URL starts with it; an origin alone (`'https://api.example.com'`) must equal
 *   the URL's origin. Relative strings resolve against the page.
 * - RegExp: `test` on the URL.
 * - function: called with the URL; a throw counts as no match.
 */
export type MatchOption = string | RegExp | ((url: string) => boolean)

/**
 * A rule that sends its own formats to the URLs it matches.
 *
 * ```js
 * allowedUrls: [{ match: 'https://legacy.example.com', propagatorTypes: 'b3' }]
 * ```
 */
export interface AllowedUrl {
  /** The URLs this rule traces. */
  match: MatchOption
  /** Formats for these URLs; absent or empty: the top-level `propagatorTypes`. */
  propagatorTypes?: PropagatorType | PropagatorType[]
}

/**
 * What to trace and how. Invalid fields fall back to their default with one console warning.
 *
 * ```js
 * { sample: 20, propagatorTypes: ['tracecontext', 'b3multi'], allowedUrls: ['https://api.example.com'] }
 * ```
 */
export interface TracingConfig {
  /** `false` turns tracing off. Default `true`. */
  enable?: boolean
  /** Percent (0–100) of traced requests marked sampled. Default `100`. */
  sample?: number
  /** Send `tracestate: rum=2&{app}&{pid}&{session}` with `traceparent`. Default `true`. */
  tracestate?: boolean
  /** Send `baggage: rum.pid=…,rum.sid=…,rum.app=…` with any format. Default `false`. */
  baggage?: boolean
  /** Formats to send. Default `['tracecontext']`. */
  propagatorTypes?: PropagatorType | PropagatorType[]
  /** Rules tried in order, then (web) the page's own origin; the first match decides. Default `[]`. */
  allowedUrls?: Array<MatchOption | AllowedUrl>
  /** Web: when a cross-origin backend's CORS refuses the trace headers, send the request again without them and leave that origin untraced for the session, with one warning. Default `true`. */
  corsGuard?: boolean
}

/**
 * The `tracing` option: `true` for all defaults, `false` (or absent) for off, or a config.
 *
 * ```js
 * TraceWire.init({ pid: 'shop-web', tracing: true })
 * ```
 */
export type Tracing = boolean | TracingConfig

/**
 * Options of `init`.
 *
 * ```js
 * TraceWire.init({ pid: 'shop-web', version: '2.4.0', tracing: true })
 * ```
 */
export interface InitOptions {
  /** Your application id: in `tracestate`, `baggage` and as the sw8 service. */
  pid: string
  /** Tracing config; absent or `false`: nothing is traced. */
  tracing?: Tracing
  /** Your application version: the sw8 service instance. Default `'1.0.0'`. */
  version?: string
  /**
   * OTLP/HTTP collector base URL. When set, each sampled traced request is also a client span
   * `browser.request:{METHOD} {url}` with the ids of its headers, POSTed as OTLP JSON to
   * `{endpoint}/v1/traces` in batches (within 5 s; with `sendBeacon` when the page is hidden).
   * The collector must allow the page's origin (CORS, `Content-Type: application/json`).
   * Absent: no spans, headers only.
   *
   * ```js
   * TraceWire.init({ pid: 'shop-web', endpoint: 'https://collector.example.com:4318', tracing: true })
   * ```
   */
  endpoint?: string
}

/**
 * Options of `createTracer`: those of `init`, plus what a page would otherwise supply.
 *
 * ```js
 * createTracer({ pid: 'shop-web', baseURI: 'https://shop.example.com/', tracing: true })
 * ```
 */
export interface TracerOptions {
  /** Your application id: in `tracestate`, `baggage` and as the sw8 service. */
  pid: string
  /** Tracing config; absent or `false`: nothing is traced. */
  tracing?: Tracing
  /** Your application version: the sw8 service instance. Default `'1.0.0'`. */
  version?: string
  /** The page URL: resolves relative URLs and adds the same-origin rule. Absent: no such rule. */
  baseURI?: string
  /** `'web'` or `'miniapp'`, as written in `tracestate` and `baggage`. Default `'web'`. */
  appType?: 'web' | 'miniapp'
  /** The RUM session id. Default: one random id for the tracer's lifetime. */
  sessionId?: string
  /** The sw8 endpoint. Default: the path of `baseURI`, else `'/'`. */
  page?: string
}

/**
 * What a traced request gets: its ids and the headers to add to it.
 *
 * ```js
 * { traceId: '4bf9…', spanId: '00f0…', sampled: true, headers: { traceparent: '00-4bf9…-00f0…-01' } }
 * ```
 */
export interface TraceContext {
  /** 32 lower-case hex characters. */
  traceId: string
  /** 16 lower-case hex characters. */
  spanId: string
  /** Whether the request is sampled (the flag in every header). */
  sampled: boolean
  /** Header name → value, to add to the request as they are. */
  headers: Record<string, string>
}

/**
 * Decides, per request, whether to trace it and with which headers.
 *
 * ```js
 * const t = tracer.headers('https://api.example.com/v1/items', { method: 'GET' })
 * if (t) Object.assign(request.headers, t.headers)
 * ```
 */
export interface Tracer {
  /** A new trace for this URL, or `null` when no rule matches (send the request untouched). */
  headers(url: string | URL, options?: { method?: string }): TraceContext | null
}

/**
 * What `init` returns.
 *
 * ```js
 * const handle = TraceWire.init({ pid: 'shop-web', tracing: true })
 * handle.stop()
 * ```
 */
export interface Handle {
  /** Stops tracing and restores fetch and XMLHttpRequest where nothing wrapped them since. */
  stop(): void
}

/**
 * Adds trace headers to the page's fetch and XMLHttpRequest requests. Never throws.
 *
 * ```js
 * import TraceWire from 'tracewire'
 * const handle = TraceWire.init({ pid: 'shop-web', tracing: { allowedUrls: ['https://api.example.com'] } })
 * ```
 *
 * @param options The application id and the tracing config.
 * @returns A handle whose `stop()` undoes it.
 */
export function init(options: InitOptions): Handle

/**
 * A tracer for any HTTP client (axios, uni.request, server-side rendering). Patches nothing.
 *
 * ```js
 * import { createTracer } from 'tracewire'
 * const tracer = createTracer({ pid: 'shop-web', baseURI: location.href, tracing: true })
 * axios.interceptors.request.use((config) => {
 *   const t = tracer.headers(new URL(config.url, config.baseURL || location.href), { method: config.method })
 *   if (t) Object.assign(config.headers, t.headers)
 *   return config
 * })
 * ```
 *
 * @param options The application id, the tracing config and the page context.
 * @returns A tracer whose `headers(url)` answers the headers for one request.
 */
export function createTracer(options: TracerOptions): Tracer

/**
 * The header names a tracing config can send, for a backend's `Access-Control-Allow-Headers`.
 *
 * ```js
 * import { corsHeaders } from 'tracewire'
 * corsHeaders({ propagatorTypes: ['tracecontext', 'b3'] }) //=> ['traceparent', 'tracestate', 'b3']
 * ```
 *
 * @param tracing A `tracing` option.
 * @returns Lower-case header names; empty when tracing is off.
 */
export function corsHeaders(tracing?: Tracing): string[]

declare const TraceWire: {
  init: typeof init
  createTracer: typeof createTracer
  corsHeaders: typeof corsHeaders
}
export default TraceWire
