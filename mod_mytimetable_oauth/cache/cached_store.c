/*
 * cached_store.c - the store as the gate and the handlers see it, with the
 * cache in front (README, "Caching and revocation").
 *
 * Cached for MyTimetableOAuthCacheTTL: access tokens under the SHA-256 of
 * the token (the database's key too), API tokens under the SHA-256 of the
 * presented token, clients under the SHA-256 of the client_id.  "No such
 * row" is cached too, for at most MTO_NEGATIVE_TTL, so that a flood of junk
 * or revoked tokens does not cost a query each; a database failure never is.
 * An access token's entry never outlives the token.  The revocations done
 * here replace the entries of the tokens they revoked by negative ones.
 * The cache adds the database's fingerprint to every key (cache.c), and
 * rows carry the cache generation they were read under, so that changes
 * made with the admin tool end them within a second (store/generation.c).
 */
#include "log.h"
#include "config/config.h"
#include "cache/cache.h"
#include "respond/respond.h"

/* Seconds a negative entry lives at most; also the life of the marks a
 * revocation leaves (long enough for any look-up in flight to finish: one
 * that took half of it does not cache its row). */
#define MTO_NEGATIVE_TTL 30

#define MTO_KEY_TOKEN     "t:"
#define MTO_KEY_API_TOKEN "a:"
#define MTO_KEY_CLIENT    "c:"

/* A kind of row the cache holds: how to read its entries, how to fetch it
 * from the database, and how to write its entry (NULL: not to be cached),
 * with the row's own end in *expires (epoch seconds; 0: none). */
typedef struct {
    const char *what; /* for the trace */
    void *(*decode)(apr_pool_t *p, const char *entry, apr_size_t len);
    mto_store_rc (*fetch)(request_rec *r, const char *id, void **row);
    const char *(*encode)(request_rec *r, const void *row, apr_size_t *len, apr_int64_t *expires);
} mto_kind_t;

static apr_int64_t mto_ttl(request_rec *r)
{
    return mto_conf_cache_ttl(mto_server_conf(r->server));
}

static const char *mto_key(request_rec *r, const char *prefix, const char *hex)
{
    return apr_pstrcat(r->pool, prefix, hex, NULL);
}

static const char *mto_digest_key(request_rec *r, const char *prefix, const char *value)
{
    return mto_key(r, prefix, mto_sha256_hex(r->pool, value, strlen(value)));
}

/* 1 when the cache has the answer for key: *rc is MTO_STORE_OK with the
 * decoded row in *row, or MTO_STORE_NOTFOUND.  A row counts only when it
 * was read under generation gen or a later one (store/generation.c).
 * wait: for the lock. */
static int mto_cache_answers(request_rec *r, const mto_kind_t *kind, const char *key,
                             apr_uint64_t gen, void **row, mto_store_rc *rc, int wait)
{
    const char *entry, *said = "miss";
    apr_size_t len;
    int answered = 0;

    *row = NULL;
    if (mto_cache_get(r, key, &entry, &len, wait)) {
        if (mto_kv_is_negative(entry, len)) {
            *rc = MTO_STORE_NOTFOUND;
            said = "negative hit";
            answered = 1;
        }
        else if (!(entry = mto_gen_untag(gen, entry, &len))) {
            said = "entry of another generation";
        }
        else if ((*row = kind->decode(r->pool, entry, len))) {
            *rc = MTO_STORE_OK;
            said = "hit";
            answered = 1;
        }
        else {
            said = "unreadable entry";
        }
    }
    ap_log_rerror(APLOG_MARK, APLOG_TRACE2, 0, r, "cache: %s %s", kind->what, said);
    return answered;
}

/* Remembers the database's answer rc, asked at fetched under generation
 * gen: the row as entry (NULL: not to be cached) until row_expires (epoch
 * seconds; 0: no end), or its absence.  A row is trusted for half a
 * revocation mark's life after it was read (core/cache_rules.c). */
static void mto_remember(request_rec *r, const char *key, mto_store_rc rc, const char *entry,
                         apr_size_t len, apr_int64_t row_expires, apr_time_t fetched,
                         apr_uint64_t gen)
{
    apr_time_t trust_until = fetched + apr_time_from_sec(MTO_NEGATIVE_TTL) / 2;
    apr_int64_t ttl = mto_ttl(r);
    apr_time_t expiry;

    if (ttl == 0) {
        return;
    }
    if (rc == MTO_STORE_NOTFOUND) {
        expiry =
            apr_time_now() + apr_time_from_sec(ttl < MTO_NEGATIVE_TTL ? ttl : MTO_NEGATIVE_TTL);
        mto_cache_put(r, key, MTO_CACHE_NEGATIVE, strlen(MTO_CACHE_NEGATIVE), expiry, trust_until);
    }
    else if (rc == MTO_STORE_OK && entry) {
        expiry = apr_time_now() + apr_time_from_sec(ttl);
        if (row_expires > 0 && apr_time_from_sec(row_expires) < expiry) {
            expiry = apr_time_from_sec(row_expires);
        }
        entry = mto_gen_tag(r->pool, gen, entry, &len);
        mto_cache_put(r, key, entry, len, expiry, trust_until);
    }
}

/* The one look-up: the cache's answer, else the database's, remembered.
 * The generation is read first: a row tagged with it was read after it.
 * The first look at the cache skips it when its lock is busy; when the
 * database then fails, the cache is asked again, waiting for the lock: a
 * cached token must keep working through a database outage under load,
 * not only when no other request holds the lock at that moment. */
static mto_store_rc mto_cached_get(request_rec *r, const mto_kind_t *kind, const char *key,
                                   const char *id, void **row)
{
    const char *entry = NULL;
    apr_size_t len = 0;
    apr_int64_t expires = 0;
    apr_uint64_t gen = 0;
    apr_time_t fetched;
    mto_store_rc rc;
    int cache_on = mto_ttl(r) > 0 && mto_cache_on(r);
    int cached = cache_on && mto_store_generation(r, &gen);

    if (cached && mto_cache_answers(r, kind, key, gen, row, &rc, 0)) {
        return rc;
    }
    fetched = apr_time_now();
    rc = kind->fetch(r, id, row);
    /* Without a generation (this process has not read one yet), gen is 0:
     * any entry, as for every process while the database is down. */
    if (rc == MTO_STORE_ERROR && cache_on && mto_cache_answers(r, kind, key, gen, row, &rc, 1)) {
        return rc;
    }
    if (rc == MTO_STORE_OK && cached) {
        entry = kind->encode(r, *row, &len, &expires);
    }
    if (cached) {
        mto_remember(r, key, rc, entry, len, expires, fetched, gen);
    }
    return rc;
}

/* ------------------------------------------------------------ access tokens */

static void *mto_token_decode(apr_pool_t *p, const char *entry, apr_size_t len)
{
    return mto_token_from_entry(p, entry, len);
}

static mto_store_rc mto_token_fetch(request_rec *r, const char *token_hash, void **row)
{
    mto_token_t *t = NULL;
    mto_store_rc rc = mto_store_token_get(r, token_hash, &t);

    *row = t;
    return rc;
}

static const char *mto_token_encode(request_rec *r, const void *row, apr_size_t *len,
                                    apr_int64_t *expires)
{
    const mto_token_t *t = row;

    *expires = t->expires;
    return mto_token_to_entry(r->pool, t, len);
}

static const mto_kind_t mto_kind_token = { "access token", mto_token_decode, mto_token_fetch,
                                           mto_token_encode };

mto_store_rc mto_cached_token_get(request_rec *r, const char *token_hash, mto_token_t **out)
{
    void *row = NULL;
    mto_store_rc rc =
        mto_cached_get(r, &mto_kind_token, mto_key(r, MTO_KEY_TOKEN, token_hash), token_hash, &row);

    *out = row;
    return rc;
}

/* ------------------------------------------------------------ API tokens */

static void *mto_api_token_decode(apr_pool_t *p, const char *entry, apr_size_t len)
{
    return mto_api_token_from_entry(p, entry, len);
}

static mto_store_rc mto_api_token_fetch(request_rec *r, const char *token, void **row)
{
    mto_api_token_t *t = NULL;
    mto_store_rc rc = mto_store_api_token_get(r, token, &t);

    *row = t;
    return rc;
}

static const char *mto_api_token_encode(request_rec *r, const void *row, apr_size_t *len,
                                        apr_int64_t *expires)
{
    return mto_api_token_to_entry(r->pool, row, len);
}

static const mto_kind_t mto_kind_api_token = { "API token", mto_api_token_decode,
                                               mto_api_token_fetch, mto_api_token_encode };

mto_store_rc mto_cached_api_token_get(request_rec *r, const char *token, mto_api_token_t **out)
{
    void *row = NULL;
    mto_store_rc rc = mto_cached_get(r, &mto_kind_api_token,
                                     mto_digest_key(r, MTO_KEY_API_TOKEN, token), token, &row);

    *out = row;
    return rc;
}

/* ------------------------------------------------------------ clients */

static void *mto_client_decode(apr_pool_t *p, const char *entry, apr_size_t len)
{
    return mto_client_from_entry(p, entry, len);
}

/* The row with its additional_information read (respond/client_info.c):
 * here, on a cache miss, so that a malformed column is logged once per
 * cache period rather than on every request. */
static mto_store_rc mto_client_fetch(request_rec *r, const char *client_id, void **row)
{
    mto_client_t *c = NULL;
    mto_store_rc rc = mto_store_client_get(r, client_id, &c);
    const char *why;

    if (rc == MTO_STORE_OK
        && mto_client_info_parse(r->pool, c->additional_info, &c->info, &why) != 0) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "MTO0070: client %s: additional_information is not a JSON object (%s); "
                      "the client works as if it were NULL (no name, logo, links, "
                      "allowed_origins; not public)",
                      mto_log_safe(r, client_id), mto_log_safe(r, why));
    }
    *row = c;
    return rc;
}

/* A client's entry holds no secret in clear: a {noop} secret is cached as
 * its {SHA-256}, and a row whose secret is no hash we know is not cached. */
static const char *mto_client_encode(request_rec *r, const void *row, apr_size_t *len,
                                     apr_int64_t *expires)
{
    mto_client_t copy = *(const mto_client_t *)row;

    if (copy.secret_hash && !(copy.secret_hash = mto_secret_for_cache(r->pool, copy.secret_hash))) {
        return NULL;
    }
    return mto_client_to_entry(r->pool, &copy, len);
}

static const mto_kind_t mto_kind_client = { "client", mto_client_decode, mto_client_fetch,
                                            mto_client_encode };

mto_store_rc mto_cached_client_get(request_rec *r, const char *client_id, mto_client_t **out)
{
    void *row = NULL;
    mto_store_rc rc = mto_cached_get(r, &mto_kind_client,
                                     mto_digest_key(r, MTO_KEY_CLIENT, client_id), client_id, &row);

    *out = row;
    return rc;
}

/* ------------------------------------------------------------ revocations */

void mto_cache_token_forget(request_rec *r, const char *token_hash)
{
    apr_time_t expiry = apr_time_now() + apr_time_from_sec(MTO_NEGATIVE_TTL);

    if (!mto_cache_forget(r, mto_key(r, MTO_KEY_TOKEN, token_hash), expiry)) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      "MTO0006: a revoked access "
                      "token could not be marked in the cache; where the cache still works, it "
                      "may be accepted until MyTimetableOAuthCacheTTL has passed");
    }
}

/* Forgets what a committed revocation deleted (nothing when it failed:
 * the tokens are still valid then). */
static mto_store_rc mto_forget_revoked(request_rec *r, mto_store_rc rc,
                                       const apr_array_header_t *revoked)
{
    int i;

    for (i = 0; rc == MTO_STORE_OK && i < revoked->nelts; i++) {
        mto_cache_token_forget(r, APR_ARRAY_IDX(revoked, i, const char *));
    }
    return rc;
}

static apr_array_header_t *mto_revoked_list(request_rec *r)
{
    return apr_array_make(r->pool, 4, sizeof(const char *));
}

mto_store_rc mto_cached_tokens_revoke_by_code(request_rec *r, const char *code_hash)
{
    apr_array_header_t *revoked = mto_revoked_list(r);

    return mto_forget_revoked(r, mto_store_tokens_revoke_by_code(r, code_hash, revoked), revoked);
}

mto_store_rc mto_cached_refresh_revoke_grant(request_rec *r, const char *grant_id, apr_int64_t now)
{
    apr_array_header_t *revoked = mto_revoked_list(r);

    return mto_forget_revoked(r, mto_store_refresh_revoke_grant(r, grant_id, now, revoked),
                              revoked);
}

mto_store_rc mto_cached_refresh_revoke_by_code(request_rec *r, const char *code_hash,
                                               apr_int64_t now)
{
    apr_array_header_t *revoked = mto_revoked_list(r);

    return mto_forget_revoked(r, mto_store_refresh_revoke_by_code(r, code_hash, now, revoked),
                              revoked);
}

mto_store_rc mto_cached_account_revoke(request_rec *r, const char *user, const char *client_id,
                                       apr_int64_t now)
{
    apr_array_header_t *revoked = mto_revoked_list(r);

    return mto_forget_revoked(r, mto_store_account_revoke(r, user, client_id, now, revoked),
                              revoked);
}

mto_store_rc mto_cached_access_token_revoke(request_rec *r, const char *token_hash)
{
    mto_store_rc rc = mto_store_access_token_revoke(r, token_hash);

    /* Also when the row was gone already: a cached copy may still live. */
    if (rc != MTO_STORE_ERROR) {
        mto_cache_token_forget(r, token_hash);
    }
    return rc;
}

mto_store_rc mto_cached_refresh_grant_revoke(request_rec *r, const char *refresh_hash)
{
    mto_refresh_t *rt = NULL;
    mto_store_rc rc = mto_store_refresh_get(r, refresh_hash, &rt);

    if (rc != MTO_STORE_OK) {
        return rc;
    }
    return mto_cached_refresh_revoke_grant(r, rt->grant_id, apr_time_sec(apr_time_now()));
}
