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

void tw_w_put(const void *s, const void *e, int how) {
    const uint8_t *p = s;
    uint32_t acc = 0, bits = 0;
    size_t start = tw_w_cur.n;
    for (; p < (const uint8_t *)e; p++) {
        unsigned c = *p;
        if (how == TW_B64) {
            /* RFC 4648: 6 bits a digit, as they come */
            for (acc = acc << 8 | c, bits += 8; bits >= 6;)
                tw_w_byte((int)tw_w_b64(acc >> (bits -= 6) & 63));
        } else if (how < TW_RAW && !tw_w_is((unsigned char)c, how)) {
            /* %XX, upper-case hex, computed: a 16-byte table costs the module more */
            tw_w_byte('%');
            tw_w_byte((int)((c >> 4) + ((c >> 4) < 10 ? '0' : 'A' - 10)));
            tw_w_byte((int)((c & 15) + ((c & 15) < 10 ? '0' : 'A' - 10)));
        } else {
            tw_w_byte((int)(how == TW_LOWER && c - 'A' < 26 ? c | 32 : c));
        }
    }
    if (how == TW_B64) {
        /* the last bits, then '=' to a whole number of 4-digit groups */
        if (bits) tw_w_byte((int)tw_w_b64(acc << (6 - bits) & 63));
        while ((tw_w_cur.n - start) & 3) tw_w_byte('=');
    }
}

uint32_t tw_w_b64(uint32_t v) {
    /* A-Z, a-z, 0-9, + and / */
    return v + (v < 26 ? 'A' : v < 52 ? 'a' - 26 : v < 62 ? '0' - 52 : v < 63 ? '+' - 62 : 47 - 63);
}

size_t tw_w_end(void) {
    return tw_w_cur.n <= tw_w_cur.cap ? tw_w_cur.n : 0;
}
