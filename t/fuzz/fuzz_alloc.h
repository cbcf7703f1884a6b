/*
 * fuzz_alloc.h - exact-size heap copies of APR's pool allocators, for the
 * fuzz targets.
 *
 * A pool hands out pieces of 8 KB blocks, so AddressSanitizer cannot see a
 * write or read just past a pool-allocated buffer.  build/fuzz compiles the
 * core sources with apr_palloc, apr_pstrdup, apr_pstrmemdup, apr_pstrcat and
 * apr_array_pstrcat renamed to these functions, which malloc every buffer at its exact size:
 * one byte too far is then an ASan report.  The pool argument is ignored.
 */
#ifndef MTO_FUZZ_ALLOC_H
#define MTO_FUZZ_ALLOC_H

#include <apr_pools.h>
#include <apr_tables.h>

void *mto_fuzz_palloc(apr_pool_t *p, apr_size_t size);
char *mto_fuzz_pstrdup(apr_pool_t *p, const char *s);
char *mto_fuzz_pstrmemdup(apr_pool_t *p, const char *s, apr_size_t n);
char *mto_fuzz_pstrcat(apr_pool_t *p, ...);
char *mto_fuzz_array_pstrcat(apr_pool_t *p, const apr_array_header_t *arr, const char sep);

/* Frees every buffer handed out since the last call: once per input. */
void mto_fuzz_release(void);

#endif
