// cstr.mjs - C string literals for the generated test tables (gen-vectors.mjs, gen-url-table.mjs).
//
// Strings are emitted as UTF-8 bytes with their exact length, so NUL bytes and non-ASCII text
// survive, and everything outside printable ASCII becomes a 3-digit octal escape (a hex escape
// would swallow a following hex digit).  '?' is escaped too: -std=c99 turns "??=" into '#'.

/** `{ "literal", length }` for a JS string (UTF-8) or a Buffer; `{ 0, 0 }` for null. */
export function cstr(value) {
  if (value === null || value === undefined) return '{ 0, 0 }';
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'utf8');
  return `{ ${literal(bytes)}, ${bytes.length} }`;
}

/** A bare C string literal, split into pieces of about 100 bytes. */
export function literal(bytes) {
  if (!Buffer.isBuffer(bytes)) bytes = Buffer.from(String(bytes), 'utf8');
  const pieces = [];
  let cur = '';
  let count = 0;
  for (const b of bytes) {
    if (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c && b !== 0x3f) cur += String.fromCharCode(b);
    else cur += '\\' + b.toString(8).padStart(3, '0');
    if (++count % 100 === 0) {
      pieces.push(`"${cur}"`);
      cur = '';
    }
  }
  if (cur !== '' || pieces.length === 0) pieces.push(`"${cur}"`);
  return pieces.join(' ');
}
