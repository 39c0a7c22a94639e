// Random bytes for engine seeds and session ids. SPEC §5: from crypto.getRandomValues, or
// Math.random (with one warning) only where no cryptographic source exists.
import { warn } from './log.js'

const weak = (n) => Uint8Array.from({ length: n }, () => Math.random() * 256)

export function random(n) {
  try {
    return crypto.getRandomValues(new Uint8Array(n))
  } catch (e) {
    warn('crypto.getRandomValues failed; using Math.random')
    return weak(n)
  }
}

// Bytes as lower-case hex, two digits each.
export const hex = (bytes) => Array.from(bytes, (b) => (b | 256).toString(16).slice(1)).join('')

// 16 bytes of rnd as 32 lower-case hex characters; rnd(n) may answer null (no source).
export const randomHex = (rnd = random) => hex(rnd(16) || weak(16))
