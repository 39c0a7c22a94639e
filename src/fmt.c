/* fmt.c - the header values of SPEC §3, base64 and escaping (tw.h's formatter contract).
 *
 * Id records are written whole, 4 characters per 32-bit store, with no per-byte call: the
 * host asks for them in batches and they are the engine's per-request cost (SPEC §5).  The
 * request-independent values go through the writer (tw_w.h), once per session or page. */
#include "tw_w.h"

#define HEXC(x) ((x) + ((x) < 10 ? '0' : 'a' - 10)) /* the hex digit of 0..15 */

/* The 4 hex digits of v's low 16 bits as a group: 4 characters in one word, the first in the
 * low byte, as a little-endian store lays them out (wasm is little-endian). */
#define GROUP(v) (t->hex[(v) >> 8 & 255] | (uint32_t)t->hex[(v) & 255] << 16)
/* The 4 base64 digits of v's low 3 hex digits, laid out alike. */
#define B64(v) t->b64[(v) & 4095]

size_t tw_record_len(unsigned parts) {
    return TW_TRACEPARENT_LEN + (parts & TW_REC_SW8 ? TW_SW8_IDS_LEN : 0);
}

uint32_t tw_w_record_words(unsigned parts) {
    return parts & TW_REC_SW8 ? TW_W_RECORD_WORDS : 14;
}

/* The layout is tw_w.h's: " 00-{trace}-{span}-0{s}" in words 0..13, then with sw8 the
 * base64 of the trace id's hex and of the segment id's in 14..35. */
uint32_t *tw_w_records(uint32_t *o, const uint32_t *w, uint32_t n, const tw_w_rate *rate,
                       unsigned parts, tw_w_tables *t) {
    uint32_t i, g, c, k, x, flag;
    int sw8 = parts & TW_REC_SW8;
    for (; n--; w += sw8 ? TW_W_WORDS : 6) {
        /* SPEC §3: version 00, the ids, flags 01 = sampled.  The span's digits sit one byte
         * off their words: each of those words carries the previous group's last digit, c. */
        o[0] = ' ' | '0' << 8 | '0' << 16 | (uint32_t)'-' << 24;
        for (c = 0, i = 0; i < 6; i++) {
            k = i < 4 ? 0 : 8;
            if (i == 4) c = '-';
            x = w[i];
            g = GROUP(x >> 16);
            o[2 * i + 1] = c | g << k;
            c = g >> 16 >> (16 - k);
            g = GROUP(x);
            o[2 * i + 2] = c | g << k;
            c = g >> 16 >> (16 - k);
        }
        flag = tw_w_sampled(w, rate) ? '1' : '0';
        o[13] = c | '-' << 8 | '0' << 16 | flag << 24;
        o += 14;
        if (sw8) {
            /* base64 of the trace id's hex, then of the segment id's (SkyWalking carries ids
             * as text): 3 hex digits are 12 bits of the id and 4 base64 digits, one word of
             * the table; the last 2 digits are the first 3 of "xy0" and '=' */
            for (k = 0; k < 12; k += 6) {
                for (i = 0; i < 120; i += 12) {
                    g = w[k + i / 32] << i % 32;
                    if (i % 32 > 20) g |= w[k + i / 32 + 1] >> (32 - i % 32);
                    *o++ = B64(g >> 20);
                }
                *o++ = (B64(w[k + 3] << 4) & 0xffffff) | (uint32_t)'=' << 24;
            }
        }
    }
    return o;
}

/* Natively the tables are simply computed: the base64 of all 4,096 three-digit groups. */
void tw_w_fill(tw_w_tables *t) {
    static char hex[3 * 4096];
    int i;
    for (i = 0; i < 4096; i++) {
        hex[3 * i] = (char)HEXC(i >> 8);
        hex[3 * i + 1] = (char)HEXC(i >> 4 & 15);
        hex[3 * i + 2] = (char)HEXC(i & 15);
    }
    for (i = 0; i < 256; i++) t->hex[i] = (uint16_t)(HEXC(i >> 4) | HEXC(i & 15) << 8);
    tw_w_begin((char *)t->b64, sizeof t->b64);
    tw_w_put(hex, hex + sizeof hex, TW_B64);
}

/* The record formatters of tw.h: the batch writer on the given ids, its record turned into
 * the header values as the host turns it (js/tracer.js), behind the (dst, cap) contract. */
static size_t ids_fmt(char *dst, size_t cap, const tw_ids *ids, int s, int sw8_only,
                      unsigned parts) {
    static tw_w_tables tables;
    tw_w_rate rate;
    uint32_t w[TW_W_WORDS], rec[TW_W_RECORD_WORDS];
    const char *r = (const char *)rec, *t = r + TW_W_TRACEPARENT_AT, *b = r + TW_W_SW8_AT;
    if (!tables.b64[4095]) tw_w_fill(&tables);
    tw_w_rate_of(&rate, s ? 100 : 0);
    tw_w_words(w, ids->trace, 4);
    tw_w_words(w + 4, ids->span, 2);
    tw_w_words(w + 6, ids->segment, 4);
    tw_w_records(rec, w, 1, &rate, parts, &tables);
    tw_w_begin(dst, cap);
    if (!sw8_only) tw_w_put(t, t + TW_TRACEPARENT_LEN, TW_RAW);
    if (parts & TW_REC_SW8) {
        /* "{s}-{b64 trace}-{b64 segment}-0-" (SPEC §3), as the host puts it together */
        tw_w_byte(t[54]);
        tw_w_byte('-');
        tw_w_put(b, b + 44, TW_RAW);
        tw_w_byte('-');
        tw_w_put(b + 44, b + 88, TW_RAW);
        tw_w_put("-0-", &"-0-"[3], TW_RAW);
    }
    return tw_w_end();
}

size_t tw_fmt_traceparent(char *dst, size_t cap, const tw_ids *ids, int sampled) {
    return ids_fmt(dst, cap, ids, sampled, 0, 0);
}
size_t tw_fmt_sw8_ids(char *dst, size_t cap, const tw_ids *ids, int sampled) {
    return ids_fmt(dst, cap, ids, sampled, 1, TW_REC_SW8);
}
size_t tw_fmt_record(char *dst, size_t cap, const tw_ids *ids, int sampled, unsigned parts) {
    return ids_fmt(dst, cap, ids, sampled, 0, parts);
}

/* The request-independent values are templates: ASCII literal bytes, and op bytes
 * 0x80 | how << 2 | i that write argument i in the writer's encoding how (tw_w.h).  One small
 * interpreter serves them all, which keeps the wasm module small (SPEC §5).  Arguments: the
 * context's three strings, then the appType's name. */
#define TS_0 "\x8c" /* TW_C_TRACESTATE, 0 */
#define TS_1 "\x8d"
#define URI_0 "\x90" /* TW_C_URI, 0 */
#define URI_1 "\x91"
#define B64_0 "\xa8" /* TW_B64, 0 */
#define B64_1 "\xa9"
#define B64_2 "\xaa"
#define APP "\xa3" /* TW_RAW, 3 */
/* SPEC §3, each ended by a NUL: tracestate, baggage, sw8 middle, and base64 alone (for the
 * sw8 peer) */
static const char CTX[] TW_BYTES = "rum=2&" APP "&" TS_0 "&" TS_1 "\0"
                                   "rum.pid=" URI_0 ",rum.sid=" URI_1 ",rum.app=" APP "\0"
                                   B64_0 "-" B64_1 "-" B64_2 "-\0" B64_0;

size_t tw_w_ctx(char *dst, size_t cap, int kind, int app, const uint8_t *s0, size_t n0,
                const uint8_t *s1, size_t n1, const uint8_t *s2, size_t n2) {
    const char *t = CTX;
    const uint8_t *p;
    size_t n;
    unsigned op;
    for (n = (size_t)kind; n; t++) n -= !*t; /* the kind-th template */
    tw_w_begin(dst, cap);
    for (; (op = (unsigned char)*t); t++) {
        if (!(op & 0x80)) {
            tw_w_byte((int)op);
            continue;
        }
        op &= 0x7f;
        p = op % 4 == 0   ? s0
            : op % 4 == 1 ? s1
            : op % 4 == 2 ? s2
                          : (const uint8_t *)(app ? "miniapp" : "web");
        n = op % 4 == 0 ? n0 : op % 4 == 1 ? n1 : op % 4 == 2 ? n2 : 3 + 4 * (size_t)(app != 0);
        tw_w_put(p, n ? p + n : p, (int)op / 4); /* no arithmetic on a null pointer */
    }
    return tw_w_end();
}

/* The context formatters of tw.h: the limits of SPEC §3 (W3C trace-context: a tracestate
 * member's value, after "rum=", is at most 256 characters; W3C baggage: the whole header at
 * most 8192 bytes), and sw8's default instance.  The host applies them alike (js/engine.js). */
static size_t ctx(char *dst, size_t cap, int kind, int app, const uint8_t *s0, size_t n0,
                  const uint8_t *s1, size_t n1, const uint8_t *s2, size_t n2, size_t max) {
    size_t n;
    if (!n1 && kind == 2) s1 = (const uint8_t *)"1.0.0", n1 = 5;
    n = tw_w_ctx(dst, cap, kind, app == TW_APP_MINIAPP, s0, n0, s1, n1, s2, n2);
    return n > max ? 0 : n;
}

size_t tw_fmt_tracestate(char *dst, size_t cap, int app, const uint8_t *pid, size_t pid_len,
                         const uint8_t *sid, size_t sid_len) {
    return ctx(dst, cap, 0, app, pid, pid_len, sid, sid_len, 0, 0, TW_TRACESTATE_VALUE_MAX + 4);
}

size_t tw_fmt_baggage(char *dst, size_t cap, int app, const uint8_t *pid, size_t pid_len,
                      const uint8_t *sid, size_t sid_len) {
    return ctx(dst, cap, 1, app, pid, pid_len, sid, sid_len, 0, 0, TW_BAGGAGE_MAX);
}

size_t tw_fmt_sw8_ctx(char *dst, size_t cap, const uint8_t *service, size_t service_len,
                      const uint8_t *instance, size_t instance_len,
                      const uint8_t *endpoint, size_t endpoint_len) {
    return ctx(dst, cap, 2, 0, service, service_len, instance, instance_len, endpoint,
               endpoint_len, (size_t)-1);
}

size_t tw_fmt_sw8(char *dst, size_t cap, const tw_ids *id, int sampled,
                  const uint8_t *service, size_t service_len,
                  const uint8_t *instance, size_t instance_len,
                  const uint8_t *endpoint, size_t endpoint_len,
                  const char *url, size_t url_len) {
    char peer[TW_PEER_MAX];
    size_t p = tw_url_peer(peer, sizeof peer, url, url_len), h, n; /* before the writer begins */
    h = p ? tw_fmt_sw8_ids(dst, cap, id, sampled) : 0;
    n = h ? ctx(dst + h, cap - h, 2, 0, service, service_len, instance, instance_len,
                endpoint, endpoint_len, (size_t)-1) : 0;
    if (!n) return 0;
    tw_w_begin(dst + h + n, cap - h - n);
    tw_w_put(peer, peer + p, TW_B64);
    p = tw_w_end();
    return p ? h + n + p : 0;
}

static size_t esc(char *dst, size_t cap, const uint8_t *s, size_t n, int how) {
    tw_w_begin(dst, cap);
    tw_w_put(s, n ? s + n : s, how); /* callers may pass (NULL, 0) */
    return tw_w_end();
}

size_t tw_b64(char *dst, size_t cap, const uint8_t *s, size_t n) {
    return esc(dst, cap, s, n, TW_B64);
}

size_t tw_esc_tracestate(char *dst, size_t cap, const uint8_t *s, size_t n) {
    return esc(dst, cap, s, n, TW_C_TRACESTATE);
}

size_t tw_esc_uri(char *dst, size_t cap, const uint8_t *s, size_t n) {
    return esc(dst, cap, s, n, TW_C_URI);
}
