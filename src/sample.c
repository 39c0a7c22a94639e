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

/* R is the last 56 bits: bytes 9..15, big-endian as the hex reads, held as hi (24 bits) and
 * lo (32 bits). */
static double r_hi(const uint8_t trace[16]) {
    return (double)((uint32_t)trace[9] << 16 | (uint32_t)trace[10] << 8 | trace[11]);
}
static double r_lo(const uint8_t trace[16]) {
    return (double)((uint32_t)trace[12] << 24 | (uint32_t)trace[13] << 16 |
                    (uint32_t)trace[14] << 8 | trace[15]);
}

int tw_sampled(const uint8_t trace[16], tw_threshold t) {
    double hi = r_hi(trace), lo = r_lo(trace);
    return hi > t.hi || (hi == t.hi && lo >= t.lo);
}

/* tw_sampled(trace, tw_sample_threshold(percent)) without computing T, which the wasm glue
 * asks for every id: R >= (1 - p/100) * 2^56 iff 100 * R + p * 2^56 >= 100 * 2^56.  With
 * p * 2^56 = ph * 2^32 + pl and R = hi * 2^32 + lo that is
 * (100 * hi + ph - 100 * 2^24) * 2^32 + 100 * lo + pl >= 0, where the first factor is a
 * whole number below 2^32 in magnitude and the rest is below 101 * 2^32: every term is exact,
 * and the sum is exact whenever its sign could depend on the last bits. */
int tw_w_sampled(const uint8_t trace[16], double p) {
    double ph;
    if (!(p >= 0 && p <= 100)) p = 100;
    ph = __builtin_floor(p * 16777216.0);
    return (100 * r_hi(trace) + ph - 1677721600.0) * 4294967296.0 + 100 * r_lo(trace) +
               (p * 16777216.0 - ph) * 4294967296.0 >= 0;
}
