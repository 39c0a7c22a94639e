// Sentry's browser SDK with browser tracing, sending W3C traceparent beside its own sentry-trace
// and baggage (propagateTraceparent), as a page that wants OpenTelemetry backends to continue its
// traces sets it up. Its transport sends nothing: events and spans stay in the page.
import * as Sentry from '@sentry/browser'

window.Peer = {
  name: 'Sentry',
  start() {
    Sentry.init({
      dsn: 'http://public@127.0.0.1:9/1', // never contacted: the transport below sends nothing
      transport: (options) => Sentry.createTransport(options, () => Promise.resolve({})),
      integrations: [Sentry.browserTracingIntegration()],
      tracesSampleRate: 1,
      propagateTraceparent: true,
    })
  },
}
