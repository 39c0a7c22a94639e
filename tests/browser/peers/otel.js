// OpenTelemetry's web tracing as an application installs it: a WebTracerProvider (W3C trace
// context and baggage propagation, the default) and the real fetch and XMLHttpRequest
// instrumentations. Spans stay in the page (an in-memory exporter): nothing leaves 127.0.0.1.
import { WebTracerProvider, SimpleSpanProcessor, InMemorySpanExporter } from '@opentelemetry/sdk-trace-web'
import { registerInstrumentations } from '@opentelemetry/instrumentation'
import { FetchInstrumentation } from '@opentelemetry/instrumentation-fetch'
import { XMLHttpRequestInstrumentation } from '@opentelemetry/instrumentation-xml-http-request'

const exporter = new InMemorySpanExporter()

window.Peer = {
  name: 'OpenTelemetry',
  start() {
    const provider = new WebTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
    provider.register()
    registerInstrumentations({ instrumentations: [new FetchInstrumentation(), new XMLHttpRequestInstrumentation()] })
  },
  // Its client spans: the traceparent it sends carries the span's own ids.
  spans: () => exporter.getFinishedSpans().map((s) => ({
    traceId: s.spanContext().traceId, spanId: s.spanContext().spanId,
    url: s.attributes['http.url'] || s.attributes['url.full'],
  })),
}
