/* libFuzzer target: URL resolution, origin, peer and rule matching (src/url.c) on any bytes.
 * Input: [base length byte][base bytes][ref bytes]; the base is first made a real engine base
 * (tw.h: bases are URLs tw_url_resolve produced).  Invariants checked beyond "no crash":
 * a result fits its cap, is a fixed point of resolution, has an origin and a peer, and never
 * holds a byte outside printable ASCII (so no header built from it can carry CR or LF). */
#include <stdlib.h>
#include <string.h>
#include "tw.h"

static char base[TW_OUT_CAP], out[TW_OUT_CAP], again[TW_OUT_CAP];
static uint8_t set[TW_ARENA_CAP];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    size_t bl, blen, n, i, o, s;
    char peer[TW_PEER_MAX];
    if (size < 1) return 0;
    bl = data[0] < size - 1 ? data[0] : size - 1;
    blen = tw_url_resolve(base, sizeof base, "", 0, (const char *)data + 1, bl);
    n = tw_url_resolve(out, sizeof out, base, blen, (const char *)data + 1 + bl, size - 1 - bl);
    if (!n) return 0;
    if (n > sizeof out) abort();
    for (i = 0; i < n; i++)
        if ((unsigned char)out[i] <= 0x20 || (unsigned char)out[i] >= 0x7f) abort();
    if (tw_url_resolve(again, sizeof again, "", 0, out, n) != n || memcmp(again, out, n)) abort();
    if (!tw_url_origin_len(out, n) || !tw_url_peer(peer, sizeof peer, out, n)) abort();
    /* a rule set from the same bytes: base, then the input cut into rules of 1..16 bytes */
    o = 0;
    set[o++] = (uint8_t)blen, set[o++] = (uint8_t)(blen >> 8);
    memcpy(set + o, base, blen), o += blen;
    for (i = 1 + bl; i < size && o + 18 < sizeof set; i += s) {
        s = 1 + data[i] % 16;
        if (s > size - i) s = size - i;
        set[o++] = (uint8_t)s, set[o++] = 0;
        memcpy(set + o, data + i, s), o += s;
    }
    s = (size_t)tw_rules_match(set, o, out, n);
    (void)s;
    /* and every truncation of the set */
    (void)tw_rules_match(set, o / 2, out, n);
    return 0;
}
