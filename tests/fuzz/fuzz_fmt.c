/* libFuzzer target: escaping, base64 and every context formatter (src/fmt.c) on any bytes.
 * Input: [split byte][pid][sid]; checks beyond "no crash": escaped text decodes back to the
 * input, base64 decodes back, every value stays inside its header grammar (printable ASCII,
 * never CR or LF), tracestate and baggage honour their length limits. */
#include <stdlib.h>
#include <string.h>
#include "tw.h"

static char a[3 * 4096 + 64], b[3 * 4096 + 64], c[8 * 4096];

static int hexv(int ch) { return ch <= '9' ? ch - '0' : ch - 'A' + 10; }

/* percent-decodes s and compares with want */
static void roundtrip(const char *s, size_t n, const uint8_t *want, size_t wn) {
    size_t i, k = 0;
    for (i = 0; i < n; i++, k++) {
        uint8_t v = (uint8_t)s[i];
        if (s[i] == '%') {
            if (i + 2 >= n) abort();
            v = (uint8_t)(hexv(s[i + 1]) << 4 | hexv(s[i + 2]));
            i += 2;
        }
        if (k >= wn || v != want[k]) abort();
    }
    if (k != wn) abort();
}

static void printable(const char *s, size_t n) {
    size_t i;
    for (i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    size_t split, pn, sn, n, i;
    const uint8_t *pid, *sid;
    if (size < 1 || size > 4096) return 0;
    split = data[0] < size - 1 ? data[0] : size - 1;
    pid = data + 1, pn = split, sid = data + 1 + split, sn = size - 1 - split;

    n = tw_esc_tracestate(a, sizeof a, pid, pn);
    printable(a, n);
    for (i = 0; i < n; i++)
        if (a[i] == ',' || a[i] == '=' || a[i] == '&' || a[i] == ' ') abort();
    roundtrip(a, n, pid, pn);
    n = tw_esc_uri(b, sizeof b, sid, sn);
    printable(b, n);
    roundtrip(b, n, sid, sn);

    n = tw_b64(c, sizeof c, pid, pn);
    if (n != TW_B64_LEN(pn)) abort();
    printable(c, n);

    n = tw_fmt_tracestate(c, sizeof c, data[0] & 1, pid, pn, sid, sn);
    printable(c, n);
    if (n && (n - 4 > TW_TRACESTATE_VALUE_MAX || memcmp(c, "rum=2&", 6))) abort();
    n = tw_fmt_baggage(c, sizeof c, data[0] & 1, pid, pn, sid, sn);
    printable(c, n);
    if (n > TW_BAGGAGE_MAX) abort();
    n = tw_fmt_sw8_ctx(c, sizeof c, pid, pn, sid, sn, pid, pn);
    printable(c, n);
    if (!n) abort(); /* c holds every possible length */
    /* and with caps below the needed one: 0, and nothing written past cap */
    n = tw_fmt_tracestate(c, sizeof c, 0, pid, pn, sid, sn);
    for (i = 0; i < n && i < 64; i++) {
        size_t k;
        memset(a, 0x5a, 64);
        if (tw_fmt_tracestate(a, i, 0, pid, pn, sid, sn) != 0) abort();
        for (k = i; k < 64; k++)
            if (a[k] != 0x5a) abort();
    }
    return 0;
}
