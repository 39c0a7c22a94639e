/* tw_config.h - compile-time limits of the tracewire engine (one place, like luaconf.h).
 *
 * Every buffer the engine touches has a fixed size chosen here; nothing is allocated at run
 * time.  The JS host reads the sizes back through the module (tw_buf in wasm.c) instead of
 * copying these numbers. */
#ifndef TW_CONFIG_H
#define TW_CONFIG_H

/* Longest input the host may hand over in one call (a URL, or the context strings of one
 * formatter), in UTF-8 bytes.  A longer URL is not traced; it is still sent (SPEC §6). */
#define TW_IN_CAP 16384

/* Output region: a batch of id records, or one absolute URL plus its sw8 peer.  Percent-
 * encoding can triple a URL, so room for 3 x TW_IN_CAP plus the peer. */
#define TW_OUT_CAP (3 * TW_IN_CAP + 1024)

/* Rule sets (base URL and normalised string rules of each tracer) live here; the host
 * appends them and starts over when it is full (js/engine.js). */
#define TW_ARENA_CAP 16384

/* Longest host the engine accepts (DNS names are at most 253 bytes), and so the longest sw8
 * peer "host:port". */
#define TW_HOST_MAX 255
#define TW_PEER_MAX (TW_HOST_MAX + 6)

/* W3C trace-context: a tracestate list-member value is at most 256 characters. */
#define TW_TRACESTATE_VALUE_MAX 256

/* W3C baggage: a baggage header is at most 8192 bytes. */
#define TW_BAGGAGE_MAX 8192

#endif
