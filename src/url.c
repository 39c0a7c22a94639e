/* url.c - resolving, normalising and matching http(s) URLs (SPEC §2 "URL matching").
 *
 * Every matcher sees the absolute URL, resolved as the URL standard does.  This is the
 * standard's parser cut down to the two special schemes the SDK can trace; where it would
 * need tables (IDNA for non-ASCII hosts, IPv4 number forms) the URL is refused instead, which
 * means "not traced", never "not sent". */
#include "tw_w.h"

#define W tw_w_cur

static const char HTTPS[] = "https://";

static int is_slash(char c) { return c == '/' || c == '\\'; } /* special URLs: \ is / */

static const char *skip_to(const char *p, const char *e, int a, int b) {
    while (p < e && *p != a && *p != b) p++;
    return p;
}

/* Appends the segments of path [p, e) to an output that ends in '/', removing dot segments
 * ("." and "..", in any of the standard's spellings: %2e, %2E); root is the index of the
 * path's leading '/', which ".." never removes. */
static void path(size_t root, const char *p, const char *e) {
    for (;;) {
        const char *q;
        size_t dots = 0; /* 1 ".", 2 "..", 3 and more: not a dot segment */
        for (q = p; q < e && !is_slash(*q); q++, dots++) {
            if (*q != '.') {
                if (e - q > 2 && q[0] == '%' && q[1] == '2' && (q[2] | 32) == 'e') q += 2;
                else dots += 3;
            }
        }
        if (dots == 2) {
            if (W.n > W.cap) return; /* already cut: the result is 0 anyway */
            while (W.n > root + 1 && W.d[--W.n - 1] != '/') {}
        } else if (dots != 1) {
            tw_w_put(p, q, TW_C_PATH);
            if (q < e) tw_w_byte('/');
        }
        if (q >= e) return;
        p = q + 1;
    }
}

/* Writes "host[:port]" of [p, e) (userinfo already skipped), the port only when it is not
 * the scheme's default.  Returns 0 when the authority is unusable. */
static int authority(const char *p, const char *e, int secure) {
    const char *h = p;
    unsigned port = 0;
    size_t mark;
    /* An IPv6 literal keeps its brackets; other hosts must need no IDNA (ASCII letters,
     * digits, '-', '.', '_'). */
    int v6 = p < e && *p == '[';
    p += v6;
    while (p < e && tw_w_is((unsigned char)*p, v6 ? TW_C_IPV6 : TW_C_HOST)) p++;
    if (p == h + v6 || (v6 && (p >= e || *p++ != ']')) || p - h > TW_HOST_MAX) return 0;
    tw_w_put(h, p, TW_LOWER);
    if (p < e) {
        if (*p++ != ':') return 0;
        mark = W.n;
        tw_w_byte(':');
        for (; p < e; p++) {
            unsigned d = (unsigned)(*p - '0');
            if (d > 9 || (port = port * 10 + d) > 65535) return 0;
            if (port || p == e - 1) tw_w_byte(*p); /* "0080" is port 80 */
        }
        /* no digits, or the default port: no port at all */
        if (W.n == mark + 1 || port == (secure ? 443u : 80u)) W.n = mark;
    }
    return 1;
}

size_t tw_url_origin_len(const char *u, size_t len) {
    size_t i, j = 0;
    /* "http://" or "https://", then the first '/' */
    for (i = 0; i < len; i++) {
        if (j < 8) {
            if (j == 4 && u[i] != 's') j++;
            if (u[i] != HTTPS[j++]) return 0;
        } else if (u[i] == '/') {
            return i;
        }
    }
    return 0;
}

size_t tw_url_resolve(char *dst, size_t cap, const char *base, size_t base_len,
                      const char *ref, size_t ref_len) {
    const char *p = ref, *e = ref + ref_len, *q, *pe, *bx, *a;
    size_t origin = tw_url_origin_len(base, base_len), root;
    int secure = origin && base[4] == 's', relative = origin != 0;

    tw_w_begin(dst, cap);
    /* The standard strips leading and trailing C0 controls and spaces, and removes tabs and
     * newlines anywhere; a URL with those inside is refused rather than copied twice. */
    while (p < e && (unsigned char)*p <= 0x20) p++;
    while (e > p && (unsigned char)e[-1] <= 0x20) e--;
    if (skip_to(p, e, '\t', '\n') < e || skip_to(p, e, '\r', '\r') < e) return 0;

    for (q = p; q < e && tw_w_is((unsigned char)*q, TW_C_SCHEME);) q++;
    if (q < e && *q == ':' && (unsigned)((*p | 32) - 'a') < 26) { /* a letter first */
        size_t n = (size_t)(q - p), i;
        /* data:, blob:, about:, javascript: ... are never traced */
        if (n - 4 > 1) return 0;
        for (i = 0; i < n; i++)
            if ((p[i] | 32) != HTTPS[i]) return 0;
        p = q + 1;
        /* "http:x" against an http base is relative; against an https base it names host x */
        n -= 4; /* 1 for https, 0 for http */
        relative = relative && n == (size_t)secure;
        secure = (int)n;
    } else if (!relative) {
        return 0; /* a relative reference needs a base */
    }
    for (q = p; q < e && is_slash(*q);) q++;
    relative = relative && q - p < 2; /* "//host" is scheme-relative */

    if (!relative) {
        tw_w_put(HTTPS, HTTPS + 4 + secure, TW_RAW);
        tw_w_put(HTTPS + 5, HTTPS + 8, TW_RAW);
        p = q; /* any number of slashes */
        /* Credentials are dropped: origins compare without them, and spans never carry them. */
        q = skip_to(p, skip_to(p, e, '/', '\\'), '?', '#');
        for (a = q; a > p && a[-1] != '@'; a--) {}
        if (!authority(a, q, secure)) return 0;
        p = q;
    }
    pe = skip_to(p, e, '?', '#');
    if (!relative) {
        root = W.n;
        tw_w_byte('/');
        p += p < pe; /* the path's leading slash */
    } else {
        /* tw.h: the base is a URL this function produced, so its origin and path need no
         * dot removal nor escaping again, and a prefix of it is copied as it is. */
        root = origin;
        if (p < pe && is_slash(*p)) {
            bx = base + origin + 1;
            p++;
        } else {
            bx = skip_to(base + origin, base + base_len, '?', '#');
            if (p < pe) {
                while (bx[-1] != '/') bx--; /* the base's directory */
            } else if (p == e || *p == '#') {
                bx = skip_to(bx, base + base_len, '#', '#'); /* "" and "#f" keep its query */
            }
        }
        tw_w_put(base, bx, TW_RAW);
    }
    path(root, p, pe);
    /* query, then fragment, each with its leading '?' or '#', which their sets keep */
    q = skip_to(pe, e, '#', '#');
    tw_w_put(pe, q, TW_C_QUERY);
    tw_w_put(q, e, TW_C_FRAGMENT);
    return tw_w_end();
}

size_t tw_url_peer(char *dst, size_t cap, const char *u, size_t len) {
    size_t origin = tw_url_origin_len(u, len), i;
    const char *q, *port;
    char c = 0;
    if (!origin) return 0;
    tw_w_begin(dst, cap);
    i = 7 + (u[4] == 's'); /* the host, after "http://" or "https://" */
    tw_w_put(u + i, u + origin, TW_RAW);
    /* The port follows the last ':' that is not inside an IPv6 literal's brackets; without
     * one, the scheme's default is written out: ":443" for https (i 8), ":80" for http. */
    for (q = u + i; (q = skip_to(q, u + origin, ':', ']')) < u + origin; q++) c = *q;
    port = &":443:80"[(8 - i) * 4];
    if (c != ':') tw_w_put(port, port + i - 4, TW_RAW);
    return tw_w_end();
}

/* A rule set's entry at p: [length lo][length hi][bytes].  Its length, or -1 when the set
 * ends there (nothing left, or a truncated entry). */
static long entry(const uint8_t *p, const uint8_t *e) {
    size_t n;
    if (e - p < 2) return -1;
    n = (size_t)p[0] | (size_t)p[1] << 8;
    return n > (size_t)(e - p - 2) ? -1 : (long)n;
}

const char *tw_rules_base(const uint8_t *set, size_t set_len, size_t *len) {
    long n = entry(set, set + set_len);
    *len = n < 0 ? 0 : (size_t)n;
    return n < 0 ? 0 : (const char *)set + 2;
}

int tw_rules_match(const uint8_t *set, size_t set_len, const char *url, size_t url_len) {
    const uint8_t *p = set, *e = set + set_len;
    size_t k;
    long n;
    int index = -1; /* the first entry is the base */
    for (; (n = entry(p, e)) >= 0; p += 2 + n, index++) {
        /* Rule and url are both normalised, so "starts with" is a byte compare.  An empty
         * rule matches nothing. */
        if (index < 0 || (size_t)n - 1 >= url_len) continue; /* n is 0 or above url_len */
        for (k = (size_t)n; k && p[1 + k] == (uint8_t)url[k - 1]; k--) {}
        if (!k) return index;
    }
    return -1;
}
