// npm run bench, Node half.
import { runBench } from './cases.js'

console.log(`Node ${process.version}: ns per request (lower is better), speedup = OpenTelemetry / tracewire`)
console.table(runBench())
