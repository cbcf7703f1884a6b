/*
 * fuzz.h - what the libFuzzer targets t/fuzz/fuzz_NAME.c share (fuzz.c):
 * the per-input pool, the invariant check, and models of the rules that
 * several targets compare the core with (form decoding, UTF-8, base64,
 * SHA-256), written here from the RFCs rather than copied from the core.
 *
 * A target defines mto_fuzz_one(); fuzz.c is its LLVMFuzzerTestOneInput,
 * and after each input clears the pool and frees every fuzz_alloc buffer,
 * so that LeakSanitizer sees only what the core itself lost.
 */
#ifndef MTO_FUZZ_H
#define MTO_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "fuzz_alloc.h"

/* The pool the core allocates from; cleared after every input. */
extern apr_pool_t *mto_fuzz_pool;

/* The target: checks one input, aborts through check() on a wrong answer. */
void mto_fuzz_one(const uint8_t *data, size_t size);

/* A broken invariant: prints "broken invariant: what (file:line)" and
 * aborts, so libFuzzer saves the input that broke it. */
void mto_fuzz_fail(const char *what, const char *file, int line) __attribute__((noreturn));
#define check(cond, what)                                                                          \
    do {                                                                                           \
        if (!(cond))                                                                               \
            mto_fuzz_fail((what), __FILE__, __LINE__);                                             \
    } while (0)

/* Strings built by the targets are exact-size heap blocks too: a core
 * function that reads past the end of its input is caught. */
#define cat(...)     mto_fuzz_pstrcat(NULL, __VA_ARGS__, NULL)
#define memdup(s, n) mto_fuzz_pstrmemdup(NULL, (const char *)(s), (n))

/* Equal strings, or both NULL. */
static inline int same(const char *a, const char *b)
{
    return (a && b) ? strcmp(a, b) == 0 : a == b;
}

/* Splits the input on '\n' into at most n parts (the last takes the rest,
 * newlines and all), each an exact-size copy; parts the input does not have
 * are NULL.  Returns how many it has. */
size_t mto_fuzz_parts(const uint8_t *data, size_t size, const char **part, size_t n);

/* ------------------------------------------------------------- models */

/* RFC 3629 UTF-8 by code point: no overlong forms, no surrogates, nothing
 * above U+10FFFF; and no NUL, which would cut a C string short. */
int mto_fuzz_utf8(const char *s, size_t len);

/* One application/x-www-form-urlencoded component decoded: '+' is a space,
 * %XX a byte; NULL for a bad escape, %00, or a result that is not UTF-8. */
char *mto_fuzz_unescape(const char *s, size_t len);

/* The reverse: every byte but RFC 3986 unreserved as %XX, a space as '+'. */
char *mto_fuzz_escape(const char *s);

/* RFC 4648 base64 (std: '+' '/' with '=' padding; url: '-' '_' without). */
char *mto_fuzz_base64(const void *data, size_t len, int url);

/* SHA-256 of s as lowercase hex, and as base64url without padding. */
char *mto_fuzz_sha256_hex(const char *s);
char *mto_fuzz_sha256_b64url(const char *s);

#endif
