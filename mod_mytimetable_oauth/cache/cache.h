/*
 * cache.h - the socache of MyTimetableOAuthCache, and the store as seen
 * through it.
 */
#ifndef MTO_CACHE_H
#define MTO_CACHE_H

#include <httpd.h>

#include "store/store.h"

/* ------------------------------------------------------------- cache.c */

/* The socache of MyTimetableOAuthCache: one instance per server that sets
 * the directive, shared by the virtual hosts that inherit it.  Keys are
 * short text (a kind and a digest, never a secret), to which the cache adds
 * the fingerprint of the server's database; values are entries of
 * cache_entry.c or MTO_CACHE_NEGATIVE, "no such row".  Every failure (no
 * cache, a busy lock, a dead memcached) reads as a miss or skips the write,
 * with a warning at most once a minute per process. */
typedef struct mto_cache mto_cache_t;
#define MTO_CACHE_NEGATIVE MTO_KV_NEGATIVE

/* A MyTimetableOAuthCache value (NULL: not set): 0 for "none"; otherwise 1,
 * the provider's *name (shmcb when not set) and its *args (NULL: none). */
int mto_cache_spec_parse(apr_pool_t *p, const char *spec, const char **name, const char **args);

/* What the directive cannot check, as it depends on modules that may be
 * loaded after it (the socache provider): NULL, or a message naming the
 * directive.  From check_config, so `apachectl -t` fails too. */
const char *mto_cache_check(apr_pool_t *p, server_rec *s);

/* Hooks (registered by mod_mytimetable_oauth.c): the mutex type, the
 * instances and the mutex, each child's attachment to the mutex. */
int mto_cache_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp);
int mto_cache_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s);
void mto_cache_child_init(apr_pool_t *pchild, server_rec *s);

/* 1 when r's server has a cache (not "none", and usable in this process). */
int mto_cache_on(request_rec *r);

/* 1 and the value (NUL-terminated, *len bytes) on a hit; 0 otherwise.
 * Waits for the lock only when wait is set (the database failed: the cache
 * is the only answer left).  With a cache, the look-up without wait is
 * counted as a hit or a miss (a busy lock is a miss) for the status page;
 * the retry with wait is not counted again. */
int mto_cache_get(request_rec *r, const char *key, const char **value, apr_size_t *len, int wait);

/* Stores a value until expiry; never waits for the lock.  A row never
 * replaces a negative entry, nor stays when a revocation of key came in
 * between, or when the clock passed trust_until first (mto_kv_put_row). */
void mto_cache_put(request_rec *r, const char *key, const char *value, apr_size_t len,
                   apr_time_t expiry, apr_time_t trust_until);

/* Replaces whatever the cache holds for key by a negative entry until
 * expiry, waiting for the lock, and leaves a revocation mark as long: a
 * look-up that read the row just before cannot put it back, with or
 * without a lock (core/cache_rules.c).  0 when the cache failed. */
int mto_cache_forget(request_rec *r, const char *key, apr_time_t expiry);

/* -------------------------------------------------------- cached_store.c */

/* The store as the gate and the handlers use it: look-ups answered from
 * the cache when they can be (rows and "no such row" alike, never a
 * database failure), revocations that clear the cache of what they
 * revoked.  Same results as the mto_store_* functions they wrap. */
mto_store_rc mto_cached_client_get(request_rec *r, const char *client_id, mto_client_t **out);
mto_store_rc mto_cached_token_get(request_rec *r, const char *token_hash, mto_token_t **out);
mto_store_rc mto_cached_api_token_get(request_rec *r, const char *token, mto_api_token_t **out);

/* An access token (by its SHA-256 hex) was revoked: its cache entry is
 * replaced by a negative one, on this server and, with a shared cache, on
 * every server.  Call it after the database change is committed. */
void mto_cache_token_forget(request_rec *r, const char *token_hash);

mto_store_rc mto_cached_tokens_revoke_by_code(request_rec *r, const char *code_hash);
mto_store_rc mto_cached_refresh_revoke_grant(request_rec *r, const char *grant_id, apr_int64_t now);
mto_store_rc mto_cached_refresh_revoke_by_code(request_rec *r, const char *code_hash,
                                               apr_int64_t now);

/* The revocation endpoint's (RFC 7009 §2.1): an access token's row, or a
 * refresh token's whole grant (every refresh token of the family and the
 * access tokens issued from them); their cache entries go too. */
mto_store_rc mto_cached_access_token_revoke(request_rec *r, const char *token_hash);
/* mto_store_account_revoke, and the cache forgets every access token it deleted. */
mto_store_rc mto_cached_account_revoke(request_rec *r, const char *user, const char *client_id,
                                       apr_int64_t now);
mto_store_rc mto_cached_refresh_grant_revoke(request_rec *r, const char *refresh_hash);

#endif /* MTO_CACHE_H */
