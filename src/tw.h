/* tw.h - the whole C API of the tracewire tracing engine.
 *
 * Everything here is pure computation over caller-owned memory: no allocation, no I/O, no
 * state kept between calls (the single static instance lives in wasm.c, the only
 * Emscripten-aware file).  The formatters and tw_url_resolve/tw_url_peer share one static
 * scratch writer, and the id formatters tables built on their first use, which keeps the wasm
 * module small (SPEC §5): call them from one thread at a time, not from signal handlers.
 * Formatters follow one rule: tw_fmt_x(dst, cap, ...) writes into dst[0..cap) and returns the
 * exact number of bytes written, or 0 when cap is too small (nothing useful is then in dst),
 * so calls compose as n += tw_fmt_x(dst + n, cap - n, ...).  Outputs are never
 * NUL-terminated.  Strings in are (pointer, length) pairs of UTF-8 bytes; any byte values are
 * accepted and no input can overflow, trap or abort. */
#ifndef TW_H
#define TW_H

#include <stddef.h>
#include <stdint.h>
#include "tw_config.h"

/* ---------------------------------------------------------------- ids (ids.c) */

/* Exact lengths of the hex forms (SPEC §3). */
#define TW_TRACE_ID_HEX 32
#define TW_SPAN_ID_HEX 16
#define TW_SEGMENT_ID_HEX 32

/* xoshiro128++: 128 bits of state, 32-bit arithmetic only, so the wasm2js build of the engine
 * stays small and fast (SPEC §5).  The host seeds it with cryptographic bytes. */
typedef struct tw_rng {
    uint32_t s[4];
} tw_rng;

typedef struct tw_ids {
    uint8_t trace[16];
    uint8_t span[8];
    uint8_t segment[16]; /* sw8 segment id */
} tw_ids;

/* Mixes n seed bytes into the generator's state (any n, including 0; calling it again
 * reseeds without losing the entropy already there).  The state never ends up all-zero. */
void tw_rng_seed(tw_rng *rng, const uint8_t *seed, size_t n);

/* Next 32 random bits. */
uint32_t tw_rng_next(tw_rng *rng);

/* Fills ids with fresh random ids; trace, span and segment ids are never all-zero
 * (W3C trace-context forbids the all-zero trace and parent ids). */
void tw_ids_next(tw_rng *rng, tw_ids *ids);

/* Writes 2n lower-case hex digits of src[0..n) to dst.  dst must hold 2n bytes. */
void tw_hex(char *dst, const uint8_t *src, size_t n);

/* -------------------------------------------------------------- sampling (sample.c) */

/* Consistent probability sampling threshold (SPEC §3): a trace is sampled iff R >= T, where
 * R is the trace id's last 56 bits and T = ceil((1 - percent/100) * 2^56), held as hi = T div
 * 2^32 (up to 2^24, for percent 0) and lo = T mod 2^32.  Both are whole numbers kept in
 * doubles, which hold them exactly: the comparison then needs neither 64-bit integers nor
 * float-to-int conversions (SPEC §5: wasm2js emulates the former slowly). */
typedef struct tw_threshold {
    double hi, lo;
} tw_threshold;

/* Threshold for percent in [0, 100]; anything else (NaN, out of range) counts as 100, the
 * SPEC §2 default.  percent 100 gives T = 0 (always), percent 0 gives T = 2^56 (never). */
tw_threshold tw_sample_threshold(double percent);

/* 1 when the trace id is sampled under t, else 0. */
int tw_sampled(const uint8_t trace[16], tw_threshold t);

/* ------------------------------------------------------------------- urls (url.c) */

/* Resolves ref against base the way the URL standard does for http and https, and writes the
 * normalised absolute URL: scheme and host lower-cased, default port dropped, userinfo
 * dropped, dot segments removed, backslashes read as slashes, and path, query and fragment
 * percent-encoded with the standard's encode sets.  base must be a URL this function
 * produced, or empty (then only absolute refs resolve).
 * Hosts are kept as written where the standard would rewrite or refuse them for their
 * number or IPv6 form (127.1, 0x7f.1, [0:0::1], 1.2.3.4.5): no table is spent on them.
 * Returns the length written, or 0 when the result is not an http(s) URL (data:, blob:,
 * about:, javascript:, mailto: ...), cannot be parsed (empty or non-ASCII host, bad port,
 * tab or newline inside), or does not fit in cap -- counting the URL as built before its dot
 * segments are removed; cap = base_len + 3 * ref_len + 8 always suffices.  A 0 means "do not
 * trace". */
size_t tw_url_resolve(char *dst, size_t cap, const char *base, size_t base_len,
                      const char *ref, size_t ref_len);

/* Length of the origin ("scheme://host[:port]") at the start of a normalised URL, or 0 when
 * url is not one. */
size_t tw_url_origin_len(const char *url, size_t len);

/* Writes the sw8 peer of a normalised URL: its "host:port", the scheme's default port
 * written out (SkyWalking's meaning of peer is the target address).  Returns the length, or
 * 0 when url is not normalised or cap is too small. */
size_t tw_url_peer(char *dst, size_t cap, const char *url, size_t len);

/* A rule set is one byte string: entries of [length: 2 bytes, little-endian][bytes].  The
 * first entry is the base URL (possibly empty), the others are string rules, each already
 * normalised by tw_url_resolve (an origin-only rule such as "https://api.example.com" then
 * reads "https://api.example.com/", which is exactly SPEC §2's origin boundary).
 * tw_rules_match returns the index (0 = first rule after the base) of the first rule that is
 * a prefix of the normalised url, or -1.  A truncated or overlong entry ends the set. */
int tw_rules_match(const uint8_t *set, size_t set_len, const char *url, size_t url_len);

/* The base entry of a rule set; sets *len (0 when the set is empty or malformed). */
const char *tw_rules_base(const uint8_t *set, size_t set_len, size_t *len);

/* ----------------------------------------------------------- formatting (fmt.c) */

/* Exact lengths of the id-dependent header values (SPEC §3).  b3 and uber-trace-id are the
 * traceparent's two hex ids in another order, so the host slices them from it. */
#define TW_TRACEPARENT_LEN 55 /* 00-{32}-{16}-0{s} */
#define TW_SW8_IDS_LEN 94     /* {s}-{b64 44}-{b64 44}-0- */

/* Record parts, for tw_fmt_record: the sw8 ids head after the traceparent. */
#define TW_REC_SW8 4

/* Standard base64 (RFC 4648, with padding) of src[0..n). */
#define TW_B64_LEN(n) (((n) + 2) / 3 * 4)
size_t tw_b64(char *dst, size_t cap, const uint8_t *src, size_t n);

/* tracestate field escaping (SPEC §3): bytes outside 0x21-0x7E and each of , = & % become
 * %XX with upper-case hex; the rest is copied.  At most 3n bytes. */
size_t tw_esc_tracestate(char *dst, size_t cap, const uint8_t *src, size_t n);

/* baggage value escaping, like encodeURIComponent over UTF-8 bytes: A-Z a-z 0-9 - _ . ! ~ *
 * ' ( ) are copied, every other byte becomes %XX.  At most 3n bytes. */
size_t tw_esc_uri(char *dst, size_t cap, const uint8_t *src, size_t n);

/* "00-{trace}-{span}-0{s}" */
size_t tw_fmt_traceparent(char *dst, size_t cap, const tw_ids *ids, int sampled);

/* The id-dependent head of sw8: "{s}-{b64 trace hex}-{b64 segment hex}-0-". */
size_t tw_fmt_sw8_ids(char *dst, size_t cap, const tw_ids *ids, int sampled);

/* The request-independent middle of sw8: "{b64 service}-{b64 instance}-{b64 endpoint}-".
 * An empty instance stands for "1.0.0" (SPEC §3). */
size_t tw_fmt_sw8_ctx(char *dst, size_t cap, const uint8_t *service, size_t service_len,
                      const uint8_t *instance, size_t instance_len,
                      const uint8_t *endpoint, size_t endpoint_len);

/* The whole sw8 value: ids head + ctx middle + b64 of the peer of a normalised url. */
size_t tw_fmt_sw8(char *dst, size_t cap, const tw_ids *ids, int sampled,
                  const uint8_t *service, size_t service_len,
                  const uint8_t *instance, size_t instance_len,
                  const uint8_t *endpoint, size_t endpoint_len,
                  const char *url, size_t url_len);

/* One id record: the traceparent, then with TW_REC_SW8 in parts the sw8 ids head, each at its
 * exact length.  The host slices records without parsing them. */
size_t tw_record_len(unsigned parts);
size_t tw_fmt_record(char *dst, size_t cap, const tw_ids *ids, int sampled, unsigned parts);

/* appType for the context formatters. */
#define TW_APP_WEB 0
#define TW_APP_MINIAPP 1

/* The tracestate list member "rum=2&{app}&{pid}&{sid}" (SPEC §3), fields escaped.  Returns 0
 * also when the member's value would exceed TW_TRACESTATE_VALUE_MAX: then leave tracestate
 * out. */
size_t tw_fmt_tracestate(char *dst, size_t cap, int app, const uint8_t *pid, size_t pid_len,
                         const uint8_t *sid, size_t sid_len);

/* "rum.pid={pid},rum.sid={sid},rum.app={app}", values URI-escaped.  Returns 0 also when the
 * header would exceed TW_BAGGAGE_MAX: then leave baggage out. */
size_t tw_fmt_baggage(char *dst, size_t cap, int app, const uint8_t *pid, size_t pid_len,
                      const uint8_t *sid, size_t sid_len);

#endif
