/*
 * fuzz_alloc.c - see fuzz_alloc.h.  Not thread-safe: libFuzzer runs one
 * input at a time.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_alloc.h"

static void **live;
static size_t nlive, cap;

void *mto_fuzz_palloc(apr_pool_t *p, apr_size_t size)
{
    void *m;

    (void)p;
    if (nlive == cap) {
        cap = cap ? 2 * cap : 256;
        live = realloc(live, cap * sizeof(*live));
        if (!live) {
            abort();
        }
    }
    /* malloc(0) may return NULL; a pool never does. */
    m = malloc(size ? size : 1);
    if (!m) {
        abort();
    }
    live[nlive++] = m;
    return m;
}

char *mto_fuzz_pstrmemdup(apr_pool_t *p, const char *s, apr_size_t n)
{
    char *out;

    if (!s) {
        return NULL;
    }
    out = mto_fuzz_palloc(p, n + 1);
    memcpy(out, s, n);
    out[n] = '\0';
    return out;
}

char *mto_fuzz_pstrdup(apr_pool_t *p, const char *s)
{
    return s ? mto_fuzz_pstrmemdup(p, s, strlen(s)) : NULL;
}

char *mto_fuzz_pstrcat(apr_pool_t *p, ...)
{
    va_list ap;
    const char *s;
    size_t len = 0;
    char *out, *o;

    va_start(ap, p);
    while ((s = va_arg(ap, const char *)) != NULL) {
        len += strlen(s);
    }
    va_end(ap);
    o = out = mto_fuzz_palloc(p, len + 1);
    va_start(ap, p);
    while ((s = va_arg(ap, const char *)) != NULL) {
        size_t n = strlen(s);

        memcpy(o, s, n);
        o += n;
    }
    va_end(ap);
    *o = '\0';
    return out;
}

/* As APR's: the strings of an array of char *, sep between them unless it
 * is '\0'; a NULL element counts as "". */
char *mto_fuzz_array_pstrcat(apr_pool_t *p, const apr_array_header_t *arr, const char sep)
{
    const char *const *s = (const char *const *)arr->elts;
    size_t len = 0, n;
    char *out, *o;
    int i;

    for (i = 0; i < arr->nelts; i++) {
        len += (s[i] ? strlen(s[i]) : 0) + (sep && i > 0);
    }
    o = out = mto_fuzz_palloc(p, len + 1);
    for (i = 0; i < arr->nelts; i++) {
        if (sep && i > 0) {
            *o++ = sep;
        }
        n = s[i] ? strlen(s[i]) : 0;
        memcpy(o, s[i] ? s[i] : "", n);
        o += n;
    }
    *o = '\0';
    return out;
}

void mto_fuzz_release(void)
{
    while (nlive) {
        free(live[--nlive]);
    }
}
