/* write.c - the shared output writer (tw_w.h). */
#include "tw_w.h"

tw_w tw_w_cur;

/* Bit k of CLASS[c - 0x21] says byte c is in class k (the enum in tw_w.h); one byte per
 * printable character instead of one bit-row per class makes the lookup a single load.
 * Computed from the class definitions and checked byte by byte against them in
 * tests/c/test_engine.c. */
static const uint8_t CLASS[94] TW_BYTES = {
    0x1f, 0x08, 0x0c, 0x0f, 0x07, 0x07, 0x1d, 0x1f, /* ! " # $ % & ' ( */
    0x1f, 0x1f, 0x4f, 0x07, 0x7f, 0xff, 0x0f,       /* ) * + , - . / */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* 0-9 */
    0x8f, 0x0f, 0x08, 0x07, 0x08, 0x0e, 0x0f,                   /* : ; < = > ? @ */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, /* A-M */
    0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, /* N-Z */
    0x0f, 0x0f, 0x0f, 0x0f, 0x3f, 0x0a,                                           /* [ \ ] ^ _ ` */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, /* a-m */
    0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, /* n-z */
    0x0e, 0x0f, 0x0e, 0x1f,                                                       /* { | } ~ */
};

int tw_w_is(unsigned char c, int cls) {
    unsigned i = (unsigned)c - 0x21;
    return i < sizeof CLASS && (CLASS[i] >> cls & 1);
}

void tw_w_begin(char *dst, size_t cap) {
    tw_w_cur.d = dst;
    tw_w_cur.n = 0;
    tw_w_cur.cap = cap;
}

void tw_w_byte(int c) {
    if (tw_w_cur.n < tw_w_cur.cap) tw_w_cur.d[tw_w_cur.n] = (char)c;
    tw_w_cur.n++;
}

/* Hex digit of d & 15, upper-case, or lower-case when lower is 32 ('0'-'9' have that bit). */
static int digit(unsigned d, int lower) {
    d &= 15;
    return (int)(d + (d < 10 ? '0' : 'A' - 10)) | lower;
}

/* The base64 digit of v (0-63), computed: a 64-byte alphabet costs more than the code. */
static int b64_digit(unsigned v) {
    return (int)(v + 'A' + (v > 25) * 6 - (v > 51) * 75 - (v > 61) * (15 + 62 * 3 - v * 3));
}

/* Byte j of the base64 input: s[j], or hex digit j of s; 0 past the end. */
static unsigned src(const uint8_t *s, size_t n, size_t j, int hex) {
    if (j >= n) return 0;
    return hex ? (unsigned)digit(s[j >> 1] >> (j & 1 ? 0 : 4), 32) : s[j];
}

static void b64(const uint8_t *s, size_t n, int hex) {
    size_t k, b;
    if (hex) n *= 2;
    /* Digit k holds input bits 6k..6k+5, which start in byte b; it is padding when that is
     * past the input.  (n is at most a third of the address space: dst holds 4n/3 bytes.) */
    for (k = 0; k < (n + 2) / 3 * 4; k++) {
        unsigned v;
        b = k * 3 / 4;
        v = src(s, n, b, hex) << 8 | src(s, n, b + 1, hex);
        tw_w_byte(b >= n ? '=' : b64_digit(v >> (10 - (k * 6 & 7)) & 63));
    }
}

void tw_w_put(const void *s, const void *e, int how) {
    const uint8_t *p = s;
    size_t n = (size_t)((const uint8_t *)e - p);
    /* Ids are most of what the engine writes (a traceparent per request): hex is written
     * straight, without a call per byte; when it does not fit, only counted (the result is
     * 0 then anyway). */
    if (how == TW_HEX) {
        char *d = tw_w_cur.d;
        if (tw_w_cur.n <= tw_w_cur.cap && n <= (tw_w_cur.cap - tw_w_cur.n) / 2)
            for (d += tw_w_cur.n; p < (const uint8_t *)e; p++) {
                *d++ = "0123456789abcdef"[*p >> 4];
                *d++ = "0123456789abcdef"[*p & 15];
            }
        tw_w_cur.n += 2 * n;
        return;
    }
    if (how >= TW_B64) {
        b64(p, (size_t)((const uint8_t *)e - p), how == TW_B64HEX);
        return;
    }
    while (p < (const uint8_t *)e) {
        unsigned c = *p++;
        if (how == TW_LOWER && c - 'A' < 26) c |= 32;
        if (how >= TW_RAW || tw_w_is((unsigned char)c, how)) {
            tw_w_byte((int)c);
        } else {
            tw_w_byte('%');
            tw_w_byte(digit(c >> 4, 0));
            tw_w_byte(digit(c, 0));
        }
    }
}

size_t tw_w_end(void) {
    return tw_w_cur.n <= tw_w_cur.cap ? tw_w_cur.n : 0;
}
