/* tw_w.h - internal: the one output writer that url.c and fmt.c build every string with.
 * Not part of the API (tw.h); the symbols carry the tw_w_ prefix so the wasm module and the
 * native tests see one namespace.
 *
 * There is one writer, a static one: each public formatter begins it, writes and ends it, and
 * none calls another formatter in between.  Passing a writer around instead costs a stack
 * frame per formatter and an argument per write, which the 4 KiB module cannot afford
 * (SPEC §5).  A writer counts every byte it is asked for but stores only those that fit, so a
 * chain of writes needs no checks in between; tw_w_end then answers the length, or 0 when
 * anything was cut (the tw.h formatter contract). */
#ifndef TW_W_H
#define TW_W_H

#include "tw.h"

/* For the byte tables: compilers align big arrays to 16, and the padding would be data in the
 * wasm module (SPEC §5). */
#if defined(__GNUC__) || defined(__clang__)
#define TW_BYTES __attribute__((aligned(1)))
#else
#define TW_BYTES
#endif

typedef struct tw_w {
    char *d;
    size_t n, cap;
} tw_w;

extern tw_w tw_w_cur;

/* Byte classes: which printable ASCII bytes a context keeps as they are.  Everything below
 * 0x21 or above 0x7E is in no class. */
enum {
    TW_C_PATH,       /* URL standard: path percent-encode set, complement */
    TW_C_QUERY,      /* special-query percent-encode set, complement */
    TW_C_FRAGMENT,   /* fragment percent-encode set, complement */
    TW_C_TRACESTATE, /* SPEC §3 tracestate fields */
    TW_C_URI,        /* encodeURIComponent's unreserved marks */
    TW_C_HOST,       /* host bytes that need no IDNA: letters, digits, - . _ */
    TW_C_SCHEME,     /* scheme bytes after the first: letters, digits, + - . */
    TW_C_IPV6        /* inside an IPv6 literal's brackets: hex digits, : . */
};

/* How tw_w_put writes: one of the classes above (bytes outside it become %XX, upper-case
 * hex), or one of these. */
enum {
    TW_RAW = 8, /* as it is */
    TW_LOWER,   /* as it is, A-Z lower-cased */
    TW_HEX,     /* two lower-case hex digits a byte */
    TW_B64,     /* RFC 4648 base64 with padding */
    TW_B64HEX   /* base64 of the hex digits (SkyWalking carries ids as text) */
};

int tw_w_is(unsigned char c, int cls);
void tw_w_begin(char *dst, size_t cap);
void tw_w_byte(int c);
/* writes [s, e) */
void tw_w_put(const void *s, const void *e, int how);
size_t tw_w_end(void);

/* tw_fmt_record into the current writer: the wasm glue writes a whole batch with one. */
void tw_w_record(const tw_ids *id, int sampled, unsigned parts);

/* tw_sampled(trace, tw_sample_threshold(percent)), the same decision without the
 * tw_threshold in between (sample.c). */
int tw_w_sampled(const uint8_t trace[16], double percent);

/* The context formatters of tw.h in one: kind 0 tracestate (s0 pid, s1 sid), 1 baggage
 * (likewise), 2 sw8 middle (service, instance, endpoint); other kinds give 0.  The wasm glue
 * calls this directly. */
size_t tw_w_ctx(char *dst, size_t cap, int kind, int app, const uint8_t *s0, size_t n0,
                const uint8_t *s1, size_t n1, const uint8_t *s2, size_t n2);

#endif
