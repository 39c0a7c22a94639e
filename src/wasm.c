/* wasm.c - the WebAssembly boundary: the one static engine instance, its I/O regions and
 * the exports the JS host calls (js/engine.js).  The only file that knows about Emscripten.
 *
 * Boundary design (issue: at most two calls per request, string rules cost none):
 *   - ids come in batches: tw_batch formats n records at once, the host decodes them with one
 *     string conversion and slices one record per request;
 *   - tw_req resolves the request URL, runs every string rule of the tracer's rule set and
 *     leaves the absolute URL and the base64 sw8 peer in the output region, in one call.
 * Everything crosses as bytes in three static regions; the host learns their addresses and
 * sizes from tw_buf, never from copied numbers. */
#include "tw_w.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#define TW_EXPORT EMSCRIPTEN_KEEPALIVE
#else
#define TW_EXPORT
#endif

/* One object, the small members first: addresses below 8192 take a byte less in every
 * instruction that uses them.  base_len lives here rather than on the stack, which would
 * cost tw_req a stack frame (tw_rules_base writes it through a pointer). */
static struct io {
    tw_rng rng;
    tw_ids ids;
    size_t base_len;
    int32_t meta[4];
    char peer[TW_PEER_MAX];
    uint8_t in[TW_IN_CAP];
    uint8_t arena[TW_ARENA_CAP];
    char out[TW_OUT_CAP]; /* last: every offset and size in tw_buf fits 16 bits */
} io;

/* Address or size of a region: 0 in, 1 in cap, 2 out, 3 out cap, 4 arena, 5 arena cap,
 * 6 meta (int32 results of the last call), else 0. */
TW_EXPORT uint32_t tw_buf(int i) {
    static const uint16_t at[] = {
        offsetof(struct io, in), sizeof io.in, offsetof(struct io, out), sizeof io.out,
        offsetof(struct io, arena), sizeof io.arena, offsetof(struct io, meta)};
    if ((unsigned)i > 6) return 0;
    return at[i] + (i & 1 ? 0 : (uint32_t)(uintptr_t)&io);
}

/* Mixes in[0..n) into the generator. */
TW_EXPORT void tw_seed(uint32_t n) {
    tw_rng_seed(&io.rng, io.in, n < sizeof io.in ? n : sizeof io.in);
}

#define TW_FIXED_IDS 0x100 /* tests: one record from the 40 id bytes at in[] */

/* Formats n id records with parts (TW_REC_*) into out, each sampled at percent.  Returns the
 * record length, or 0 when n records do not fit (the host asks for fewer).  The host seeds
 * first (js/engine.js does when it loads a module): the unseeded all-zero state is the one
 * xoshiro never leaves, and the never-all-zero id loop would not end. */
TW_EXPORT uint32_t tw_batch(uint32_t n, double percent, uint32_t parts) {
    size_t len = tw_record_len(parts);
    /* tw_ids is bytes only, so the fixed ids can be read where they are */
    const tw_ids *ids = parts & TW_FIXED_IDS ? (const tw_ids *)(const void *)io.in : &io.ids;
    if (parts & TW_FIXED_IDS) n = 1;
    if (n - 1 >= sizeof io.out / len) return 0; /* none, or more than fit */
    tw_w_begin(io.out, sizeof io.out);
    while (n--) {
        if (!(parts & TW_FIXED_IDS)) tw_ids_next(&io.rng, &io.ids);
        tw_w_record(ids, tw_w_sampled(ids->trace, percent), parts); /* one writer for all */
    }
    return (uint32_t)len;
}

/* One request: resolves the URL in[0..url_len) against the base of the rule set at
 * arena[set..set+set_len), then matches the set's string rules.  Returns the index of the
 * first matching rule, -1 when none matches, -2 when the URL cannot be traced at all.  The
 * absolute URL is left at out (length meta[0]) and the base64 "host:port" sw8 peer right
 * after it (length meta[1]). */
TW_EXPORT int32_t tw_req(uint32_t set, uint32_t set_len, uint32_t url_len) {
    size_t n, p;
    const char *base;
    if (set > sizeof io.arena || set_len > sizeof io.arena - set || url_len > sizeof io.in)
        return -2;
    base = tw_rules_base(io.arena + set, set_len, &io.base_len);
    n = tw_url_resolve(io.out, sizeof io.out, base, io.base_len, (const char *)io.in, url_len);
    io.meta[0] = (int32_t)n;
    io.meta[1] = 0;
    if (!n) return -2;
    p = tw_url_peer(io.peer, sizeof io.peer, io.out, n);
    io.meta[1] = (int32_t)tw_b64(io.out + n, sizeof io.out - n, (const uint8_t *)io.peer, p);
    return tw_rules_match(io.arena + set, set_len, io.out, n);
}

/* Request-independent values, from strings laid end to end in in[]:
 * kind 0 tracestate (pid, sid), 1 baggage (pid, sid), 2 sw8 middle (service, instance,
 * endpoint).  Returns the length in out, 0 when the value must be left out. */
TW_EXPORT uint32_t tw_ctx(int kind, int app, uint32_t a, uint32_t b, uint32_t c) {
    const uint8_t *p = io.in;
    /* a | b | c bounds each, so the sum cannot wrap */
    if ((a | b | c) > sizeof io.in || a + b + c > sizeof io.in) return 0;
    return (uint32_t)tw_w_ctx(io.out, sizeof io.out, kind, app, p, a, p + a, b, p + a + b, c);
}
