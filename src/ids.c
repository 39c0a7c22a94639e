/* ids.c - the id generator and random trace, span and segment ids. */
#include "tw_w.h"

uint32_t tw_rng_next(tw_rng *r) {
    uint32_t *s = r->s, out;
    TW_W_STEP(out, s[0], s[1], s[2], s[3]);
    return out;
}

void tw_rng_seed(tw_rng *r, const uint8_t *seed, size_t n) {
    size_t i;
    uint32_t w[16];
    /* The seed's bytes go into the state as they are (on top of the entropy already there),
     * then 16 steps spread every bit of them over all four words. */
    for (i = 0; i < n; i++) r->s[i >> 2 & 3] ^= (uint32_t)seed[i] << (i & 3) * 8;
    /* xoshiro's one forbidden state is all-zero: it would only ever emit zeros. */
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3])) r->s[0] = 0x9e3779b9u;
    tw_w_ids(r, w, 1, 16);
}

void tw_w_words(uint32_t *w, const uint8_t *b, int n) {
    for (; n--; b += 4)
        *w++ = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

void tw_w_ids(tw_rng *rng, uint32_t *w, uint32_t n, int words) {
    /* the generator's state in locals for the whole batch: in the wasm2js twin every access
     * to memory is a typed-array access, the dearest thing an interpreter does (SPEC §5) */
    uint32_t s0 = rng->s[0], s1 = rng->s[1], s2 = rng->s[2], s3 = rng->s[3], x, any = 0, i;
    int k = 0, start = 0;
    for (i = 0; i < n * (uint32_t)words; i++) {
        TW_W_STEP(x, s0, s1, s2, s3);
        any |= w[i] = x;
        /* W3C trace-context: an all-zero trace id or parent id is invalid; draw it again, as
         * OpenTelemetry's RandomIdGenerator does.  k: the word's place in its record. */
        if (k == 3 || k == 5 || k == 9) {
            if (!any) i = start - 1, k = start % words - 1;
            start = i + 1, any = 0;
        }
        if (++k == words) k = 0;
    }
    rng->s[0] = s0, rng->s[1] = s1, rng->s[2] = s2, rng->s[3] = s3;
}

void tw_ids_next(tw_rng *r, tw_ids *ids) {
    uint32_t w[TW_W_WORDS];
    int i;
    tw_w_ids(r, w, 1, TW_W_WORDS);
    for (i = 0; i < 16; i++) {
        ids->trace[i] = (uint8_t)(w[i >> 2] >> (24 - 8 * (i & 3)));
        ids->segment[i] = (uint8_t)(w[6 + (i >> 2)] >> (24 - 8 * (i & 3)));
        if (i < 8) ids->span[i] = (uint8_t)(w[4 + (i >> 2)] >> (24 - 8 * (i & 3)));
    }
}

void tw_hex(char *dst, const uint8_t *src, size_t n) {
    static const char digits[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++) {
        dst[2 * i] = digits[src[i] >> 4];
        dst[2 * i + 1] = digits[src[i] & 15];
    }
}
