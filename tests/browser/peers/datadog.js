// Datadog RUM with distributed tracing to the page's own origin (allowedTracingUrls; the default
// propagators, datadog and tracecontext). Its intake is a path on the test's second origin
// (proxy), so whatever it sends stays on 127.0.0.1; telemetry and replay are off.
import { datadogRum } from '@datadog/browser-rum'

window.Peer = {
  name: 'Datadog',
  start({ intake }) {
    datadogRum.init({
      applicationId: '00000000-0000-4000-8000-000000000000',
      clientToken: 'pub00000000000000000000000000000000',
      site: 'datadoghq.com',
      proxy: intake,
      service: 'tracers-test',
      allowedTracingUrls: [location.origin],
      sessionSampleRate: 100,
      sessionReplaySampleRate: 0,
      telemetrySampleRate: 0,
      trackUserInteractions: false,
      trackLongTasks: false,
    })
  },
}
