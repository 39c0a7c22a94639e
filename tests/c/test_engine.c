/* test_engine.c - native tests of the tracewire engine, through its public contract (tw.h).
 *
 * Built and run by tests/c/run.sh with ASan and UBSan.  Prints one line per failed check and
 * closes with "N passed, N failed"; exits 1 on any failure.  -v also lists the check groups.
 *
 * The tests only use tw.h: the engine's internals (tw_w.h, the file split) may change freely.
 * Inputs are copied into heap blocks of their exact size, so ASan reports any read past an
 * input, and outputs are written inside canary-filled guards, so any write past cap shows.
 *
 * Expectations come from outside the engine: the shared golden vectors (vectors.h, generated
 * from ../shared/vectors/headers.json by gen-vectors.mjs), a URL table checked against Node's
 * WHATWG URL parser (url_table.h, gen-url-table.mjs), RFC 4648's base64 vectors, xoshiro128++'s
 * reference code, exact integer arithmetic for sampling thresholds, and small reference
 * predicates written from SPEC §3's wording. */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tw.h"
#include "url_table.h"
#include "vectors.h"

/* ------------------------------------------------------------------ harness */

static unsigned long passed, failed;
static const char *group = "";
static int verbose;

static void begin(const char *name) {
    group = name;
    if (verbose) printf("-- %s\n", name);
}

/* One check: counts it, and prints a line when it fails.  Messages read as the sentence the
 * check asserts, then what was observed. */
__attribute__((format(printf, 2, 3))) static int check(int ok, const char *fmt, ...) {
    va_list ap;
    if (ok) {
        passed++;
        return 1;
    }
    failed++;
    printf("FAIL [%s] ", group);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    return 0;
}

/* A printable rendering of n bytes for messages (rotating buffers, long strings cut). */
static const char *show(const char *s, size_t n) {
    static char bufs[8][420];
    static unsigned k;
    char *b = bufs[k++ & 7];
    size_t o = 0, i;
    if (!s) return "(null)";
    b[o++] = '"';
    for (i = 0; i < n && o < 380; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') b[o++] = (char)c;
        else o += (size_t)sprintf(b + o, "\\x%02x", c);
    }
    b[o++] = '"';
    if (i < n) o += (size_t)sprintf(b + o, "...(%zu bytes)", n);
    b[o] = 0;
    return b;
}

static int same(const char *a, size_t an, const char *b, size_t bn) {
    return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

/* A heap copy of exactly n bytes: reading past it is an ASan error. */
static char *exact(const void *s, size_t n) {
    char *p = malloc(n ? n : 1);
    if (!p) abort();
    if (n) memcpy(p, s, n);
    return p;
}

/* The tests' own generator (splitmix64), independent of the engine's. */
static uint64_t test_rand_state = 0x243f6a8885a308d3ull;
static uint32_t test_rand(void) {
    uint64_t z = (test_rand_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return (uint32_t)((z ^ (z >> 31)) >> 32);
}
static void test_bytes(uint8_t *dst, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) dst[i] = (uint8_t)test_rand();
}

/* ------------------------------------------------------------------ references */

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t ref_b64(char *dst, const uint8_t *s, size_t n) {
    size_t i, o = 0;
    for (i = 0; i + 2 < n; i += 3) {
        dst[o++] = B64[s[i] >> 2];
        dst[o++] = B64[(s[i] & 3) << 4 | s[i + 1] >> 4];
        dst[o++] = B64[(s[i + 1] & 15) << 2 | s[i + 2] >> 6];
        dst[o++] = B64[s[i + 2] & 63];
    }
    if (n - i == 1) {
        dst[o++] = B64[s[i] >> 2];
        dst[o++] = B64[(s[i] & 3) << 4];
        dst[o++] = '=';
        dst[o++] = '=';
    } else if (n - i == 2) {
        dst[o++] = B64[s[i] >> 2];
        dst[o++] = B64[(s[i] & 3) << 4 | s[i + 1] >> 4];
        dst[o++] = B64[(s[i + 1] & 15) << 2];
        dst[o++] = '=';
    }
    return o;
}

static void ref_hex(char *dst, const uint8_t *s, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) sprintf(dst + 2 * i, "%02x", s[i]); /* writes one NUL past: callers leave room */
}

/* SPEC §3: tracestate fields keep 0x21-0x7E except , = & %. */
static int keep_tracestate(unsigned c) {
    return c >= 0x21 && c <= 0x7e && c != ',' && c != '=' && c != '&' && c != '%';
}
/* encodeURIComponent keeps A-Z a-z 0-9 - _ . ! ~ * ' ( ). */
static int keep_uri(unsigned c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.' || c == '!' || c == '~' || c == '*' || c == '\'' ||
           c == '(' || c == ')';
}
static size_t ref_pct(char *dst, const uint8_t *s, size_t n, int (*keep)(unsigned)) {
    size_t i, o = 0;
    for (i = 0; i < n; i++) {
        if (keep(s[i])) dst[o++] = (char)s[i];
        else o += (size_t)sprintf(dst + o, "%%%02X", s[i]);
    }
    return o;
}

/* xoshiro128++ 1.0, as published by Blackman and Vigna (prng.di.unimi.it/xoshiro128plusplus.c). */
static uint32_t ref_rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }
static void ref_step(uint32_t s[4]) {
    const uint32_t t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = ref_rotl(s[3], 11);
}
static uint32_t ref_next(uint32_t s[4]) {
    const uint32_t result = ref_rotl(s[0] + s[3], 7) + s[0];
    ref_step(s);
    return result;
}
/* ref_step undone: the state one step earlier. */
static void ref_unstep(uint32_t s[4]) {
    uint32_t m3 = (s[3] >> 11) | (s[3] << 21), s0 = s[0] ^ m3, y = s[1] ^ s[2], s1, m2;
    s1 = y ^ y << 9 ^ y << 18 ^ y << 27; /* y = s1 ^ s1 << 9 */
    m2 = s[1] ^ s1;
    s[0] = s0, s[1] = s1, s[2] = m2 ^ s0, s[3] = m3 ^ s1;
}

static int all_zero(const uint8_t *p, size_t n) {
    size_t i;
    for (i = 0; i < n; i++)
        if (p[i]) return 0;
    return 1;
}

/* ------------------------------------------------------------------ the formatter contract */

/* Every formatter behind one signature, so one checker serves them all. */
typedef struct fctx {
    const tw_ids *ids;
    int sampled, app;
    unsigned parts;
    const uint8_t *a, *b, *c;
    size_t an, bn, cn;
    const char *url; /* sw8 url, url_resolve base, url_peer url */
    size_t url_len;
} fctx;
typedef size_t (*fmt_fn)(char *dst, size_t cap, const fctx *x);

static size_t f_traceparent(char *d, size_t cap, const fctx *x) { return tw_fmt_traceparent(d, cap, x->ids, x->sampled); }
static size_t f_sw8_ids(char *d, size_t cap, const fctx *x) { return tw_fmt_sw8_ids(d, cap, x->ids, x->sampled); }
static size_t f_record(char *d, size_t cap, const fctx *x) { return tw_fmt_record(d, cap, x->ids, x->sampled, x->parts); }
static size_t f_sw8_ctx(char *d, size_t cap, const fctx *x) { return tw_fmt_sw8_ctx(d, cap, x->a, x->an, x->b, x->bn, x->c, x->cn); }
static size_t f_sw8(char *d, size_t cap, const fctx *x) {
    return tw_fmt_sw8(d, cap, x->ids, x->sampled, x->a, x->an, x->b, x->bn, x->c, x->cn, x->url, x->url_len);
}
static size_t f_tracestate(char *d, size_t cap, const fctx *x) { return tw_fmt_tracestate(d, cap, x->app, x->a, x->an, x->b, x->bn); }
static size_t f_baggage(char *d, size_t cap, const fctx *x) { return tw_fmt_baggage(d, cap, x->app, x->a, x->an, x->b, x->bn); }
static size_t f_b64(char *d, size_t cap, const fctx *x) { return tw_b64(d, cap, x->a, x->an); }
static size_t f_esc_tracestate(char *d, size_t cap, const fctx *x) { return tw_esc_tracestate(d, cap, x->a, x->an); }
static size_t f_esc_uri(char *d, size_t cap, const fctx *x) { return tw_esc_uri(d, cap, x->a, x->an); }
static size_t f_resolve(char *d, size_t cap, const fctx *x) {
    return tw_url_resolve(d, cap, x->url, x->url_len, (const char *)x->a, x->an);
}
static size_t f_peer(char *d, size_t cap, const fctx *x) { return tw_url_peer(d, cap, x->url, x->url_len); }

#define GUARD 32
#define CANARY 0xA5 /* every output is ASCII, so a formatter never writes this byte on purpose */

/* Calls f with dst = a cap-byte window between two canary guards.  Copies what lands in the
 * window to copy (if given) and says whether anything outside the window changed. */
static size_t guarded(fmt_fn f, const fctx *x, size_t cap, char *copy, int *clean) {
    unsigned char *buf = malloc(cap + 2 * GUARD);
    size_t n, i;
    if (!buf) abort();
    memset(buf, CANARY, cap + 2 * GUARD);
    n = f((char *)buf + GUARD, cap, x);
    *clean = 1;
    for (i = 0; i < GUARD; i++)
        if (buf[i] != CANARY || buf[GUARD + cap + i] != CANARY) *clean = 0;
    if (copy) memcpy(copy, buf + GUARD, n < cap ? n : cap);
    free(buf);
    return n;
}

/* tw.h's rule for every formatter: with cap >= the exact length it returns that length and
 * writes the value; with any smaller cap (cap - 1, 0 and everything between) it returns 0;
 * it never writes outside dst[0..cap). */
static void check_contract(const char *what, fmt_fn f, const fctx *x, const char *expect, size_t len) {
    char *got = malloc(len + 16);
    size_t n, cap, step, bad_cap = 0, bad_n = 0;
    int clean, bad = 0;
    if (!got) abort();
    n = guarded(f, x, len, got, &clean);
    check(n == len && same(got, n, expect, len),
          "%s with cap = its exact length %zu writes %s, got %zu bytes %s", what, len,
          show(expect, len), n, show(got, n <= len ? n : len));
    check(clean, "%s with cap = its exact length writes nothing outside dst[0..cap)", what);
    n = guarded(f, x, len + 9, got, &clean);
    check(n == len && same(got, n, expect, len) && clean,
          "%s with a larger cap returns the same %zu bytes and stays inside cap, got %zu", what, len, n);
    if (len == 0) {
        free(got);
        return;
    }
    n = guarded(f, x, len - 1, NULL, &clean);
    check(n == 0 && clean, "%s with cap = exact length - 1 returns 0 and writes nothing past cap, got %zu%s",
          what, n, clean ? "" : " and a write past cap");
    n = guarded(f, x, 0, NULL, &clean);
    check(n == 0 && clean, "%s with cap 0 returns 0 and writes nothing, got %zu%s", what, n,
          clean ? "" : " and a write");
    /* every smaller cap (a sample of them for long values, to stay fast under ASan) */
    step = len <= 600 ? 1 : len / 97;
    for (cap = 1; cap + 1 < len; cap += step) {
        n = guarded(f, x, cap, NULL, &clean);
        if ((n != 0 || !clean) && !bad++) bad_cap = cap, bad_n = n;
    }
    check(!bad, "%s returns 0 and writes nothing past cap for every cap below %zu, got %zu at cap %zu",
          what, len, bad_n, bad_cap);
    free(got);
}

/* The same rule as one yes/no answer, for tables with thousands of rows; *cap_out is the
 * first cap that broke it.  enough (>= len) is the cap that must succeed: tw_url_resolve
 * builds the URL before it removes dot segments, so tw.h promises success from
 * base_len + 3 * ref_len + 8 on, and 0 below the result's own length. */
static int contract_holds(fmt_fn f, const fctx *x, const char *expect, size_t len, size_t enough,
                          size_t *cap_out, size_t *n_out) {
    char *got = malloc(enough + 16);
    size_t caps[4], cap, n;
    int clean, i, ok = 1;
    if (!got) abort();
    caps[0] = enough, caps[1] = enough + 9, caps[2] = len ? len - 1 : 0, caps[3] = 0;
    for (i = 0; i < 4 && ok; i++) {
        cap = caps[i];
        n = guarded(f, x, cap, got, &clean);
        ok = clean && (cap >= len ? same(got, n, expect, len) : n == 0);
        *cap_out = cap, *n_out = n;
    }
    free(got);
    return ok;
}

/* ------------------------------------------------------------------ golden vectors */

static int unhex(uint8_t *dst, size_t n, vstr s) {
    size_t i;
    if (s.n != 2 * n) return 0;
    for (i = 0; i < 2 * n; i++) {
        char c = s.s[i];
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (v < 0) return 0;
        if (i & 1) dst[i / 2] |= (uint8_t)v;
        else dst[i / 2] = (uint8_t)(v << 4);
    }
    return 1;
}

static int name_eq(const char *a, size_t an, const char *b) {
    size_t i;
    if (an != strlen(b)) return 0;
    for (i = 0; i < an; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = (char)(x | 32);
        if (y >= 'A' && y <= 'Z') y = (char)(y | 32);
        if (x != y) return 0;
    }
    return 1;
}

#define OUT_HEADERS 16
#define OUT_VALUE 10000
typedef struct out_headers {
    int n;
    const char *name[OUT_HEADERS];
    char value[OUT_HEADERS][OUT_VALUE];
    size_t len[OUT_HEADERS];
} out_headers;

/* Adds a header unless its formatter said "leave it out" (0). */
static void add(out_headers *h, const char *name, size_t len) {
    if (len == 0 || h->n >= OUT_HEADERS) return;
    h->name[h->n] = name;
    h->len[h->n] = len;
    h->n++;
}
static char *slot(out_headers *h) { return h->n < OUT_HEADERS ? h->value[h->n] : h->value[OUT_HEADERS - 1]; }

/* The traceparent's trace id, span id and flag digit, from the engine's own text, put in
 * another shape (fmt: three conversions, %.32s %.16s %c). */
static size_t id_shape(char *dst, const tw_ids *ids, int sampled, const char *fmt) {
    char tp[TW_TRACEPARENT_LEN];
    if (tw_fmt_traceparent(tp, sizeof tp, ids, sampled) != sizeof tp) return 0;
    return (size_t)sprintf(dst, fmt, tp + 3, tp + 36, tp[54]);
}

/* Builds the headers of one case the way SPEC §3 assembles them from the C formatters. */
static void emit(const vec_case *v, const tw_ids *ids, out_headers *h) {
    const uint8_t *pid = (const uint8_t *)v->pid.s, *sid = (const uint8_t *)v->session_id.s;
    h->n = 0;
    if (v->propagators & VP_SW8) {
        /* SPEC §2: when the list contains sw8, only sw8 is sent (plus baggage). */
        char url[4096];
        size_t u = tw_url_resolve(url, sizeof url, "", 0, v->url.s, v->url.n);
        add(h, "sw8", u ? tw_fmt_sw8(slot(h), OUT_VALUE, ids, v->sampled, pid, v->pid.n,
                                     (const uint8_t *)v->version.s, v->version.n,
                                     (const uint8_t *)v->page.s, v->page.n, url, u) : 0);
    } else {
        if (v->propagators & VP_TRACECONTEXT) {
            add(h, "traceparent", tw_fmt_traceparent(slot(h), OUT_VALUE, ids, v->sampled));
            if (v->tracestate)
                add(h, "tracestate", tw_fmt_tracestate(slot(h), OUT_VALUE, v->app, pid, v->pid.n, sid, v->session_id.n));
        }
        /* b3 and uber-trace-id are the traceparent's ids in other shapes: the host takes
         * them from its text (js/tracer.js), and so does this test */
        if (v->propagators & VP_B3) add(h, "b3", id_shape(slot(h), ids, v->sampled, "%.32s-%.16s-%c"));
        if (v->propagators & VP_B3MULTI) {
            tw_hex(slot(h), ids->trace, 16);
            add(h, "X-B3-TraceId", TW_TRACE_ID_HEX);
            tw_hex(slot(h), ids->span, 8);
            add(h, "X-B3-SpanId", TW_SPAN_ID_HEX);
            slot(h)[0] = v->sampled ? '1' : '0';
            add(h, "X-B3-Sampled", 1);
        }
        if (v->propagators & VP_JAEGER) add(h, "uber-trace-id", id_shape(slot(h), ids, v->sampled, "%.32s:%.16s:0:%c"));
    }
    if (v->baggage) add(h, "baggage", tw_fmt_baggage(slot(h), OUT_VALUE, v->app, pid, v->pid.n, sid, v->session_id.n));
}

static void test_vectors(void) {
    static out_headers h;
    int i, j, k;
    begin("golden vectors (../shared/vectors/headers.json) replay byte for byte");
    check(VEC_COUNT > 0, "the vector file has cases");
    for (i = 0; i < VEC_COUNT; i++) {
        const vec_case *v = &VECTORS[i];
        tw_ids ids;
        char extra[512] = "";
        memset(&ids, 0, sizeof ids);
        if (!check(unhex(ids.trace, 16, v->trace_id) && unhex(ids.span, 8, v->span_id) &&
                       unhex(ids.segment, 16, v->segment_id),
                   "case \"%s\" has hex ids of 32, 16 and 32 digits", v->name))
            continue;
        emit(v, &ids, &h);
        for (j = 0; j < v->n_headers; j++) {
            const vec_header *e = &v->headers[j];
            int found = -1;
            for (k = 0; k < h.n; k++)
                if (name_eq(e->name.s, e->name.n, h.name[k])) found = k;
            check(found >= 0 && same(h.value[found], h.len[found], e->value.s, e->value.n),
                  "case \"%s\" sends %.*s: %s, got %s", v->name, (int)e->name.n, e->name.s,
                  show(e->value.s, e->value.n),
                  found < 0 ? "no such header" : show(h.value[found], h.len[found]));
        }
        for (k = 0; k < h.n; k++) {
            int listed = 0;
            for (j = 0; j < v->n_headers; j++)
                if (name_eq(v->headers[j].name.s, v->headers[j].name.n, h.name[k])) listed = 1;
            if (!listed && strlen(extra) + strlen(h.name[k]) + 2 < sizeof extra) {
                strcat(extra, " ");
                strcat(extra, h.name[k]);
            }
        }
        check(extra[0] == 0, "case \"%s\" sends no header the vector does not list, got%s", v->name, extra);
    }
}

/* ------------------------------------------------------------------ lengths, records */

/* "00-{trace}-{span}-0{s}" and friends, built with sprintf from the hex ids. */
static size_t ref_id_value(char *dst, int which, const tw_ids *ids, int s) {
    char t[33], p[17], g[33], tb[64], gb[64];
    ref_hex(t, ids->trace, 16);
    ref_hex(p, ids->span, 8);
    ref_hex(g, ids->segment, 16);
    switch (which) {
    case 0: return (size_t)sprintf(dst, "00-%s-%s-0%d", t, p, s);
    case 1: return (size_t)sprintf(dst, "%s-%s-%d", t, p, s);
    case 2: return (size_t)sprintf(dst, "%s:%s:0:%d", t, p, s);
    default:
        tb[ref_b64(tb, (const uint8_t *)t, 32)] = 0;
        gb[ref_b64(gb, (const uint8_t *)g, 32)] = 0;
        return (size_t)sprintf(dst, "%d-%s-%s-0-", s, tb, gb);
    }
}

static void test_lengths_and_records(void) {
    static const char *names[2] = {"traceparent", "the sw8 ids head"};
    static const fmt_fn fns[2] = {f_traceparent, f_sw8_ids};
    static const size_t lens[2] = {TW_TRACEPARENT_LEN, TW_SW8_IDS_LEN};
    static const int shapes[2] = {0, 3}; /* ref_id_value's */
    char want[400], got[400], cat[400];
    tw_ids ids;
    fctx x;
    int w, i, s;
    unsigned parts;
    begin("id headers have their exact TW_*_LEN lengths, records are their concatenation");
    check(TW_TRACEPARENT_LEN == 55 && TW_SW8_IDS_LEN == 94, "the length macros say 55 and 94 (SPEC §3 shapes)");
    check(TW_TRACE_ID_HEX == 32 && TW_SPAN_ID_HEX == 16 && TW_SEGMENT_ID_HEX == 32,
          "the hex id length macros say 32, 16 and 32");
    memset(&x, 0, sizeof x);
    x.ids = &ids;
    for (w = 0; w < 2; w++) {
        int bad = 0;
        size_t bad_n = 0;
        for (i = 0; i < 2000; i++) {
            test_bytes((uint8_t *)&ids, sizeof ids);
            s = i & 1;
            x.sampled = s;
            {
                size_t r = ref_id_value(want, shapes[w], &ids, s), n = fns[w](got, sizeof got, &x);
                if ((n != lens[w] || !same(got, n, want, r)) && !bad++) bad_n = n;
            }
        }
        check(!bad, "%s is exactly %zu characters of the SPEC §3 shape for 2,000 random ids, got %zu (%d wrong)",
              names[w], lens[w], bad_n, bad);
    }
    /* sampled is a flag: any non-zero value means 1 */
    test_bytes((uint8_t *)&ids, sizeof ids);
    check(tw_fmt_traceparent(got, sizeof got, &ids, 7) == 55 && got[54] == '1',
          "a non-zero sampled value other than 1 still writes the flag 01");

    for (parts = 0; parts <= TW_REC_SW8; parts += TW_REC_SW8) {
        size_t len = TW_TRACEPARENT_LEN + (parts & TW_REC_SW8 ? TW_SW8_IDS_LEN : 0);
        size_t n = 0, cap = sizeof cat;
        char what[64];
        test_bytes((uint8_t *)&ids, sizeof ids);
        x.sampled = (int)(test_rand() & 1);
        x.parts = parts;
        check(tw_record_len(parts) == len, "tw_record_len(%u) is %zu, got %zu", parts, len, tw_record_len(parts));
        /* composed exactly as tw.h suggests: n += fmt(dst + n, cap - n, ...) */
        n += tw_fmt_traceparent(cat + n, cap - n, &ids, x.sampled);
        if (parts & TW_REC_SW8) n += tw_fmt_sw8_ids(cat + n, cap - n, &ids, x.sampled);
        check(n == len, "composing the parts of record %u with n += fmt(dst + n, cap - n) gives %zu bytes, got %zu",
              parts, len, n);
        sprintf(what, "tw_fmt_record(parts %u)", parts);
        check_contract(what, f_record, &x, cat, n);
    }
    /* the record parts of the first golden vector are the vector's own header values */
    if (VEC_COUNT > 0) {
        const vec_case *v = &VECTORS[0];
        int j;
        memset(&ids, 0, sizeof ids);
        unhex(ids.trace, 16, v->trace_id), unhex(ids.span, 8, v->span_id), unhex(ids.segment, 16, v->segment_id);
        tw_fmt_record(got, sizeof got, &ids, v->sampled, TW_REC_SW8);
        for (j = 0; j < v->n_headers; j++)
            if (name_eq(v->headers[j].name.s, v->headers[j].name.n, "traceparent"))
                check(same(got, 55, v->headers[j].value.s, v->headers[j].value.n),
                      "a record starts with the vector's traceparent %s, got %s",
                      show(v->headers[j].value.s, v->headers[j].value.n), show(got, 55));
    }
}

/* ------------------------------------------------------------------ contract of each formatter */

static void test_formatter_contract(void) {
    static uint8_t all[256];
    char want[2048];
    tw_ids ids;
    fctx x;
    size_t n, m;
    int i;
    begin("every formatter: exact cap works, exact - 1 and 0 return 0, nothing written past cap");
    for (i = 0; i < 256; i++) all[i] = (uint8_t)i;
    memset(&x, 0, sizeof x);
    memset(&ids, 0, sizeof ids);
    test_bytes((uint8_t *)&ids, sizeof ids);
    x.ids = &ids;
    x.sampled = 1;

    ref_id_value(want, 0, &ids, 1), check_contract("traceparent", f_traceparent, &x, want, 55);
    ref_id_value(want, 3, &ids, 1), check_contract("sw8 ids head", f_sw8_ids, &x, want, 94);

    x.a = (const uint8_t *)"your-pid", x.an = 8;
    x.b = (const uint8_t *)"2.4.1", x.bn = 5;
    x.c = (const uint8_t *)"/商品/详情", x.cn = strlen("/商品/详情");
    n = ref_b64(want, x.a, x.an), want[n++] = '-';
    n += ref_b64(want + n, x.b, x.bn), want[n++] = '-';
    n += ref_b64(want + n, x.c, x.cn), want[n++] = '-';
    check_contract("sw8 context middle", f_sw8_ctx, &x, want, n);

    /* sw8 = ids head + context middle + b64(peer), peer with the default port written out */
    x.url = "https://api.example.com/v1?x", x.url_len = strlen(x.url);
    m = ref_id_value(want, 3, &ids, 1);
    m += tw_fmt_sw8_ctx(want + m, sizeof want - m, x.a, x.an, x.b, x.bn, x.c, x.cn);
    m += ref_b64(want + m, (const uint8_t *)"api.example.com:443", 19);
    check_contract("sw8", f_sw8, &x, want, m);

    x.app = TW_APP_MINIAPP;
    x.a = (const uint8_t *)"a,b=c&d 50%", x.an = 11;
    x.b = (const uint8_t *)"s\xc3\xa9", x.bn = 3;
    n = (size_t)sprintf(want, "rum=2&miniapp&a%%2Cb%%3Dc%%26d%%2050%%25&s%%C3%%A9");
    check_contract("tracestate", f_tracestate, &x, want, n);
    x.app = TW_APP_WEB;
    n = (size_t)sprintf(want, "rum.pid=a%%2Cb%%3Dc%%26d%%2050%%25,rum.sid=s%%C3%%A9,rum.app=web");
    check_contract("baggage", f_baggage, &x, want, n);

    x.a = all, x.an = 256;
    check_contract("base64 of the 256 byte values", f_b64, &x, want, ref_b64(want, all, 256));
    check_contract("tracestate escaping of the 256 byte values", f_esc_tracestate, &x, want,
                   ref_pct(want, all, 256, keep_tracestate));
    check_contract("URI escaping of the 256 byte values", f_esc_uri, &x, want, ref_pct(want, all, 256, keep_uri));

    x.url = "http://example.com/a/b", x.url_len = strlen(x.url);
    x.a = (const uint8_t *)"../c/./d?e f#g", x.an = strlen((const char *)x.a);
    check_contract("a resolved URL", f_resolve, &x, "http://example.com/c/d?e%20f#g", 30);
    x.url = "http://[::1]:8081/x", x.url_len = strlen(x.url);
    check_contract("an sw8 peer", f_peer, &x, "[::1]:8081", 10);
}

/* ------------------------------------------------------------------ base64 */

static void test_base64(void) {
    static const char *rfc[7][2] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                                    {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                                    {"foobar", "Zm9vYmFy"}};
    char got[400], want[400];
    uint8_t in[200];
    fctx x;
    size_t n, i;
    int bad = 0;
    begin("base64 is RFC 4648 with padding");
    memset(&x, 0, sizeof x);
    for (i = 0; i < 7; i++) {
        char what[64];
        char *src = exact(rfc[i][0], strlen(rfc[i][0]));
        x.a = (const uint8_t *)src, x.an = strlen(rfc[i][0]);
        n = tw_b64(got, sizeof got, x.a, x.an);
        check(same(got, n, rfc[i][1], strlen(rfc[i][1])), "base64(\"%s\") is \"%s\" (RFC 4648 §10), got %s",
              rfc[i][0], rfc[i][1], show(got, n));
        sprintf(what, "base64(\"%s\")", rfc[i][0]);
        check_contract(what, f_b64, &x, rfc[i][1], strlen(rfc[i][1]));
        free(src);
    }
    for (i = 0; i <= 150; i++) {
        char *src;
        test_bytes(in, i);
        src = exact(in, i);
        n = tw_b64(got, sizeof got, (const uint8_t *)src, i);
        if ((n != TW_B64_LEN(i) || !same(got, n, want, ref_b64(want, in, i))) && !bad++)
            check(0, "base64 of %zu random bytes is TW_B64_LEN = %zu characters of the reference encoding, got %zu %s",
                  i, (size_t)TW_B64_LEN(i), n, show(got, n));
        free(src);
    }
    check(!bad, "base64 of 0..150 random bytes matches the reference encoding and TW_B64_LEN");
}

/* ------------------------------------------------------------------ escaping */

static void test_escaping(void) {
    char got[8], want[8];
    uint8_t b;
    unsigned c;
    size_t n, w;
    begin("escaping: every byte 0..255 against SPEC §3's predicates, upper-case hex");
    for (c = 0; c < 256; c++) {
        b = (uint8_t)c;
        n = tw_esc_tracestate(got, sizeof got, &b, 1);
        w = ref_pct(want, &b, 1, keep_tracestate);
        check(same(got, n, want, w), "tracestate escaping %s byte 0x%02X: %s, got %s",
              keep_tracestate(c) ? "keeps" : "percent-encodes", c, show(want, w), show(got, n));
        n = tw_esc_uri(got, sizeof got, &b, 1);
        w = ref_pct(want, &b, 1, keep_uri);
        check(same(got, n, want, w), "URI escaping %s byte 0x%02X: %s, got %s",
              keep_uri(c) ? "keeps" : "percent-encodes", c, show(want, w), show(got, n));
    }
    {
        static uint8_t many[3000];
        static char out[9001];
        memset(many, 0xE5, sizeof many);
        check(tw_esc_tracestate(out, sizeof out, many, sizeof many) == 9000 &&
                  tw_esc_uri(out, sizeof out, many, sizeof many) == 9000,
              "escaping n bytes that all need it writes exactly 3n bytes (tw.h's bound)");
        check(tw_esc_tracestate(out, 8999, many, sizeof many) == 0 && tw_esc_uri(out, 8999, many, sizeof many) == 0,
              "escaping into a cap one short of 3n returns 0");
        check(tw_esc_uri(out, 0, many, 0) == 0 && tw_esc_tracestate(out, 0, many, 0) == 0,
              "escaping nothing returns 0 bytes");
    }
}

/* ------------------------------------------------------------------ tracestate / baggage limits */

static void fill_pid(uint8_t *pid, size_t plain, size_t commas) {
    memset(pid, ',', commas);
    memset(pid + commas, 'p', plain);
}

static void test_context_limits(void) {
    static uint8_t pid[9000];
    static char out[30000];
    static const char *apps[2] = {"web", "miniapp"};
    const uint8_t *sid = (const uint8_t *)"session-id";
    size_t sid_n = 10, n, fixed, target;
    int app;
    char a[64], b[64];
    begin("tracestate value at most 256 characters, baggage at most 8192 bytes, sw8 defaults");
    for (app = 0; app < 2; app++) {
        /* value "2&{app}&{pid}&{sid}": 4 + app + escaped pid + sid characters */
        fixed = 4 + strlen(apps[app]) + sid_n;
        target = TW_TRACESTATE_VALUE_MAX - fixed;
        fill_pid(pid, target, 0);
        n = tw_fmt_tracestate(out, sizeof out, app, pid, target, sid, sid_n);
        check(n == 4 + 256, "a %s tracestate whose value is exactly 256 characters is produced (260 bytes with \"rum=\"), got %zu",
              apps[app], n);
        fill_pid(pid, target + 1, 0);
        n = tw_fmt_tracestate(out, sizeof out, app, pid, target + 1, sid, sid_n);
        check(n == 0, "a %s tracestate whose value would be 257 characters is left out (0), got %zu", apps[app], n);
        /* the limit counts escaped characters: commas become %2C */
        fill_pid(pid, target - 3 * (target / 3 - 1), target / 3 - 1);
        n = tw_fmt_tracestate(out, sizeof out, app, pid, target - 2 * (target / 3 - 1), sid, sid_n);
        check(n == 260, "a %s tracestate of exactly 256 characters after escaping is produced, got %zu", apps[app], n);
        fill_pid(pid, target - 3 * (target / 3 - 1) + 1, target / 3 - 1);
        n = tw_fmt_tracestate(out, sizeof out, app, pid, target - 2 * (target / 3 - 1) + 1, sid, sid_n);
        check(n == 0, "a %s tracestate of 257 characters after escaping is left out, got %zu", apps[app], n);

        /* baggage "rum.pid={pid},rum.sid={sid},rum.app={app}": 26 + pid + sid + app bytes */
        fixed = 26 + sid_n + strlen(apps[app]);
        target = TW_BAGGAGE_MAX - fixed;
        fill_pid(pid, target, 0);
        n = tw_fmt_baggage(out, sizeof out, app, pid, target, sid, sid_n);
        check(n == TW_BAGGAGE_MAX, "a %s baggage header of exactly 8192 bytes is produced, got %zu", apps[app], n);
        fill_pid(pid, target + 1, 0);
        n = tw_fmt_baggage(out, sizeof out, app, pid, target + 1, sid, sid_n);
        check(n == 0, "a %s baggage header of 8193 bytes is left out (0), got %zu", apps[app], n);
        fill_pid(pid, target - 3 * 100, 100);
        n = tw_fmt_baggage(out, sizeof out, app, pid, target - 200, sid, sid_n);
        check(n == TW_BAGGAGE_MAX, "a %s baggage header of exactly 8192 bytes after escaping is produced, got %zu", apps[app], n);
        fill_pid(pid, target - 3 * 100 + 1, 100);
        n = tw_fmt_baggage(out, sizeof out, app, pid, target - 200 + 1, sid, sid_n);
        check(n == 0, "a %s baggage header of 8193 bytes after escaping is left out, got %zu", apps[app], n);
    }
    check(TW_TRACESTATE_VALUE_MAX == 256 && TW_BAGGAGE_MAX == 8192, "the limits are W3C's 256 and 8192");

    /* SPEC §3: instance is the version or "1.0.0" */
    {
        size_t x = tw_fmt_sw8_ctx(a, sizeof a, (const uint8_t *)"p", 1, (const uint8_t *)"", 0, (const uint8_t *)"/", 1);
        size_t y = tw_fmt_sw8_ctx(b, sizeof b, (const uint8_t *)"p", 1, (const uint8_t *)"1.0.0", 5, (const uint8_t *)"/", 1);
        check(x && same(a, x, b, y), "an empty sw8 instance stands for \"1.0.0\": %s, got %s", show(b, y), show(a, x));
        x = tw_fmt_sw8_ctx(a, sizeof a, (const uint8_t *)"", 0, (const uint8_t *)"v", 1, (const uint8_t *)"", 0);
        check(same(a, x, "-dg==--", 7), "empty service and endpoint are empty base64 fields: \"-dg==--\", got %s", show(a, x));
    }
    /* tw_fmt_sw8 needs a normalised URL for its peer */
    {
        static const char *bad[] = {"", "ftp://a/", "http://a", "http:/a/", "a/b", "https//a/"};
        tw_ids ids;
        unsigned i;
        memset(&ids, 1, sizeof ids);
        for (i = 0; i < sizeof bad / sizeof *bad; i++) {
            char *u = exact(bad[i], strlen(bad[i]));
            n = tw_fmt_sw8(out, sizeof out, &ids, 1, (const uint8_t *)"p", 1, (const uint8_t *)"", 0,
                           (const uint8_t *)"/", 1, u, strlen(bad[i]));
            check(n == 0, "sw8 for the non-normalised URL %s is left out (0), got %zu", show(bad[i], strlen(bad[i])), n);
            free(u);
        }
    }
    /* the longest peer: a 255-byte host and a 5-digit port */
    {
        char url[300], want[1024], peer[300];
        tw_ids ids;
        size_t u, m, p;
        memset(&ids, 0x5c, sizeof ids);
        memcpy(url, "http://", 7);
        memset(url + 7, 'h', 255);
        memcpy(url + 262, ":65535/", 7);
        u = 269;
        p = tw_url_peer(peer, sizeof peer, url, u);
        check(p == 261 && p == TW_PEER_MAX, "the peer of a 255-byte host with port 65535 is TW_PEER_MAX = 261 bytes, got %zu", p);
        m = tw_fmt_sw8_ids(want, sizeof want, &ids, 0);
        m += tw_fmt_sw8_ctx(want + m, sizeof want - m, (const uint8_t *)"p", 1, (const uint8_t *)"", 0, (const uint8_t *)"/", 1);
        m += ref_b64(want + m, (const uint8_t *)url + 7, 261);
        n = tw_fmt_sw8(out, sizeof out, &ids, 0, (const uint8_t *)"p", 1, (const uint8_t *)"", 0, (const uint8_t *)"/", 1, url, u);
        check(same(out, n, want, m), "sw8 with the longest peer is head + middle + base64(peer), %zu bytes, got %zu", m, n);
    }
}

/* ------------------------------------------------------------------ rng */

static void seeded(tw_rng *r, const uint8_t *seed, size_t n) {
    memset(r, 0, sizeof *r);
    tw_rng_seed(r, seed, n);
}
static int streams_equal(tw_rng a, tw_rng b, int count) {
    int i, eq = 1;
    for (i = 0; i < count; i++)
        if (tw_rng_next(&a) != tw_rng_next(&b)) eq = 0;
    return eq;
}

static int cmp64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void test_rng(void) {
    static const uint32_t states[3][4] = {{1, 2, 3, 4}, {0x9e3779b9u, 0, 0, 0}, {0xdeadbeefu, 0x01234567u, 0x89abcdefu, 0xfeedfaceu}};
    uint8_t s1[32], s2[32], zeros[32] = {0};
    tw_rng a, b, c;
    int i, k, bad;
    begin("rng: xoshiro128++, deterministic seeding, reseeding keeps entropy, never stuck");
    for (k = 0; k < 3; k++) {
        uint32_t ref[4];
        memcpy(ref, states[k], sizeof ref);
        memcpy(a.s, states[k], sizeof ref);
        bad = 0;
        for (i = 0; i < 1000; i++)
            if (tw_rng_next(&a) != ref_next(ref)) bad++;
        check(!bad, "tw_rng_next is xoshiro128++ (reference code) from state %d: %d of 1000 outputs differ", k, bad);
    }
    test_bytes(s1, sizeof s1);
    seeded(&a, s1, sizeof s1);
    seeded(&b, s1, sizeof s1);
    check(streams_equal(a, b, 256), "seeding with the same bytes gives the same sequence");
    bad = -1;
    for (i = 0; i < 32; i++) {
        memcpy(s2, s1, sizeof s2);
        s2[i] ^= 1;
        seeded(&b, s2, sizeof s2);
        if (streams_equal(a, b, 8) && bad < 0) bad = i;
    }
    check(bad < 0, "seeds that differ in one bit give different sequences (same sequence when byte %d differs)", bad);
    bad = -1;
    for (i = 0; i < 256; i++) {
        tw_rng x = a;
        memcpy(s2, s1, sizeof s2);
        s2[i >> 3] ^= (uint8_t)(1u << (i & 7));
        seeded(&b, s2, sizeof s2);
        if (tw_rng_next(&b) == tw_rng_next(&x) && bad < 0) bad = i;
    }
    check(bad < 0, "a one-bit change anywhere in the seed already changes the first output (not at seed bit %d)", bad);
    {
        /* 300,000 seeds into a 128-bit state: 64-bit stream heads never collide (a state that
         * kept only 32 bits of the seed would collide about ten times). */
        static uint64_t heads[300000];
        uint8_t sd[16];
        int dups = 0;
        for (i = 0; i < 300000; i++) {
            test_bytes(sd, sizeof sd);
            seeded(&b, sd, sizeof sd);
            heads[i] = (uint64_t)tw_rng_next(&b) << 32 | tw_rng_next(&b);
        }
        qsort(heads, 300000, sizeof *heads, cmp64);
        for (i = 1; i < 300000; i++) dups += heads[i] == heads[i - 1];
        check(!dups, "seeding keeps more than 32 bits: 300,000 seeds give 300,000 different stream heads, got %d repeats", dups);
    }
    seeded(&b, s1, 16);
    check(!streams_equal(a, b, 8), "a shorter seed gives a different sequence");

    /* reseeding: a, then s2 on top, differs from s2 alone and from a continuing */
    test_bytes(s2, sizeof s2);
    c = a;
    tw_rng_seed(&c, s2, sizeof s2);
    seeded(&b, s2, sizeof s2);
    check(!streams_equal(c, b, 8), "reseeding keeps the entropy already there (differs from the new seed alone)");
    check(!streams_equal(c, a, 8), "reseeding changes the stream");
    c = a;
    tw_rng_seed(&c, s1, 0);
    check(c.s[0] | c.s[1] | c.s[2] | c.s[3], "reseeding with no bytes leaves a usable state");

    seeded(&a, zeros, sizeof zeros);
    check((a.s[0] | a.s[1] | a.s[2] | a.s[3]) != 0, "an all-zero seed does not leave the all-zero state");
    {
        uint32_t first = tw_rng_next(&a), x = 0, differ = 0;
        for (i = 0; i < 64; i++) x |= tw_rng_next(&a), differ |= (tw_rng_next(&a) != first);
        check(x != 0 && differ, "an all-zero seed still gives a changing, non-zero stream");
    }
    seeded(&a, zeros, 0);
    check((a.s[0] | a.s[1] | a.s[2] | a.s[3]) != 0 && tw_rng_next(&a) | tw_rng_next(&a),
          "seeding a zeroed generator with no bytes at all gives a working generator");
    /* A previous state and one seed byte that the current mixing (the byte xored into the
     * state) would turn into all-zero; whatever the mixing, the contract holds: the state
     * never ends up all-zero. */
    a.s[0] = 0x5a, a.s[1] = a.s[2] = a.s[3] = 0;
    tw_rng_seed(&a, (const uint8_t *)"\x5a", 1);
    check((a.s[0] | a.s[1] | a.s[2] | a.s[3]) != 0 && (tw_rng_next(&a) | tw_rng_next(&a)),
          "a seed that would zero the state still leaves a working generator");
}

/* ------------------------------------------------------------------ ids */

/* A non-zero xoshiro128++ state whose outputs k and k+1 are both zero (an all-zero 8-byte id
 * drawn as two words): output j is rotl(s0 + s3, 7) + s0, zero when s0 = s3 = 0, and the state
 * (0, 0, x, 0) steps to (0, x, x, 0), so both draw zero; stepped back k times, it draws them at
 * k and k + 1. */
static int zero_pair_state(int k, uint32_t out[4]) {
    int i;
    out[0] = out[1] = out[3] = 0, out[2] = 0x2545f491u;
    for (i = 0; i < k; i++) ref_unstep(out);
    return 1;
}

static int cmp16(const void *a, const void *b) { return memcmp(a, b, 16); }

static void test_ids(void) {
    static uint8_t traces[200000][16];
    static unsigned bits[128];
    tw_rng r;
    tw_ids ids;
    long i;
    int k, zero = 0, dup = 0, skew = -1;
    uint8_t seed[32];
    char hex[80];
    begin("ids: never all-zero, unique, balanced bits, lower-case hex");
    test_bytes(seed, sizeof seed);
    seeded(&r, seed, sizeof seed);
    for (i = 0; i < 1000000; i++) {
        tw_ids_next(&r, &ids);
        if (all_zero(ids.trace, 16) || all_zero(ids.span, 8) || all_zero(ids.segment, 16)) zero++;
        if (i < 200000) memcpy(traces[i], ids.trace, 16);
        if (i < 100000)
            for (k = 0; k < 128; k++) bits[k] += ids.trace[k >> 3] >> (k & 7) & 1;
    }
    check(!zero, "no trace, span or segment id is all-zero over 1,000,000 draws, got %d", zero);
    qsort(traces, 200000, 16, cmp16);
    for (i = 1; i < 200000; i++) dup += !memcmp(traces[i - 1], traces[i], 16);
    check(!dup, "200,000 trace ids have no collision, got %d", dup);
    for (k = 0; k < 128; k++)
        if (bits[k] < 48500 || bits[k] > 51500) skew = k;
    check(skew < 0, "every trace id bit is set in 50%% +- 1.5%% of 100,000 ids (bit %d: %u)", skew,
          skew < 0 ? 0u : bits[skew]);

    /* force the redraw: states that draw two zero words at every position an 8-byte id could
     * take in the first ten draws */
    for (k = 0; k <= 8; k++) {
        uint32_t s[4], ref[4];
        int j, zeros = 1;
        if (!check(zero_pair_state(k, s), "a state exists whose outputs %d and %d are zero", k, k + 1)) continue;
        memcpy(ref, s, sizeof ref);
        for (j = 0; j < k + 2; j++) {
            uint32_t o = ref_next(ref);
            if (j >= k && o) zeros = 0;
        }
        check(zeros && (s[0] | s[1] | s[2] | s[3]), "the constructed non-zero state draws zero words %d and %d", k, k + 1);
        memcpy(r.s, s, sizeof s);
        tw_ids_next(&r, &ids);
        check(!all_zero(ids.trace, 16) && !all_zero(ids.span, 8) && !all_zero(ids.segment, 16),
              "with zero draws %d and %d, tw_ids_next still returns non-zero trace, span and segment ids", k, k + 1);
    }

    {
        static const uint8_t src[6] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
        memset(hex, CANARY, sizeof hex);
        tw_hex(hex + 1, src, 6);
        check(same(hex + 1, 12, "00017f80abff", 12) && (unsigned char)hex[0] == CANARY && (unsigned char)hex[13] == CANARY,
              "tw_hex writes exactly 2n lower-case digits: \"00017f80abff\", got %s", show(hex + 1, 12));
        tw_hex(hex + 1, src, 0);
        check((unsigned char)hex[1] == '0', "tw_hex of 0 bytes writes nothing");
        tw_ids_next(&r, &ids);
        tw_hex(hex, ids.trace, 16);
        for (k = 0; k < 32 && ((hex[k] >= '0' && hex[k] <= '9') || (hex[k] >= 'a' && hex[k] <= 'f')); k++) {}
        check(k == 32, "a trace id's hex is 32 lower-case hex digits, got %s", show(hex, 32));
    }
}

/* ------------------------------------------------------------------ sampling */

static void tail(uint8_t trace[16], uint64_t r) {
    int i;
    for (i = 15; i >= 9; i--, r >>= 8) trace[i] = (uint8_t)r;
}

/* T = ceil((100 - p) * 2^56 / 100) exactly, for p whose p * 2^56 is a whole number (so that
 * 100 * 2^56 - p * 2^56 is a whole number below 2^63). */
static int exact_threshold(double p, uint64_t *t) {
    double scaled = ldexp(p, 56);
    uint64_t num;
    if (!(p >= 0 && p <= 100) || scaled != floor(scaled)) return 0;
    num = ((uint64_t)100 << 56) - (uint64_t)scaled;
    *t = num / 100 + (num % 100 != 0);
    return 1;
}

static int threshold_eq(tw_threshold a, tw_threshold b) { return a.hi == b.hi && a.lo == b.lo; }

static void test_sampling(void) {
    static const double odd[] = {0.1, 0.5, 1.5, 12.5, 33.3, 50.5, 66.6, 99.9, 99.99};
    const uint64_t ALL = ((uint64_t)1 << 56) - 1;
    uint8_t trace[16];
    tw_threshold t100 = tw_sample_threshold(100), t0 = tw_sample_threshold(0), t;
    double invalid[6];
    int i, p, bad, bad_p = -1, hits, n;
    uint64_t T, bad_T = 0;
    begin("sampling: consistent probability thresholds, exact at the boundary");
    memset(trace, 0xff, sizeof trace);
    tail(trace, 0);
    check(tw_sampled(trace, t100), "at 100%% the all-zero tail is sampled");
    tail(trace, ALL);
    check(tw_sampled(trace, t100), "at 100%% the all-ones tail is sampled");
    memset(trace, 0, sizeof trace);
    tail(trace, ALL);
    check(!tw_sampled(trace, t0), "at 0%% the all-ones tail (ff...ff) is not sampled");
    tail(trace, 0);
    check(!tw_sampled(trace, t0), "at 0%% the all-zero tail is not sampled");
    hits = 0;
    for (i = 0; i < 10000; i++) {
        test_bytes(trace, 16);
        hits += tw_sampled(trace, t100) - tw_sampled(trace, t0);
    }
    check(hits == 10000, "over 10,000 random ids, 100%% samples all and 0%% none");

    invalid[0] = NAN, invalid[1] = -1, invalid[2] = 101, invalid[3] = INFINITY, invalid[4] = -INFINITY,
    invalid[5] = 100.000001;
    for (i = 0; i < 6; i++) {
        t = tw_sample_threshold(invalid[i]);
        tail(trace, 0);
        check(threshold_eq(t, t100) && tw_sampled(trace, t), "percent %g counts as 100 (samples the all-zero tail)", invalid[i]);
    }

    /* boundary: R = T is sampled, R = T - 1 is not, for every whole percent */
    bad = 0;
    for (p = 0; p <= 100; p++) {
        int ok = 1;
        exact_threshold(p, &T);
        t = tw_sample_threshold(p);
        test_bytes(trace, 9); /* the first 9 bytes must not matter */
        if (T <= ALL) tail(trace, T), ok &= tw_sampled(trace, t);
        if (T >= 1) tail(trace, T - 1), ok &= !tw_sampled(trace, t);
        if (!ok && !bad++) bad_p = p, bad_T = T;
    }
    if (bad_p >= 0) t = tw_sample_threshold(bad_p);
    check(!bad, "for every whole percent p, R = ceil((1 - p/100) * 2^56) is sampled and R - 1 is not: "
                "%d of 101 percents wrong, first p = %d: T = %llu, engine's threshold = %.0f",
          bad, bad_p, (unsigned long long)bad_T, bad_p < 0 ? 0.0 : t.hi * 4294967296.0 + t.lo);
    for (i = 0; i < (int)(sizeof odd / sizeof *odd); i++) {
        double tv;
        if (!check(exact_threshold(odd[i], &T), "percent %g has an exact threshold in 64 bits", odd[i])) continue;
        t = tw_sample_threshold(odd[i]);
        tv = t.hi * 4294967296.0 + t.lo;
        tail(trace, T);
        n = tw_sampled(trace, t);
        tail(trace, T - 1);
        check(n && !tw_sampled(trace, t), "at %g%%, R = %llu is sampled and R - 1 is not (engine's threshold %.0f)",
              odd[i], (unsigned long long)T, tv);
    }

    /* only the last 56 bits matter, and a trace sampled at p is sampled at every q > p */
    bad = 0;
    for (i = 0; i < 20000; i++) {
        uint8_t other[16];
        double pp = (double)(test_rand() % 10001) / 100.0, q = pp + (double)(test_rand() % 1000) / 100.0;
        test_bytes(trace, 16);
        memcpy(other, trace, 16);
        test_bytes(other, 9);
        t = tw_sample_threshold(pp);
        if (tw_sampled(trace, t) != tw_sampled(other, t)) bad++;
        if (q <= 100 && tw_sampled(trace, t) && !tw_sampled(trace, tw_sample_threshold(q))) bad++;
    }
    check(!bad, "the decision depends only on the last 56 bits and grows with the percent (%d violations)", bad);

    hits = 0;
    t = tw_sample_threshold(30);
    for (i = 0; i < 100000; i++) {
        test_bytes(trace, 16);
        hits += tw_sampled(trace, t);
    }
    check(hits >= 29000 && hits <= 31000, "30%% over 100,000 random ids samples 30 +- 1%%, got %.2f%%", hits / 1000.0);
}

/* ------------------------------------------------------------------ URLs: the table */

static size_t resolve(char *dst, size_t cap, vstr base, vstr ref) {
    char *b = exact(base.s, base.n), *r = exact(ref.s, ref.n);
    size_t n = tw_url_resolve(dst, cap, b, base.n, r, ref.n);
    free(b);
    free(r);
    return n;
}

static void test_url_table(void) {
    static char out[TW_OUT_CAP];
    static char contract_first[1200];
    const char *bases[32];
    int nbases = 0, i, j, contract_bad = 0, contract_cases = 0;
    begin("URL resolution: hand-written and random cases against the WHATWG URL standard (url_table.h)");
    for (i = 0; i < URL_CASE_COUNT; i++) {
        const url_case *c = &URL_CASES[i];
        size_t n = resolve(out, sizeof out, c->base, c->ref);
        int ok = same(out, n, c->expect.s, c->expect.n) || (c->may_refuse && n == 0);
        check(ok, "%s: %s against %s resolves to %s%s, got %s", c->why, show(c->ref.s, c->ref.n),
              show(c->base.s, c->base.n), c->expect.s ? show(c->expect.s, c->expect.n) : "0 (not traced)",
              c->may_refuse ? " or 0" : "", n ? show(out, n) : "0");
        if (c->expect.s) {
            char peer[TW_PEER_MAX + 8];
            char *e = exact(c->expect.s, c->expect.n);
            size_t o = tw_url_origin_len(e, c->expect.n), p;
            fctx x;
            check(o == c->origin_len, "%s: the origin of %s is its first %zu bytes, got %zu", c->why,
                  show(c->expect.s, c->expect.n), c->origin_len, o);
            p = tw_url_peer(peer, sizeof peer, e, c->expect.n);
            check(same(peer, p, c->peer.s, c->peer.n), "%s: the sw8 peer of %s is %s, got %s", c->why,
                  show(c->expect.s, c->expect.n), show(c->peer.s, c->peer.n), show(peer, p));
            if (ok && n) {
                size_t bad_cap, bad_n;
                memset(&x, 0, sizeof x);
                x.url = c->base.s, x.url_len = c->base.n;
                x.a = (const uint8_t *)c->ref.s, x.an = c->ref.n;
                size_t enough = c->base.n + 3 * c->ref.n + 8;
                if (enough < c->expect.n) enough = c->expect.n;
                if (!contract_holds(f_resolve, &x, c->expect.s, c->expect.n, enough, &bad_cap, &bad_n) && !contract_bad++) {
                    snprintf(contract_first, sizeof contract_first, "%s: %s against %s returns %zu with cap %zu (exact length %zu)",
                             c->why, show(c->ref.s, c->ref.n), show(c->base.s, c->base.n), bad_n, bad_cap, c->expect.n);
                }
                contract_cases++;
            }
            free(e);
        }
        for (j = 0; j < nbases && strcmp(bases[j], c->base.s) != 0; j++) {}
        if (j == nbases && nbases < 32 && c->base.n) {
            vstr none = {"", 0};
            bases[nbases++] = c->base.s;
            n = resolve(out, sizeof out, none, c->base);
            check(same(out, n, c->base.s, c->base.n), "the table's base %s is a normalised URL (resolves to itself), got %s",
                  show(c->base.s, c->base.n), show(out, n));
        }
    }
    check(!contract_bad, "every table URL resolves with cap = base_len + 3 * ref_len + 8 and a larger cap, returns 0 "
                         "with cap = its length - 1 and cap 0, and never writes past cap: %d of %d cases do not, first: %s",
          contract_bad, contract_cases, contract_first);
}

/* ------------------------------------------------------------------ URLs: the rest */

static void test_url_more(void) {
    static char ref[TW_IN_CAP + 64], want[TW_OUT_CAP], out[TW_OUT_CAP];
    static const char *places[3] = {"path", "query", "fragment"};
    static const char *prefix[3] = {"http://a/x", "http://a/?x", "http://a/#x"};
    fctx x;
    size_t n, len, cap;
    int c, k, bad;
    begin("URL resolution: long inputs, high bytes, caps, origin and peer");
    memset(&x, 0, sizeof x);
    x.url = "", x.url_len = 0;

    /* a 16 KB URL: fits with cap = its length, 0 with one byte less */
    memcpy(ref, "http://a/", 9);
    memset(ref + 9, 'p', TW_IN_CAP - 9);
    x.a = (const uint8_t *)ref, x.an = TW_IN_CAP;
    check_contract("a 16 KB URL", f_resolve, &x, ref, TW_IN_CAP);
    /* and percent-encoded: 3 bytes per space */
    memset(ref + 9, ' ', TW_IN_CAP - 10);
    ref[TW_IN_CAP - 1] = 'x';
    memcpy(want, "http://a/", 9);
    for (len = 9, k = 0; k < TW_IN_CAP - 10; k++) memcpy(want + len, "%20", 3), len += 3;
    want[len++] = 'x';
    check(len <= TW_OUT_CAP, "a 16 KB URL of spaces, tripled, fits in TW_OUT_CAP");
    check_contract("a 16 KB URL of spaces", f_resolve, &x, want, len);
    /* a 16 KB relative path against a base */
    x.url = "https://h:8443/dir/page?q", x.url_len = strlen(x.url);
    memset(ref, 'r', TW_IN_CAP);
    memcpy(want, "https://h:8443/dir/", 19);
    memset(want + 19, 'r', TW_IN_CAP);
    x.a = (const uint8_t *)ref, x.an = TW_IN_CAP;
    check_contract("a 16 KB relative path", f_resolve, &x, want, 19 + TW_IN_CAP);
    x.url = "", x.url_len = 0;

    /* tw_config.h: TW_HOST_MAX (255) is the longest host accepted */
    memcpy(ref, "https://", 8);
    memset(ref + 8, 'h', TW_HOST_MAX);
    memcpy(ref + 8 + TW_HOST_MAX, "/x", 2);
    x.a = (const uint8_t *)ref, x.an = 8 + TW_HOST_MAX + 2;
    check_contract("a URL with a 255-byte host", f_resolve, &x, ref, 8 + TW_HOST_MAX + 2);
    memcpy(ref, "https://", 8);
    memset(ref + 8, 'h', TW_HOST_MAX + 1);
    memcpy(ref + 9 + TW_HOST_MAX, "/x", 2);
    n = tw_url_resolve(out, sizeof out, "", 0, ref, 8 + TW_HOST_MAX + 3);
    check(n == 0, "a host longer than TW_HOST_MAX (256 bytes) is refused, got %zu", n);

    /* bytes 0x80-0xFF are percent-encoded (upper-case) in path, query and fragment */
    for (k = 0; k < 3; k++) {
        int bad_c = -1;
        for (c = 0x80; c < 0x100; c++) {
            size_t pl = strlen(prefix[k]);
            char w[32];
            memcpy(ref, prefix[k], pl);
            ref[pl] = (char)c;
            ref[pl + 1] = 'y';
            n = tw_url_resolve(out, sizeof out, "", 0, ref, pl + 2);
            len = (size_t)sprintf(w, "%s%%%02Xy", prefix[k], c);
            if (!same(out, n, w, len) && bad_c < 0) bad_c = c;
        }
        check(bad_c < 0, "every byte 0x80-0xFF in the %s becomes %%XX (upper-case), first wrong: 0x%02X", places[k], bad_c);
    }

    /* tw.h: the URL before dot-segment removal must fit too (0 otherwise), and
     * base_len + 3 * ref_len + 8 always does */
    memcpy(ref, "http://a/", 9);
    memset(ref + 9, 'b', 100);
    memcpy(ref + 109, "/../x", 5);
    n = tw_url_resolve(out, 20, "", 0, ref, 114);
    check(n == 0, "\"http://a/\" + 100 x \"b\" + \"/../x\" with cap 20 returns 0: the URL before \"..\" "
          "is removed does not fit (tw.h), got %s", n ? show(out, n) : "0");
    n = tw_url_resolve(out, 3 * 114 + 8, "", 0, ref, 114);
    check(same(out, n, "http://a/x", 10), "the same ref with cap 3 * ref_len + 8 resolves to \"http://a/x\", got %s",
          n ? show(out, n) : "0");
    bad = 0;
    for (cap = 0; cap <= 130; cap++) {
        int clean;
        x.a = (const uint8_t *)ref, x.an = 114;
        n = guarded(f_resolve, &x, cap, out, &clean);
        if (!clean || (n != 0 && !same(out, n, "http://a/x", 10)) || (cap < 10 && n)) bad++;
    }
    check(!bad, "resolving a URL whose dot segments shorten it never writes past cap, for caps 0..130");

    /* tw_url_origin_len */
    {
        static const struct { const char *u; size_t o; } o[] = {
            {"http://a/", 8}, {"https://a/", 9}, {"https://a:1/x?y#z", 11}, {"http://[::1]:80/", 15},
            {"http://a", 0}, {"ftp://a/", 0}, {"http:/a/", 0}, {"https:/", 0}, {"httpx://a/", 0},
            {"", 0}, {"http://", 0}, {"HTTP://a/", 0}, {"http:\\\\a/", 0}};
        unsigned i;
        for (i = 0; i < sizeof o / sizeof *o; i++) {
            char *u = exact(o[i].u, strlen(o[i].u));
            n = tw_url_origin_len(u, strlen(o[i].u));
            check(n == o[i].o, "the origin length of %s is %zu, got %zu", show(o[i].u, strlen(o[i].u)), o[i].o, n);
            free(u);
        }
    }
    /* tw_url_peer */
    {
        static const struct { const char *u, *p; } pe[] = {
            {"https://a/", "a:443"}, {"http://a/", "a:80"}, {"http://a:8080/", "a:8080"},
            {"http://[::1]/", "[::1]:80"}, {"http://[::1]:81/", "[::1]:81"}, {"https://a.b:443/x", "a.b:443"},
            {"https://h/p:1/", "h:443"}, {"http://a", ""}, {"ftp://a/", ""}, {"", ""}};
        unsigned i;
        char peer[TW_PEER_MAX];
        for (i = 0; i < sizeof pe / sizeof *pe; i++) {
            char *u = exact(pe[i].u, strlen(pe[i].u));
            n = tw_url_peer(peer, sizeof peer, u, strlen(pe[i].u));
            check(same(peer, n, pe[i].p, strlen(pe[i].p)), "the sw8 peer of %s is %s, got %s",
                  show(pe[i].u, strlen(pe[i].u)), *pe[i].p ? show(pe[i].p, strlen(pe[i].p)) : "0", show(peer, n));
            if (*pe[i].p) {
                char what[64];
                x.url = u, x.url_len = strlen(pe[i].u);
                sprintf(what, "the peer of %s", pe[i].u);
                check_contract(what, f_peer, &x, pe[i].p, strlen(pe[i].p));
            }
            free(u);
        }
    }
}

/* ------------------------------------------------------------------ rule sets */

/* Appends one entry: 2-byte little-endian length, then the bytes (tw.h). */
static size_t put(uint8_t *set, size_t at, const char *s, size_t n) {
    set[at] = (uint8_t)n, set[at + 1] = (uint8_t)(n >> 8);
    memcpy(set + at + 2, s, n);
    return at + 2 + n;
}
static size_t put_str(uint8_t *set, size_t at, const char *s) { return put(set, at, s, strlen(s)); }
/* An entry holding the normalised form of a string rule, as the host stores it. */
static size_t put_rule(uint8_t *set, size_t at, const char *rule) {
    char norm[512];
    size_t n = tw_url_resolve(norm, sizeof norm, "", 0, rule, strlen(rule));
    return put(set, at, norm, n);
}

static int match(const uint8_t *set, size_t set_len, const char *url) {
    char norm[512];
    uint8_t *s = (uint8_t *)exact(set, set_len);
    size_t n = tw_url_resolve(norm, sizeof norm, "", 0, url, strlen(url));
    char *u = exact(norm, n);
    int m = tw_rules_match(s, set_len, u, n);
    free(s);
    free(u);
    return m;
}

static void expect_match(const uint8_t *set, size_t set_len, const char *url, int want, const char *sentence) {
    int m = match(set, set_len, url);
    check(m == want, "%s: %s gives %d, got %d", sentence, url, want, m);
}

static void test_rules(void) {
    static uint8_t set[4096];
    size_t len, blen;
    const char *base;
    uint8_t *copy;
    begin("rule sets: first match wins, origin boundary, empty and malformed entries");
    len = put_str(set, 0, "https://page.example/app/");
    len = put_rule(set, len, "https://api.example.com");
    len = put_rule(set, len, "https://api.example.com/v1/");
    len = put_rule(set, len, "HTTP://Other.Example:8080/Path");
    copy = (uint8_t *)exact(set, len);
    base = tw_rules_base(copy, len, &blen);
    check(base == (const char *)copy + 2 && same(base, blen, "https://page.example/app/", 25),
          "tw_rules_base returns the first entry in place, got %s", show(base, blen));
    free(copy);
    expect_match(set, len, "https://api.example.com/v1/items", 0, "the first matching rule wins (origin rule before a longer one)");
    expect_match(set, len, "https://api.example.com", 0, "an origin rule matches the bare origin");
    expect_match(set, len, "https://api.example.com?x", 0, "an origin rule matches the origin with a query");
    expect_match(set, len, "HTTPS://API.EXAMPLE.COM/x", 0, "scheme and host compare case-insensitively");
    expect_match(set, len, "https://api.example.com.evil.io/", -1, "\"https://api.example.com\" does not match https://api.example.com.evil.io/");
    expect_match(set, len, "https://api.example.com:8443/", -1, "\"https://api.example.com\" does not match https://api.example.com:8443/");
    expect_match(set, len, "https://api.example.com:443/v1", 0, "the default port is the same origin");
    expect_match(set, len, "http://api.example.com/", -1, "another scheme is another origin");
    expect_match(set, len, "http://other.example:8080/Path/x", 2, "a later rule matches when earlier ones do not");
    expect_match(set, len, "http://other.example:8080/path/x", -1, "paths compare case-sensitively");
    expect_match(set, len, "https://page.example/app/x", -1, "the base entry is not a rule");

    /* the order decides */
    len = put_str(set, 0, "");
    len = put_rule(set, len, "https://api.example.com/v1/");
    len = put_rule(set, len, "https://api.example.com");
    expect_match(set, len, "https://api.example.com/v1/x", 0, "with the longer rule first, it wins");
    expect_match(set, len, "https://api.example.com/v2", 1, "the shorter rule still matches what the first does not");

    /* an empty rule never matches, but counts */
    len = put_str(set, 0, "");
    len = put_str(set, len, "");
    len = put_rule(set, len, "https://a.example/");
    expect_match(set, len, "https://a.example/x", 1, "an empty rule never matches (the next one does, index 1)");
    len = put_str(set, 0, "");
    len = put_str(set, len, "");
    expect_match(set, len, "https://a.example/x", -1, "a set with only an empty rule matches nothing");
    {
        char *u = exact("", 0);
        copy = (uint8_t *)exact(set, len);
        check(tw_rules_match(copy, len, u, 0) == -1, "an empty rule does not match an empty url");
        free(u);
        free(copy);
    }

    /* malformed sets end safely */
    len = put_str(set, 0, "");
    len = put_rule(set, len, "https://a.example/");
    expect_match(set, len - 1, "https://a.example/x", -1, "a rule cut short by one byte ends the set");
    expect_match(set, 3, "https://a.example/x", -1, "a set cut inside a length ends");
    len = put_str(set, 0, "");
    len = put_rule(set, len, "https://a.example/");
    set[len] = 0xff, set[len + 1] = 0xff;
    memcpy(set + len + 2, "https://b", 9);
    expect_match(set, len + 11, "https://b.example/", -1, "an overlong entry (length 65535, 9 bytes left) ends the set");
    expect_match(set, len + 11, "https://a.example/x", 0, "rules before an overlong entry still match");
    expect_match(set, len + 1, "https://a.example/x", 0, "a single trailing byte ends the set after the rules");
    set[0] = 0x10, set[1] = 0;
    copy = (uint8_t *)exact(set, 5);
    base = tw_rules_base(copy, 5, &blen);
    check(base == NULL && blen == 0, "an overlong base gives no base (NULL, length 0), got length %zu", blen);
    free(copy);
    expect_match(set, 5, "https://a.example/x", -1, "an overlong base gives no matches");
    copy = (uint8_t *)exact(set, 0);
    blen = 99;
    base = tw_rules_base(copy, 0, &blen);
    check(base == NULL && blen == 0, "an empty set has no base (length 0)");
    check(tw_rules_match(copy, 0, "https://a/", 10) == -1, "an empty set matches nothing");
    base = tw_rules_base(copy, 1, &blen);
    free(copy);
    check(base == NULL && blen == 0, "a one-byte set has no base");
    /* the largest entry length that fits */
    {
        static uint8_t big[70000];
        size_t at;
        char url[70000];
        memset(url, 'z', sizeof url);
        memcpy(url, "https://z/", 10);
        at = put(big, 0, "", 0);
        at = put(big, at, url, 65535);
        copy = (uint8_t *)exact(big, at);
        {
            char *u = exact(url, 65536);
            check(tw_rules_match(copy, at, u, 65536) == 0, "a 65535-byte rule matches a URL it prefixes");
            check(tw_rules_match(copy, at, u, 65534) == -1, "a 65535-byte rule does not match a shorter URL");
            free(u);
        }
        free(copy);
    }
}

/* ------------------------------------------------------------------ hostile inputs */

static void test_hostile(void) {
    static const char alphabet[] = "hHtTpPsS:/\\?#@[]%.2eE0189 \t\x01\x7f\xc3\xa9" "aZ-_&=,'\"<>`{}^|";
    static const char *bases[] = {"", "http://a/", "https://example.com:8443/a/b/c?q#f", "http://[::1]/x/",
                                  "garbage", "http://", "https://a", "\xff\xfe", "http://a/b/../c"};
    static char out[4096], again[4096];
    uint8_t buf[80];
    int i, bad_write = 0, bad_norm = 0, bad_idem = 0, bad_rules = 0, bad_fmt = 0, first = -1;
    begin("hostile inputs: random bytes never overflow, and every URL produced is normalised");
    for (i = 0; i < 20000; i++) {
        size_t n = test_rand() % 72, k, cap = test_rand() % 100, r, b = test_rand() % (sizeof bases / sizeof *bases);
        int clean, valid_base = b < 4;
        fctx x;
        for (k = 0; k < n; k++)
            buf[k] = test_rand() % 4 ? (uint8_t)alphabet[test_rand() % (sizeof alphabet - 1)] : (uint8_t)test_rand();
        if (test_rand() % 3 == 0 && n > 7) memcpy(buf, test_rand() & 1 ? "http://" : "https:/", 7);
        memset(&x, 0, sizeof x);
        x.url = exact(bases[b], strlen(bases[b])), x.url_len = strlen(bases[b]);
        x.a = (const uint8_t *)exact(buf, n), x.an = n;
        r = guarded(f_resolve, &x, cap, out, &clean);
        if ((!clean || r > cap) && !bad_write++) first = i;
        if (r && valid_base) {
            size_t j, o = tw_url_origin_len(out, r), again_n;
            for (j = 0; j < r && (unsigned char)out[j] > 0x20 && (unsigned char)out[j] < 0x7f; j++) {}
            if (j < r || o == 0) bad_norm++;
            again_n = tw_url_resolve(again, sizeof again, "", 0, out, r);
            if (!same(again, again_n, out, r)) {
                if (!bad_idem++)
                    check(0, "a URL the engine produced resolves to itself: %s gives %s (from %s + %s)", show(out, r),
                          show(again, again_n), show(bases[b], strlen(bases[b])), show((const char *)buf, n));
            }
        }
        r = tw_url_peer(again, cap, (const char *)x.a, n);
        if (r > cap) bad_fmt++;
        r = tw_url_origin_len((const char *)x.a, n);
        if (r > n) bad_fmt++;
        /* random bytes as a rule set */
        {
            size_t blen = 0, cnt = 0, at = 0;
            const char *base = tw_rules_base(x.a, n, &blen);
            int m = tw_rules_match(x.a, n, bases[b], strlen(bases[b]));
            while (at + 2 <= n && at + 2 + (x.a[at] | (size_t)x.a[at + 1] << 8) <= n) at += 2 + (x.a[at] | (size_t)x.a[at + 1] << 8), cnt++;
            if ((base && (base < (const char *)x.a || base + blen > (const char *)x.a + n)) || (!base && blen) ||
                m < -1 || (cnt && m >= (int)cnt - 1 && m != -1) || (!cnt && m != -1))
                bad_rules++;
        }
        /* formatters with random caps */
        {
            fmt_fn fns[4] = {f_esc_tracestate, f_esc_uri, f_b64, f_tracestate};
            x.b = x.a, x.bn = n;
            r = guarded(fns[i & 3], &x, cap, NULL, &clean);
            if (!clean || r > cap) bad_fmt++;
        }
        free((void *)x.url);
        free((void *)x.a);
    }
    check(!bad_write, "20,000 random refs with random caps never write past cap (%d did, first #%d)", bad_write, first);
    check(!bad_norm, "every URL produced is printable ASCII with an http(s) origin (%d were not)", bad_norm);
    check(!bad_idem, "every URL produced resolves to itself (%d did not)", bad_idem);
    check(!bad_rules, "random bytes as rule sets give an in-range base and index (%d did not)", bad_rules);
    check(!bad_fmt, "formatters, peers and origins on random bytes stay inside cap and input (%d did not)", bad_fmt);
}

/* ------------------------------------------------------------------ main */

int main(int argc, char **argv) {
    verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
    test_vectors();
    test_lengths_and_records();
    test_formatter_contract();
    test_base64();
    test_escaping();
    test_context_limits();
    test_rng();
    test_ids();
    test_sampling();
    test_url_table();
    test_url_more();
    test_rules();
    test_hostile();
    printf("%lu passed, %lu failed\n", passed, failed);
    return failed ? 1 : 0;
}
