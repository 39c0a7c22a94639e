/* tw_w.h - internal: the output writer that url.c and fmt.c build strings with, and the id
 * words the record writer works on.  Not part of the API (tw.h); the symbols carry the tw_w_
 * prefix so the wasm module and the native tests see one namespace.
 *
 * There is one writer, a static one: each public formatter begins it, writes and ends it, and
 * none calls another formatter in between.  Passing a writer around instead costs a stack
 * frame per formatter and an argument per write, which the 4 KiB module cannot afford
 * (SPEC §5).  A writer counts every byte it is asked for but stores only those that fit, so a
 * chain of writes needs no checks in between; tw_w_end then answers the length, or 0 when
 * anything was cut (the tw.h formatter contract).
 *
 * Id records do not go through the writer: they have fixed lengths, and the batch of them
 * that the host asks for is most of what the engine ever writes (SPEC §5: per-request cost). */
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
    TW_B64      /* RFC 4648 base64 with padding */
};

int tw_w_is(unsigned char c, int cls);
void tw_w_begin(char *dst, size_t cap);
void tw_w_byte(int c);
/* writes [s, e) */
void tw_w_put(const void *s, const void *e, int how);
size_t tw_w_end(void);

/* The base64 digit (RFC 4648's alphabet) of v, 0..63: computed, as a 64-byte alphabet costs
 * the module more than the code. */
uint32_t tw_w_b64(uint32_t v);

#define TW_W_ROTL(x, k) ((x) << (k) | (x) >> (32 - (k))) /* one i32.rotl */

/* xoshiro128++ 1.0 (Blackman and Vigna): one step of the state s0..s3, its output in out.
 * The ++ scrambler rather than **: as good statistically, without the two multiplications,
 * each a call in the wasm2js twin under an interpreter (SPEC §5: iOS mini programs). */
#define TW_W_STEP(out, s0, s1, s2, s3)                                                      \
    do {                                                                                    \
        uint32_t t_ = s1 << 9;                                                              \
        out = TW_W_ROTL(s0 + s3, 7) + s0;                                                   \
        s2 ^= s0;                                                                           \
        s3 ^= s1;                                                                           \
        s1 ^= s2;                                                                           \
        s0 ^= s3;                                                                           \
        s2 ^= t_;                                                                           \
        s3 = TW_W_ROTL(s3, 11);                                                             \
    } while (0)

/* Ids as 32-bit words, the id's bytes big-endian (word 0 holds bytes 0..3, so its hex is the
 * id's first 8 digits): trace 0..3, span 4..5, segment 6..9.  Whole words are what the
 * generator gives and what the hex writer takes; the bytes of tw_ids are only the API's. */
#define TW_W_WORDS 10

/* tw_ids bytes -> words: n words from 4n bytes. */
void tw_w_words(uint32_t *w, const uint8_t *bytes, int n);

/* A sample rate as the batches use it (sample.c): tw_sampled's decision without T.  The
 * host computes it as tw_w_rate_of does (js/engine.js): the module has no room for both. */
typedef struct tw_w_rate {
    double a, b;
} tw_w_rate;
void tw_w_rate_of(tw_w_rate *r, double percent);
/* 1 when the trace id in words w[0..3] is sampled at r */
int tw_w_sampled(const uint32_t *w, const tw_w_rate *r);

/* Batch records, as the host slices them: 32-bit words, each record a whole number of them,
 * so that every store is one aligned word store (in the wasm2js twin one typed-array store
 * for 4 characters instead of 4).  A record is a space and the traceparent (55 characters):
 * 14 words; with TW_REC_SW8 then the base64 of the trace id's hex and of the segment id's (44
 * each, SkyWalking carries ids as text): 36 words.  The host takes the other headers' values
 * from these (a few concatenations cost it less than a record of every header would cost the
 * module). */
#define TW_W_RECORD_WORDS 36
#define TW_W_TRACEPARENT_AT 1 /* where the traceparent starts */
#define TW_W_SW8_AT 56        /* where the base64 ids start */
uint32_t tw_w_record_words(unsigned parts);

/* The ids of n records from the generator into w, words a record (6: trace and span, or 10:
 * and the segment), none all-zero. */
void tw_w_ids(tw_rng *rng, uint32_t *w, uint32_t n, int words);

/* The record writer's tables (as data or code they would not fit the 4 KiB module, SPEC §5):
 * hex[b] holds byte b's 2 hex digits, b64[v] the 4 base64 digits of v's 3 hex digits (sw8
 * records only), the first in the low byte.  A record's hex is then a table read a byte, its
 * base64 a table read per 12 bits of id.  The host fills them (js/engine.js, at tw_buf(8)):
 * hex is the text "000102...ff" as it is; b64, on the first sw8 batch, is put together from
 * the module's own base64 (tw_ctx) of "ab0" and of "0bc" for every two hex digits, as an
 * entry's first two base64 digits depend only on its first two hex digits and its last two
 * only on its last two.  tw_w_fill fills both for the native formatters. */
typedef struct tw_w_tables {
    uint16_t hex[256];
    uint32_t b64[4096];
} tw_w_tables;

void tw_w_fill(tw_w_tables *t);

/* n records at out from the ids in w (words a record: 10 with TW_REC_SW8 in parts, else 6),
 * each sampled at r; returns the end. */
uint32_t *tw_w_records(uint32_t *out, const uint32_t *w, uint32_t n, const tw_w_rate *r,
                       unsigned parts, tw_w_tables *t);

/* The context values of tw.h in one: kind 0 tracestate (s0 pid, s1 sid), 1 baggage
 * (likewise), 2 sw8 middle (service, instance, endpoint), 3 base64 of s0; kind 0..3 only;
 * app non-zero for miniapp.  Without SPEC §3's limits and sw8's default instance, which
 * tw.h's formatters add (and the host, js/engine.js). */
size_t tw_w_ctx(char *dst, size_t cap, int kind, int app, const uint8_t *s0, size_t n0,
                const uint8_t *s1, size_t n1, const uint8_t *s2, size_t n2);

#endif
