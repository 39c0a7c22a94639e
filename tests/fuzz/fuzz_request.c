/* libFuzzer target: the whole "one request" path as the wasm glue runs it (src/wasm.c
 * tw_req + tw_batch + the sw8 value): resolve a URL against a page, match string rules, format
 * the id record from the input's own bytes as ids, and the full sw8 value.  Checks: every
 * header value is printable ASCII (no CR, LF or NUL ever), lengths are the documented ones. */
#include <stdlib.h>
#include <string.h>
#include "tw.h"

static char abs_url[TW_OUT_CAP], rec[512], sw8[4 * TW_IN_CAP];
static uint8_t set[TW_ARENA_CAP];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char page[] = "https://shop.example.com/app/cart?x=1";
    static const char rule[] = "https://api.example.com/";
    tw_ids ids;
    size_t n, r, i, o = 0;
    unsigned parts;
    if (size < sizeof ids + 1 || size > TW_IN_CAP) return 0;
    memcpy(&ids, data, sizeof ids);
    parts = data[sizeof ids] & 7;
    data += sizeof ids + 1, size -= sizeof ids + 1;

    set[o++] = sizeof page - 1, set[o++] = 0, memcpy(set + o, page, sizeof page - 1), o += sizeof page - 1;
    set[o++] = sizeof rule - 1, set[o++] = 0, memcpy(set + o, rule, sizeof rule - 1), o += sizeof rule - 1;
    n = tw_url_resolve(abs_url, sizeof abs_url, page, sizeof page - 1, (const char *)data, size);
    if (!n) return 0;
    (void)tw_rules_match(set, o, abs_url, n);

    r = tw_fmt_record(rec, sizeof rec, &ids, ids.trace[15] & 1, parts);
    if (r != tw_record_len(parts)) abort();
    for (i = 0; i < r; i++)
        if ((unsigned char)rec[i] <= 0x20 || (unsigned char)rec[i] >= 0x7f) abort();
    r = tw_fmt_sw8(sw8, sizeof sw8, &ids, 1, data, size / 3, data + size / 3, size / 3,
                   data + 2 * (size / 3), size - 2 * (size / 3), abs_url, n);
    if (!r) abort();
    for (i = 0; i < r; i++)
        if ((unsigned char)sw8[i] <= 0x20 || (unsigned char)sw8[i] >= 0x7f) abort();
    return 0;
}
