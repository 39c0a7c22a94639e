/* vstr.h - a byte string with its length: the cases of the generated test tables
 * (url_table.h, vectors.h) are written as these, embedded NULs and all. */
#ifndef TW_TEST_VSTR_H
#define TW_TEST_VSTR_H

#include <stddef.h>

typedef struct vstr {
    const char *s;
    size_t n;
} vstr;

#endif
