/*
 * cache_rules.h - the rules a shared cache must follow to answer only for
 * the right database and never for a revoked row (cache_rules.c).
 */
#ifndef MTO_CORE_CACHE_RULES_H
#define MTO_CORE_CACHE_RULES_H

#include <apr_pools.h>
#include <apr_time.h>

/* The value of a "no such row" entry. */
#define MTO_KV_NEGATIVE "-"

/* The fingerprint of a database, for cache keys: the first 16 hex digits of
 * SHA-256("driver\0params").  It tells databases apart without saying
 * anything of the parameters (which may hold a password). */
const char *mto_db_fingerprint(apr_pool_t *p, const char *driver, const char *params);

/* A key/value store with no more than socache's three operations: what the
 * functions below need of memcache, redis or shmcb.  retrieve returns
 * APR_SUCCESS with the value, APR_NOTFOUND, or another failure. */
typedef struct {
    void *ctx;
    apr_status_t (*retrieve)(void *ctx, const char *key, const char **value, apr_size_t *len);
    apr_status_t (*store)(void *ctx, const char *key, const char *value, apr_size_t len,
                          apr_time_t expiry);
    apr_status_t (*remove)(void *ctx, const char *key);
} mto_kv_t;

/* 1 when value is a "no such row" entry. */
int mto_kv_is_negative(const char *value, apr_size_t len);

/* Stores a row for key until expiry, unless a negative entry is there, and
 * takes it back if a revocation of key happened meanwhile (see
 * cache_rules.c); also if the clock passed trust_until (when the row was
 * read from the database, plus half a revocation mark's life) first.
 * APR_SUCCESS when the store is as it must be (the row stored or rightly
 * not); else the failure, which may have left the row in. */
apr_status_t mto_kv_put_row(apr_pool_t *p, const mto_kv_t *kv, const char *key, const char *value,
                            apr_size_t len, apr_time_t expiry, apr_time_t trust_until);

/* A revocation: marks key as revoked and replaces its entry by a negative
 * one, both until expiry.  APR_SUCCESS, or the first failure. */
apr_status_t mto_kv_revoke(apr_pool_t *p, const mto_kv_t *kv, const char *key, apr_time_t expiry);

#endif /* MTO_CORE_CACHE_RULES_H */
