#!/usr/bin/env node
// gen-url-table.mjs - writes tests/c/url_table.h, the URL cases tests/c/test_engine.c replays
// through tw_url_resolve, tw_url_origin_len and tw_url_peer.
//
//   node tests/c/gen-url-table.mjs          (rewrites tests/c/url_table.h; commit the result)
//
// The expected strings come from Node's WHATWG URL parser, reduced to what tw.h promises:
// only http(s) results, userinfo dropped, refs with a tab or newline inside and non-ASCII hosts
// refused (model() below).  Hand-written cases state their expectation explicitly and the
// generator stops when Node disagrees, so the table cannot drift from the standard silently.
// The C binary never runs Node: the table is committed.
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cstr, literal } from './cstr.mjs';

const out = resolve(dirname(fileURLToPath(import.meta.url)), 'url_table.h');
const RANDOM_CASES = 2000;

// ------------------------------------------------------------------ the model of tw.h

const C0_OR_SPACE = /^[\x00-\x20]+|[\x00-\x20]+$/g;

/** Where the ref's host comes from: {host} (raw "host[:port]" text), {relative} (the base's),
 * {none} (no base), {other} (not http(s)).  A small mirror of the standard's state machine,
 * only used to classify cases, never to compute an expectation. */
function rawAuthority(base, ref) {
  let s = ref.replace(C0_OR_SPACE, '');
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(s);
  const baseScheme = base ? base.slice(0, base.indexOf(':')) : null;
  let authority = false;
  if (m) {
    const scheme = m[1].toLowerCase();
    if (scheme !== 'http' && scheme !== 'https') return { other: true };
    s = s.slice(m[0].length);
    authority = scheme !== baseScheme;
  } else if (!base) {
    return { none: true };
  }
  if (/^[/\\]{2}/.test(s)) authority = true;
  if (!authority) return { relative: true };
  const a = s.replace(/^[/\\]+/, '').split(/[/\\?#]/)[0];
  return { host: a.slice(a.lastIndexOf('@') + 1) };
}

/** The URL tw_url_resolve must produce, or null for 0. */
function model(base, ref) {
  const s = ref.replace(C0_OR_SPACE, '');
  if (/[\t\n\r]/.test(s)) return null; // tw.h: "tab or newline inside" is refused
  let u;
  try {
    u = base ? new URL(s, base) : new URL(s);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  const a = rawAuthority(base, ref);
  if (a.host !== undefined && /[^\x00-\x7f]/.test(a.host)) return null; // IDNA: refused
  u.username = '';
  u.password = '';
  return u;
}

// ------------------------------------------------------------------ hand-written cases

const B = 'http://example.com/a/b/c?q=1#frag';
const BS = 'https://example.com/a/b/c?q=1#frag';
const hand = [];
/** A case: resolving ref against base gives expect (null: 0).  mayRefuse: the engine may also
 * answer 0, because the standard's answer needs tables tw.h lets it leave out (IPv4 number
 * forms, IPv6 compression, percent-encoded or non-LDH ASCII hosts). */
function H(why, base, ref, expect, mayRefuse = false) {
  hand.push({ why, base, ref, expect, mayRefuse });
}
/** A documented deviation (README, "URLs the engine does not trace"): the engine keeps the
 * host as written where the standard would rewrite it (IPv4 number forms, IPv6 compression)
 * or refuse it (invalid IPv6 or punycode); kept is what the engine answers.  These hosts never
 * match a rule written in the canonical form, so they go untraced, and the invalid ones make
 * the browser refuse the request itself. */
function K(why, base, ref, kept) {
  hand.push({ why, base, ref, kept, mayRefuse: true });
}

H('a relative path resolves against the base directory', B, 'api/x', 'http://example.com/a/b/api/x');
H('"./x" stays in the base directory', B, './x', 'http://example.com/a/b/x');
H('"../x" goes one directory up', B, '../x', 'http://example.com/a/x');
H('".." cannot climb above the root', B, '../../../../x', 'http://example.com/x');
H('"?q" keeps the base path and replaces the query', B, '?q', 'http://example.com/a/b/c?q');
H('"#f" keeps path and query and replaces the fragment', B, '#f', 'http://example.com/a/b/c?q=1#f');
H('an empty ref gives the base without its fragment', B, '', 'http://example.com/a/b/c?q=1');
H('blanks only count as an empty ref', B, '  ', 'http://example.com/a/b/c?q=1');
H('"?" alone gives an empty query', B, '?', 'http://example.com/a/b/c?');
H('"#" alone gives an empty fragment', B, '#', 'http://example.com/a/b/c?q=1#');
H('"." names the base directory', B, '.', 'http://example.com/a/b/');
H('".." names the parent directory', B, '..', 'http://example.com/a/');
H('".." against a root base stays at the root', 'http://example.com/', '..', 'http://example.com/');
H('a relative ref keeps its own query and fragment', B, 'x?y#z', 'http://example.com/a/b/x?y#z');
H('a scheme-relative ref takes the base scheme (http)', B, '//host/x', 'http://host/x');
H('a scheme-relative ref takes the base scheme (https)', BS, '//host/x', 'https://host/x');
H('an absolute path replaces the base path', B, '/x', 'http://example.com/x');
H('a single backslash reads as a slash', B, '\\x', 'http://example.com/x');
H('two backslashes start an authority', B, '\\\\x', 'http://x/');
H('mixed slashes start an authority', B, '/\\x/y', 'http://x/y');
H('three slashes still start an authority', B, '///x', 'http://x/');
H('"//" alone has an empty host', B, '//', null);
H('"http:x" against an http base is a relative path', B, 'http:x', 'http://example.com/a/b/x');
H('"http:x" against an https base names host x', BS, 'http:x', 'http://x/');
H('"https:x" against an https base is a relative path', BS, 'https:x', 'https://example.com/a/b/x');
H('"https:x" against an http base names host x', B, 'https:x', 'https://x/');
H('"http:/x" against an http base is an absolute path', B, 'http:/x', 'http://example.com/x');
H('"http:/x" against an https base names host x', BS, 'http:/x', 'http://x/');
H('"http:" against an http base is the base without fragment', B, 'http:', 'http://example.com/a/b/c?q=1');
H('"http:" against an https base has no host', BS, 'http:', null);
H('an absolute ref ignores the base', B, 'HTTP://OTHER/', 'http://other/');
H('scheme and host are lower-cased, the default port dropped, path case kept', '', 'HTTPS://API.Example.COM:443/A', 'https://api.example.com/A');
H('a port with leading zeros is read as a number', '', 'http://a:0080/', 'http://a/');
H('a non-default port is kept and the empty path becomes "/"', '', 'http://a:8080', 'http://a:8080/');
H('the largest port is kept', '', 'http://a:65535/', 'http://a:65535/');
H('port 0 is kept', '', 'http://a:0/', 'http://a:0/');
H('many leading zeros still make port 0', '', 'http://a:000/', 'http://a:0/');
H('an empty port is dropped', '', 'http://a:/', 'http://a/');
H('https drops 443', '', 'https://a:443/', 'https://a/');
H('https keeps 80', '', 'https://a:80/', 'https://a:80/');
H('http keeps 443', '', 'http://a:443/', 'http://a:443/');
H('a port above 65535 is refused', '', 'http://a:65536/', null);
H('a port far above 65535 is refused', '', 'http://a:99999999999999999999/', null);
H('a non-numeric port is refused', '', 'http://a:x/', null);
H('a negative port is refused', '', 'http://a:-1/', null);
H('userinfo is dropped', '', 'http://user:pw@a/', 'http://a/');
H('an empty userinfo is dropped', '', 'http://@a/', 'http://a/');
H('the last "@" ends the userinfo', '', 'http://a@b@c/', 'http://c/');
H('userinfo without a host is refused', '', 'http://a@/', null);
H('an IPv6 literal with a port is kept', '', 'http://[::1]:8080/x', 'http://[::1]:8080/x');
H('an IPv6 literal is lower-cased', '', 'http://[::A]/', 'http://[::a]/');
H('an unclosed IPv6 literal is refused', '', 'http://[::1/', null);
H('an empty IPv6 literal is refused', '', 'http://[]/', null);
H('text after an IPv6 literal is refused', '', 'http://[::1]x/', null);
K('an IPv6 literal is kept as written, not re-compressed', '', 'http://[0:0::1]/', 'http://[0:0::1]/');
K('an IPv6 literal with too many colons is kept as written (the browser refuses it)', '', 'http://[:::]/', 'http://[:::]/');
K('a bare IPv4 address in brackets is kept as written (the browser refuses it)', '', 'http://[1.2.3.4]/', 'http://[1.2.3.4]/');
H('a non-hex letter in an IPv6 literal is refused', '', 'http://[::g]/', null);
H('a backtick in an IPv6 literal is refused', '', 'http://[::1`]/', null);
H('an IPv6 zone id is refused', '', 'http://[fe80::1%25eth0]/', null);
H('a space in an IPv6 literal is refused', '', 'http://[::1 ]/', null);
H('a non-ASCII host is refused', '', 'http://é.com/', null);
H('a non-ASCII host in a relative authority is refused', B, '//例え.jp/x', null);
H('a punycode host is kept', '', 'http://xn--9ca.com/', 'http://xn--9ca.com/', true);
K('an invalid punycode label is kept as written (the browser refuses it)', '', 'http://xn--a/', 'http://xn--a/');
H('a percent-encoded host is decoded', '', 'http://%41.com/', 'http://a.com/', true);
H('a space in the host is refused', '', 'http://a b/', null);
H('"<" in the host is refused', '', 'http://a<b/', null);
H('"!" in the host is allowed by the standard', '', 'http://a!b/', 'http://a!b/', true);
H('"_" in the host is kept', '', 'http://a_b.c/', 'http://a_b.c/');
H('an empty label in the host is kept', '', 'http://a..b/', 'http://a..b/');
H('a dotted-decimal IPv4 host is kept', '', 'http://127.0.0.1:8080/', 'http://127.0.0.1:8080/');
K('a short IPv4 host is kept as written, not rewritten', '', 'http://127.1/', 'http://127.1/');
K('a hexadecimal IPv4 host is kept as written, not rewritten', '', 'http://0x7f.1/', 'http://0x7f.1/');
K('an IPv4 host with a trailing dot keeps the dot', '', 'http://1.2.3.4./', 'http://1.2.3.4./');
K('host "0" is kept as written', '', 'http://0/', 'http://0/');
K('a host ending in a number that is no IPv4 address is kept as written (the browser refuses it)', '', 'http://a.1/', 'http://a.1/');
K('an IPv4 part above 255 is kept as written (the browser refuses it)', '', 'http://999.1.1.1/', 'http://999.1.1.1/');
K('five IPv4 parts are kept as written (the browser refuses it)', '', 'http://1.2.3.4.5/', 'http://1.2.3.4.5/');
H('spaces are percent-encoded in path, query and fragment', '', 'http://a/b c?d e#f g', 'http://a/b%20c?d%20e#f%20g');
H('"%2e%2E" is a ".." segment', '', 'http://a/%2e%2E/x', 'http://a/x');
H('".%2E" is a ".." segment', '', 'http://a/b/.%2E/x', 'http://a/x');
H('"%2e" is a "." segment', '', 'http://a/b/%2e/x', 'http://a/b/x');
H('"..." is an ordinary segment', '', 'http://a/.../x', 'http://a/.../x');
H('"%2e%2e%2e" is an ordinary segment', '', 'http://a/%2e%2e%2e/x', 'http://a/%2e%2e%2e/x');
H('a trailing ".." leaves a trailing slash', '', 'http://a/b/..', 'http://a/');
H('a trailing "." leaves a trailing slash', '', 'http://a/b/.', 'http://a/b/');
H('".." removes an empty segment', '', 'http://a//..', 'http://a/');
H('empty segments are kept', '', 'http://a//x', 'http://a//x');
H('".." in an absolute URL cannot climb above the root', '', 'http://a/../../x', 'http://a/x');
H('backslashes in the path read as slashes', '', 'http:\\\\x\\y', 'http://x/y');
H('an origin-only URL gets the path "/"', '', 'http://a', 'http://a/');
H('a query right after the host gets the path "/"', '', 'http://a?x', 'http://a/?x');
H('a fragment right after the host gets the path "/"', '', 'http://a#x', 'http://a/#x');
H('broken percent escapes are copied', '', 'http://a/%zz%2', 'http://a/%zz%2');
H('non-ASCII path, query and fragment are UTF-8 percent-encoded', '', 'http://a/é?é#é', 'http://a/%C3%A9?%C3%A9#%C3%A9');
H('a single quote is encoded in the query only', '', "http://a/'?'#'", "http://a/'?%27#'");
H('"#" inside a fragment is kept', '', 'http://a/#a#b', 'http://a/#a#b');
H('backslashes in query and fragment are kept', '', 'http://a/?\\#\\', 'http://a/?\\#\\');
H('data: is never traced', '', 'data:text/plain,x', null);
H('blob: is never traced', '', 'blob:https://a/0f6c6b3e', null);
H('about:blank is never traced', '', 'about:blank', null);
H('javascript: is never traced', '', 'javascript:x', null);
H('javascript: is never traced, even with a base', B, 'javascript:alert(1)', null);
H('mailto: is never traced', '', 'mailto:x', null);
H('ws: is never traced', '', 'ws://a/', null);
H('ftp: is never traced', '', 'ftp://a/', null);
H('file: is never traced', '', 'file:///x', null);
H('a one-letter scheme is not http', B, 'c:x', null);
H('a relative path with no base is refused', '', 'x', null);
H('an absolute path with no base is refused', '', '/x', null);
H('a scheme-relative ref with no base is refused', '', '//a/x', null);
H('an empty ref with no base is refused', '', '', null);
H('blanks with no base are refused', '', ' \x01 ', null);
H('"http://" has no host', '', 'http://', null);
H('"http:" with no base has no host', '', 'http:', null);
H('"https://" has no host', '', 'https://', null);
H('a tab inside is refused', '', 'http://a/b\tc', null);
H('a line feed inside is refused', '', 'http://a/\nx', null);
H('a carriage return inside is refused', '', 'http://a\r/', null);
H('a tab inside a relative ref is refused', B, 'x\ty', null);
H('a carriage return in the path is refused', '', 'http://a/b\rc', null);
H('a line feed in the query is refused', '', 'http://a/?b\nc', null);
H('a carriage return in a relative ref is refused', B, 'x\ry', null);
H('leading and trailing spaces and C0 controls are trimmed', '', '  \x01http://a/x \x1f ', 'http://a/x');
H('a leading NUL is trimmed', '', '\x00http://a/', 'http://a/');
H('a leading tab and trailing newline are trimmed', '', '\thttp://a/\n', 'http://a/');
H('controls inside are percent-encoded', '', 'http://a/x\x01y?\x01#\x01z', 'http://a/x%01y?%01#%01z');
H('DEL in the path is percent-encoded', '', 'http://a/x\x7fy', 'http://a/x%7Fy');
H('a relative ref starting with a digit has no scheme', B, '1http:x', 'http://example.com/a/b/1http:x');
H('a colon after an invalid scheme character is part of the path', B, 'ht%tp:x', 'http://example.com/a/b/ht%tp:x');
H('a backtick cannot be in a scheme, so "a`b:x" is a path', B, 'a`b:x', 'http://example.com/a/b/a%60b:x');
H('an underscore cannot be in a scheme, so "h_t:x" is a path', B, 'h_t:x', 'http://example.com/a/b/h_t:x');
H('"+", "-" and "." can be in a scheme, so "a+b-c.d:x" is not http', B, 'a+b-c.d:x', null);
H('a base with an IPv6 host resolves relative paths', 'http://[::1]:8080/x/y', 'z', 'http://[::1]:8080/x/z');
H('a base with a port resolves scheme-relative refs without it', 'https://a:8443/x', '//b/y', 'https://b/y');

// Every ASCII byte in path, query and fragment: the three percent-encode sets (URL standard).
for (let c = 0; c < 0x80; c++) {
  if (c === 0x09 || c === 0x0a || c === 0x0d) continue; // refused, checked above
  const ch = String.fromCharCode(c);
  const hex = c.toString(16).toUpperCase().padStart(2, '0');
  if (!'/\\?#'.includes(ch)) H(`byte 0x${hex} in a path`, '', `http://a/x${ch}y`, undefined);
  if (ch !== '#') H(`byte 0x${hex} in a query`, '', `http://a/?x${ch}y`, undefined);
  H(`byte 0x${hex} in a fragment`, '', `http://a/#x${ch}y`, undefined);
}

// ------------------------------------------------------------------ random cases

// mulberry32: a fixed seed keeps the committed table reproducible.
let seed = 0x7ace1;
function rnd() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (a) => a[Math.floor(rnd() * a.length)];

const BASES = ['', 'http://example.com/', B, BS, 'https://api.example.com:8443/v1/items/?id=7',
  'http://[::1]:8080/x/y/', 'https://h/a%20b/c', 'http://h/a/b/'];
const LEADS = ['', '', '', ' ', '\x01 ', '\x00', '\x1f'];
const SCHEMES = ['', '', '', 'http:', 'https:', 'HTTP:', 'hTtPs:'];
const AUTHS = ['', '', '', '//example.com', '//EXAMPLE.com:80', '//a:8080', '//a:0443', '\\\\b.c',
  '///x', '//u:p@h', '//h:', '//[::1]', '//[::1]:443', '//a.b-c_d', '/\\Api.Example.COM:8443'];
const SEGS = ['a', 'B', '.', '..', '%2e', '%2E%2e', '.%2e', '...', '', 'é', '商', ' ', '"', '<', '>',
  '`', '{', '}', '|', '^', "'", '%', '%41', ';', '=', '@', ':', '~', '\x01', '\x7f', '[', ']', 'x y',
  'index.html', '!$&()*+,'];
const QCHARS = ["'", '"', '<', '>', ' ', '`', '{', '}', 'é', '?', '/', '\\', '%', '&', '=', 'a', 'Z',
  '\x01', '\x7f', '^', '|', '#'];

function randomRef() {
  const auth = pick(AUTHS);
  let path = '';
  const nseg = Math.floor(rnd() * 5);
  for (let i = 0; i < nseg; i++) path += (i || auth || rnd() < 0.5 ? pick(['/', '/', '/', '\\']) : '') + pick(SEGS);
  if (auth && path && !/^[/\\]/.test(path)) path = '/' + path;
  let tail = '';
  if (rnd() < 0.4) {
    tail += '?';
    for (let n = Math.floor(rnd() * 4); n > 0; n--) tail += pick(QCHARS);
  }
  if (rnd() < 0.3) {
    tail += '#';
    for (let n = Math.floor(rnd() * 4); n > 0; n--) tail += pick(QCHARS);
  }
  return { auth, ref: pick(LEADS) + pick(SCHEMES) + auth + path + tail + pick(LEADS) };
}

const random = [];
const seen = new Set();
while (random.length < RANDOM_CASES) {
  const base = pick(BASES);
  const { auth, ref } = randomRef();
  const key = base + '\n' + ref;
  if (seen.has(key)) continue;
  const a = rawAuthority(base, ref);
  // Only cases whose host is the one chosen, and one the engine must accept: host characters
  // that need the standard's tables are the hand-written cases' business.
  if (auth === '' ? a.host !== undefined : a.host !== auth.replace(/^[/\\]+/, '').replace(/^.*@/, '')) continue;
  if (a.host !== undefined && !/^([A-Za-z0-9._-]+|\[::1\])(:\d*)?$/.test(a.host)) continue;
  seen.add(key);
  random.push({ why: `random case ${random.length}`, base, ref, expect: undefined, mayRefuse: false });
}

// ------------------------------------------------------------------ check and write

const rows = [];
let problems = 0;
for (const c of [...hand, ...random]) {
  if (c.base) {
    const b = model('', c.base);
    if (!b || b.href !== c.base) throw new Error(`base ${JSON.stringify(c.base)} is not normalised`);
  }
  const u = c.kept ? null : model(c.base, c.ref);
  const got = c.kept || (u ? u.href : null);
  if (c.expect !== undefined && got !== c.expect) {
    console.error(`gen-url-table: ${c.why}: ${JSON.stringify(c.base)} + ${JSON.stringify(c.ref)}: ` +
      `hand-written ${JSON.stringify(c.expect)}, the URL standard (Node ${process.version}) says ${JSON.stringify(got)}`);
    problems++;
  }
  let peer = u ? u.hostname + ':' + (u.port || (u.protocol === 'https:' ? '443' : '80')) : null;
  let originLength = u ? u.origin.length : 0;
  if (c.kept) { // "http://host/" as written: no port in any of these
    const host = /^https?:\/\/([^/]*)/.exec(c.kept)[1];
    peer = host + (c.kept.startsWith('https:') ? ':443' : ':80');
    originLength = c.kept.indexOf('/', 8);
  }
  rows.push(`    { ${literal(c.why)}, ${cstr(c.base)}, ${cstr(c.ref)},\n` +
    `      ${cstr(got)}, ${originLength}, ${cstr(peer)}, ${c.mayRefuse ? 1 : 0} }`);
}
if (problems) process.exit(1);

writeFileSync(out, `/* url_table.h - GENERATED by tests/c/gen-url-table.mjs with Node ${process.version}'s WHATWG URL;
 * regenerate with \`node tests/c/gen-url-table.mjs\` and commit.  ${hand.length} hand-written or
 * per-byte cases, then ${random.length} random ones (fixed seed).  expect { 0, 0 } means "returns 0". */
#ifndef TW_TEST_URL_TABLE_H
#define TW_TEST_URL_TABLE_H

#include <stddef.h>

#include "vstr.h"

typedef struct url_case {
    const char *why;
    vstr base, ref, expect;
    size_t origin_len; /* of expect */
    vstr peer;         /* sw8 peer of expect */
    int may_refuse;    /* 0 is accepted too (the standard's answer needs tables) */
} url_case;

static const url_case URL_CASES[] = {
${rows.join(',\n')}
};

#define URL_HAND_COUNT ${hand.length}
#define URL_CASE_COUNT ${rows.length}

#endif
`);
console.log(`gen-url-table: ${hand.length} hand-written, ${random.length} random cases -> ${out}`);
