/* fmt.c - the header values of SPEC §3, base64 and escaping (tw.h's formatter contract).
 *
 * Every value has a fixed shape, so each is a template: ASCII literal bytes, and op bytes
 * 0x80 | how << 2 | i that write argument i in the writer's encoding how (tw_w.h).  One small
 * interpreter then serves all of them, which keeps the wasm module small (SPEC §5). */
#include "tw_w.h"

/* The template arguments.  Records: trace, span, segment, flag; contexts: their three
 * strings and the appType name. */
static struct {
    const char *p, *e;
} arg[4];

static void set(int i, const void *p, size_t n) {
    /* no arithmetic on a null pointer: callers may pass (NULL, 0) */
    arg[i].e = arg[i].p = p;
    if (n) arg[i].e += n;
}

/* Op bytes, 0x80 | how << 2 | i. */
#define TRACE "\xa8"       /* TW_HEX, 0 */
#define SPAN "\xa9"        /* TW_HEX, 1 */
#define B64_TRACE "\xb0"   /* TW_B64HEX, 0 */
#define B64_SEGMENT "\xb2" /* TW_B64HEX, 2 */
#define B64_0 "\xac"       /* TW_B64, 0 */
#define B64_1 "\xad"
#define B64_2 "\xae"
#define TS_0 "\x8c" /* TW_C_TRACESTATE, 0 */
#define TS_1 "\x8d"
#define URI_0 "\x90" /* TW_C_URI, 0 */
#define URI_1 "\x91"
#define FLAG "\xa3" /* TW_RAW, 3 */
#define APP "\xa3"

/* All templates, each ended by a NUL: the four record parts, then the three contexts.
 * SPEC §3.  traceparent: version 00, flags 01 = sampled.  uber-trace-id: the parent span id
 * is 0 on a root span.  sw8: parent span id 0, the browser span is the segment's first. */
#define T0 "00-" TRACE "-" SPAN "-0" FLAG                     /* traceparent */
#define T1 TRACE "-" SPAN "-" FLAG                            /* b3 */
#define T2 TRACE ":" SPAN ":0:" FLAG                          /* uber-trace-id */
#define T3 FLAG "-" B64_TRACE "-" B64_SEGMENT "-0-"           /* sw8 ids head */
#define T4 "rum=2&" APP "&" TS_0 "&" TS_1                     /* tracestate */
#define T5 "rum.pid=" URI_0 ",rum.sid=" URI_1 ",rum.app=" APP /* baggage */
#define T6 B64_0 "-" B64_1 "-" B64_2 "-"                      /* sw8 middle */
static const char TEMPLATES[] TW_BYTES = T0 "\0" T1 "\0" T2 "\0" T3 "\0" T4 "\0" T5 "\0" T6;
static const uint8_t AT[] = {
    0,
    sizeof T0,
    sizeof T0 + sizeof T1,
    sizeof T0 + sizeof T1 + sizeof T2,
    sizeof T0 + sizeof T1 + sizeof T2 + sizeof T3,
    sizeof T0 + sizeof T1 + sizeof T2 + sizeof T3 + sizeof T4,
    sizeof T0 + sizeof T1 + sizeof T2 + sizeof T3 + sizeof T4 + sizeof T5,
};

/* Writes template k. */
static void run(int k) {
    const char *t;
    for (t = TEMPLATES + AT[k]; *t; t++) {
        unsigned op = (unsigned char)*t;
        if (!(op & 0x80)) tw_w_byte((int)op);
        else tw_w_put(arg[op & 3].p, arg[op & 3].e, op >> 2 & 31);
    }
}

/* Writes the record templates flagged in mask, in order. */
static void ids(const tw_ids *id, int sampled, unsigned mask) {
    int i;
    set(0, id->trace, 16);
    set(1, id->span, 8);
    set(2, id->segment, 16);
    set(3, &"01"[sampled != 0], 1);
    for (i = 0; i < 4; i++)
        if (mask >> i & 1) run(i);
}

static size_t ids_fmt(char *dst, size_t cap, const tw_ids *id, int sampled, unsigned mask) {
    tw_w_begin(dst, cap);
    ids(id, sampled, mask);
    return tw_w_end();
}

size_t tw_fmt_traceparent(char *dst, size_t cap, const tw_ids *id, int sampled) {
    return ids_fmt(dst, cap, id, sampled, 1);
}
size_t tw_fmt_b3(char *dst, size_t cap, const tw_ids *id, int sampled) {
    return ids_fmt(dst, cap, id, sampled, 2);
}
size_t tw_fmt_jaeger(char *dst, size_t cap, const tw_ids *id, int sampled) {
    return ids_fmt(dst, cap, id, sampled, 4);
}
size_t tw_fmt_sw8_ids(char *dst, size_t cap, const tw_ids *id, int sampled) {
    return ids_fmt(dst, cap, id, sampled, 8);
}

size_t tw_record_len(unsigned parts) {
#define TP TW_TRACEPARENT_LEN
#define B3 TW_B3_LEN
#define JG TW_JAEGER_LEN
#define SW TW_SW8_IDS_LEN
    static const uint8_t len[8] = {TP,           TP + B3,      TP + JG,      TP + B3 + JG,
                                   TP + SW,      TP + B3 + SW, TP + JG + SW, TP + B3 + JG + SW};
#undef TP
#undef B3
#undef JG
#undef SW
    return len[parts & 7];
}

void tw_w_record(const tw_ids *id, int sampled, unsigned parts) {
    ids(id, sampled, parts << 1 | 1);
}

size_t tw_fmt_record(char *dst, size_t cap, const tw_ids *id, int sampled, unsigned parts) {
    return ids_fmt(dst, cap, id, sampled, parts << 1 | 1);
}

/* Sets the context arguments and writes context kind (0 tracestate, 1 baggage, 2 sw8
 * middle); an empty sw8 instance stands for "1.0.0" (SPEC §3). */
static void ctx(int kind, int app, const uint8_t *s0, size_t n0, const uint8_t *s1, size_t n1,
                const uint8_t *s2, size_t n2) {
    int mini = app == TW_APP_MINIAPP;
    if (!n1) s1 = (const uint8_t *)"1.0.0", n1 = 5 * (kind == 2); /* only sw8 has a default */
    set(0, s0, n0);
    set(1, s1, n1);
    set(2, s2, n2);
    set(3, mini ? "miniapp" : "web", 3 + 4 * (size_t)mini);
    run(4 + kind);
}

size_t tw_w_ctx(char *dst, size_t cap, int kind, int app, const uint8_t *s0, size_t n0,
                const uint8_t *s1, size_t n1, const uint8_t *s2, size_t n2) {
    /* W3C trace-context: a tracestate member's value (after "rum=") is at most 256
     * characters; W3C baggage: the whole header is at most 8192 bytes. */
    static const size_t max[] = {TW_TRACESTATE_VALUE_MAX + 4, TW_BAGGAGE_MAX, (size_t)-1};
    size_t n;
    if ((unsigned)kind > 2) return 0;
    tw_w_begin(dst, cap);
    ctx(kind, app, s0, n0, s1, n1, s2, n2);
    n = tw_w_end();
    return n > max[kind] ? 0 : n;
}

size_t tw_fmt_tracestate(char *dst, size_t cap, int app, const uint8_t *pid, size_t pid_len,
                         const uint8_t *sid, size_t sid_len) {
    return tw_w_ctx(dst, cap, 0, app, pid, pid_len, sid, sid_len, 0, 0);
}

size_t tw_fmt_baggage(char *dst, size_t cap, int app, const uint8_t *pid, size_t pid_len,
                      const uint8_t *sid, size_t sid_len) {
    return tw_w_ctx(dst, cap, 1, app, pid, pid_len, sid, sid_len, 0, 0);
}

size_t tw_fmt_sw8_ctx(char *dst, size_t cap, const uint8_t *service, size_t service_len,
                      const uint8_t *instance, size_t instance_len,
                      const uint8_t *endpoint, size_t endpoint_len) {
    return tw_w_ctx(dst, cap, 2, 0, service, service_len, instance, instance_len, endpoint,
                    endpoint_len);
}

size_t tw_fmt_sw8(char *dst, size_t cap, const tw_ids *id, int sampled,
                  const uint8_t *service, size_t service_len,
                  const uint8_t *instance, size_t instance_len,
                  const uint8_t *endpoint, size_t endpoint_len,
                  const char *url, size_t url_len) {
    char peer[TW_PEER_MAX];
    size_t p = tw_url_peer(peer, sizeof peer, url, url_len); /* before the writer begins */
    if (!p) return 0;
    tw_w_begin(dst, cap);
    ids(id, sampled, 8);
    ctx(2, 0, service, service_len, instance, instance_len, endpoint, endpoint_len);
    tw_w_put(peer, peer + p, TW_B64);
    return tw_w_end();
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
