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

/* The cache generation (README "Caching", "Changes made with the admin
 * tool"): a counter in the database that every change by the admin tool
 * bumps.  A row's entry carries the generation it was read under, as
 * MTO_GEN_TAG_LEN characters (16 hex digits and ':') before the entry;
 * negative entries ("-") carry none, since a revocation's must hold under
 * any generation. */
#define MTO_GEN_TAG_LEN 17

/* entry (len bytes) tagged with gen; *len becomes the tagged length. */
const char *mto_gen_tag(apr_pool_t *p, apr_uint64_t gen, const char *entry, apr_size_t *len);

/* The entry inside tagged (*len bytes, updated) when it was read under
 * generation at_least or a later one (read after a change this process has
 * not seen yet: newer, so as good); NULL for an earlier generation or no
 * tag: a miss. */
const char *mto_gen_untag(apr_uint64_t at_least, const char *tagged, apr_size_t *len);

/* 1 when a database error message says a table is missing (SQLite's "no
 * such table", PostgreSQL's "relation … does not exist"): an old schema. */
int mto_db_error_no_table(const char *msg);

#endif /* MTO_CORE_CACHE_RULES_H */
