/*
 * cache_entry.h - rows as the cache keeps them (cache_entry.c).
 */
#ifndef MTO_CORE_CACHE_ENTRY_H
#define MTO_CORE_CACHE_ENTRY_H

#include "core/types.h"

/* Rows as the cache keeps them: a kind and version, then each field ended
 * by a NUL.  The encoders return the entry and its length in *len (NULL if
 * a field is NULL); the decoders accept exactly what the encoders write and
 * return NULL for anything else, which the cache treats as a miss. */
const char *mto_token_to_entry(apr_pool_t *p, const mto_token_t *t, apr_size_t *len);
mto_token_t *mto_token_from_entry(apr_pool_t *p, const char *entry, apr_size_t len);
const char *mto_api_token_to_entry(apr_pool_t *p, const mto_api_token_t *t, apr_size_t *len);
mto_api_token_t *mto_api_token_from_entry(apr_pool_t *p, const char *entry, apr_size_t len);
const char *mto_client_to_entry(apr_pool_t *p, const mto_client_t *c, apr_size_t *len);
mto_client_t *mto_client_from_entry(apr_pool_t *p, const char *entry, apr_size_t len);

#endif /* MTO_CORE_CACHE_ENTRY_H */
