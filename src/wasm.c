/* wasm.c - the WebAssembly boundary: the one static engine instance, its I/O regions and
 * the exports the JS host calls (js/engine.js).  The only file that knows about Emscripten.
 *
 * Boundary design (at most one call per request, none for a URL seen before; string rules
 * cost nothing):
 *   - ids come in batches: tw_batch draws the ids of n records and formats them at once, the
 *     host decodes them with one string conversion and slices one record per request;
 *   - tw_req resolves the request URL, runs every string rule of the tracer's rule set and
 *     leaves the absolute URL in the output region, in one call.
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
    tw_w_rate rate; /* the batch's sample rate */
    size_t base_len;
    int32_t meta[4];
    uint8_t in[TW_IN_CAP] __attribute__((aligned(4))); /* also the host's id words (tests) */
    tw_w_tables tables;
    uint8_t arena[TW_ARENA_CAP];
    /* every offset and size in tw_buf fits 16 bits; words, for the batch records */
    uint32_t out[TW_OUT_CAP / 4];
} io;

#define OUT ((char *)io.out)

/* Address or size of a region: 0 in, 1 in cap, 2 out, 3 out cap, 4 arena, 5 arena cap,
 * 6 meta (int32 results of the last call), 7 tables size, 8 the record writer's tables
 * (tw_w.h, which the host fills), 9 generator state size, 10 the generator's state (tw_rng:
 * the host seeds it, XORing random bytes into it), else 0. */
TW_EXPORT uint32_t tw_buf(int i) {
    static const uint16_t at[] __attribute__((aligned(2))) = {
        offsetof(struct io, in), sizeof io.in, offsetof(struct io, out), sizeof io.out,
        offsetof(struct io, arena), sizeof io.arena, offsetof(struct io, meta),
        sizeof io.tables, offsetof(struct io, tables), sizeof io.rng, offsetof(struct io, rng)};
    if ((unsigned)i > 10) return 0;
    return at[i] + (i & 1 ? 0 : (uint32_t)(uintptr_t)&io);
}

#define TW_FIXED_IDS 0x100 /* tests: one record from the 10 id words at in[] */
#define TW_RAW_IDS 0x200   /* the ids alone, whose bytes the host turns into hex itself */

/* Formats n id records of fresh ids with parts (TW_REC_*) into out, end to end, each sampled
 * at the rate (a, b) (tw_w.h; the host computes it from the percent, js/engine.js), or with
 * TW_RAW_IDS leaves their ids alone.  Returns the record length, or 0 when n records do not
 * fit (the host asks for fewer).  The host seeds
 * first (js/engine.js does when it loads a module): the unseeded all-zero state is the one
 * xoshiro never leaves, and the host never leaves it so. */
TW_EXPORT uint32_t tw_batch(uint32_t n, double a, double b, uint32_t parts) {
    uint32_t *ids = (uint32_t *)(void *)io.in; /* fixed ids (tests): tw_w.h's words */
    if (parts & TW_FIXED_IDS) n = 1;
    /* none, or more than fit: a record and its ids take at most 36 + 10 words */
    if (n - 1 >= sizeof io.out / 4 / (TW_W_RECORD_WORDS + TW_W_WORDS)) return 0;
    io.rate.a = a, io.rate.b = b;
    if (!(parts & TW_FIXED_IDS)) {
        /* the ids go at the end of out, the records they become from its start */
        ids = io.out + sizeof io.out / 4 - n * TW_W_WORDS;
        tw_w_ids(&io.rng, ids, n, parts & TW_REC_SW8 ? TW_W_WORDS : 6);
    }
    /* raw: the host reads the ids' 24 bytes a record from the end of out (the words of
     * little-endian memory make other ids than the records would show, all as random), and
     * the flags from the rate, which is then 0 or 100 */
    if (parts & TW_RAW_IDS) return 24;
    tw_w_records(io.out, ids, n, &io.rate, parts, &io.tables);
    return 4 * tw_w_record_words(parts);
}

/* One request: resolves the URL in[0..url_len) against the base of the rule set at
 * arena[set..set+set_len), then matches the set's string rules.  Returns the index of the
 * first matching rule, -1 when none matches, -2 when the URL cannot be traced at all.  The
 * absolute URL is left at out (length meta[0]). */
TW_EXPORT int32_t tw_req(uint32_t set, uint32_t set_len, uint32_t url_len) {
    size_t n;
    const char *base;
    if (set > sizeof io.arena || set_len > sizeof io.arena - set || url_len > sizeof io.in)
        return -2;
    base = tw_rules_base(io.arena + set, set_len, &io.base_len);
    n = tw_url_resolve(OUT, sizeof io.out, base, io.base_len, (const char *)io.in, url_len);
    io.meta[0] = (int32_t)n;
    return n ? tw_rules_match(io.arena + set, set_len, OUT, n) : -2;
}

/* Context values, from strings laid end to end in in[]: kind 0 tracestate (pid, sid), 1
 * baggage (pid, sid), 2 sw8 middle (service, instance, endpoint), 3 base64 of the first (the
 * sw8 peer, which the host takes from the absolute URL, as tw_url_peer does); app 1 for
 * miniapp.  Returns the length in out (0 for another kind).  The host applies SPEC §3's
 * limits and sw8's default instance (js/engine.js), as tw.h's formatters do. */
TW_EXPORT uint32_t tw_ctx(uint32_t kind, int app, uint32_t a, uint32_t b, uint32_t c) {
    const uint8_t *p = io.in;
    /* a | b | c bounds each, so the sum cannot wrap */
    if (kind > 3 || (a | b | c) > sizeof io.in || a + b + c > sizeof io.in) return 0;
    return (uint32_t)tw_w_ctx(OUT, sizeof io.out, (int)kind, app, p, a, p + a, b, p + a + b, c);
}
