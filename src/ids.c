/* ids.c - random trace, span and segment ids. */
#include "tw_w.h"

#define ROTL(x, k) ((x) << (k) | (x) >> (32 - (k))) /* one i32.rotl */

/* murmur3's finaliser: spreads every seed bit over the whole word, so a seed that differs in
 * one byte gives an unrelated state. */
static uint32_t mix32(uint32_t h) {
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    return h ^ (h >> 16);
}

uint32_t tw_rng_next(tw_rng *r) {
    uint32_t *s = r->s;
    uint32_t x = s[1] * 5, out = ROTL(x, 7) * 9, t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = ROTL(s[3], 11);
    return out;
}

void tw_rng_seed(tw_rng *r, const uint8_t *seed, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        uint32_t *w = &r->s[(i >> 2) & 3];
        *w = mix32(*w ^ ((uint32_t)seed[i] << ((i & 3) * 8)) ^ (uint32_t)(i + 1) * 0x9e3779b9u);
    }
    /* xoshiro's one forbidden state is all-zero: it would only ever emit zeros. */
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3])) r->s[0] = 0x9e3779b9u;
    for (i = 8; i--;) tw_rng_next(r);
}

static void fill(tw_rng *r, uint8_t *dst, size_t n) {
    size_t i;
    uint32_t x = 0, any;
    do {
        for (any = 0, i = 0; i < n; i++, x >>= 8) {
            if (!(i & 3)) any |= x = tw_rng_next(r);
            dst[i] = (uint8_t)x;
        }
        /* W3C trace-context: an all-zero trace id or parent id is invalid; redraw, as
         * OpenTelemetry's RandomIdGenerator does. */
    } while (!any);
}

void tw_ids_next(tw_rng *r, tw_ids *ids) {
    fill(r, ids->trace, 16);
    fill(r, ids->span, 8);
    fill(r, ids->segment, 16);
}

void tw_hex(char *dst, const uint8_t *src, size_t n) {
    static const char digits[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++) {
        dst[2 * i] = digits[src[i] >> 4];
        dst[2 * i + 1] = digits[src[i] & 15];
    }
}
