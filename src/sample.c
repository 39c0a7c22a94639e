/* sample.c - consistent probability sampling on the trace id (SPEC §3). */
#include "tw_w.h"

/* T = ceil((1 - p/100) * 2^56) = ceil((100 * 2^56 - p * 2^56) / 100), returned as hi and
 * *lo (T = hi * 2^32 + lo).  T needs 56 bits, more than a double holds, so it is found by long
 * division in base 2^32, each step a whole number below 2^53 that a double holds exactly:
 * exact whenever p * 2^56 is whole, which is every double from 1/16 to 100 and 0; smaller
 * percents are within one unit of 2^-56.  SPEC §2: anything but a number in 0..100 means the
 * default, 100; written so that NaN fails the test. */
static double threshold(double p, double *lo) {
    double ph, pl, nh, hi, x, q;
    if (!(p >= 0 && p <= 100)) p = 100;
    ph = __builtin_floor(p * 16777216.0); /* p * 2^56 = ph * 2^32 + pl */
    pl = (p * 16777216.0 - ph) * 4294967296.0;
    nh = 1677721600.0 - ph - (pl > 0); /* N = nh * 2^32 + (pl > 0 ? 2^32 - pl : 0) */
    hi = __builtin_floor(nh / 100);
    x = (nh - hi * 100) * 4294967296.0 + (pl > 0 ? 4294967296.0 - pl : 0);
    q = __builtin_floor(x / 100);
    q += x > q * 100; /* ceil */
    if (q == 4294967296.0) hi++, q = 0;
    *lo = q;
    return hi;
}

tw_threshold tw_sample_threshold(double percent) {
    tw_threshold t;
    t.hi = threshold(percent, &t.lo);
    return t;
}

/* R is the last 56 bits: bytes 9..15, big-endian as the hex reads, word 2's low 24 bits
 * (hi) and word 3 (lo).  Compared as doubles, which hold both exactly. */
int tw_sampled(const uint8_t trace[16], tw_threshold t) {
    uint32_t w[4];
    double hi;
    tw_w_words(w, trace, 4);
    hi = (double)(w[2] & 0xffffff);
    return hi > t.hi || (hi == t.hi && (double)w[3] >= t.lo);
}

/* The batches decide without T, whose long division costs the module more than this:
 * R >= (1 - p/100) * 2^56 iff 100 * R + p * 2^56 >= 100 * 2^56.  With p * 2^56 = ph * 2^32 +
 * pl and R = hi * 2^32 + lo that is (100 * hi + ph - 100 * 2^24) * 2^32 + 100 * lo + pl >= 0,
 * where the first factor is a whole number below 2^32 in magnitude and the rest is below
 * 101 * 2^32: every term is exact, and the sum is exact whenever its sign could depend on the
 * last bits.  a = ph - 100 * 2^24 and b = pl are the batch's, once. */
void tw_w_rate_of(tw_w_rate *r, double p) {
    if (!(p >= 0 && p <= 100)) p = 100; /* SPEC §2, written so that NaN fails the test */
    r->a = __builtin_floor(p * 16777216.0);
    r->b = (p * 16777216.0 - r->a) * 4294967296.0;
    r->a -= 1677721600.0;
}

int tw_w_sampled(const uint32_t *w, const tw_w_rate *r) {
    return (100 * (double)(w[2] & 0xffffff) + r->a) * 4294967296.0 + 100 * (double)w[3] +
               r->b >= 0;
}
