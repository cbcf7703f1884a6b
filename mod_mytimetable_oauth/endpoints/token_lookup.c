/*
 * token_lookup.c - the request the revocation (RFC 7009) and introspection
 * (RFC 7662) endpoints share, and what its token is: an access token, a
 * refresh token, or nothing we know.
 *
 * Both tables are keyed by the token's SHA-256, so each look-up is one
 * indexed read; token_type_hint only decides which table is asked first
 * (RFC 7009 §2.1: a server that cannot find the token by the hint must
 * search the others too, and may ignore a hint it does not know).
 */
#include "log.h"
#include "config/config.h"
#include "store/store.h"
#include "cache/cache.h"
#include "respond/respond.h"
#include "endpoints/endpoints.h"

static int mto_is_live(const mto_token_t *t, apr_int64_t now)
{
    return t->expires == 0 || t->expires > now;
}

static mto_store_rc mto_lookup_access(request_rec *r, const char *hash, apr_int64_t now,
                                      mto_found_token_t *found)
{
    mto_token_t *t = NULL;
    mto_store_rc rc = mto_store_token_get(r, hash, &t);

    if (rc == MTO_STORE_OK) {
        found->refresh = 0;
        found->row = t;
        found->live = mto_is_live(t, now);
    }
    return rc;
}

/* A rotated refresh token can no longer be exchanged (presenting it is a
 * reuse), so it is not live, though its row stays until it expires. */
static mto_store_rc mto_lookup_refresh(request_rec *r, const char *hash, apr_int64_t now,
                                       mto_found_token_t *found)
{
    mto_token_t *t = NULL;
    int rotated = 0;
    mto_store_rc rc = mto_store_refresh_token_get(r, hash, &t, &rotated);

    if (rc == MTO_STORE_OK) {
        found->refresh = 1;
        found->row = t;
        found->live = !rotated && mto_is_live(t, now);
    }
    return rc;
}

static mto_store_rc mto_token_lookup(request_rec *r, const char *token, const char *hint,
                                     apr_int64_t now, mto_found_token_t *found)
{
    typedef mto_store_rc lookup_fn(request_rec *, const char *, apr_int64_t, mto_found_token_t *);
    lookup_fn *first = mto_lookup_access, *second = mto_lookup_refresh;
    const char *hash = mto_sha256_hex(r->pool, token, strlen(token));
    mto_store_rc rc;

    memset(found, 0, sizeof(*found));
    found->hash = hash;
    if (hint && !strcmp(hint, "refresh_token")) {
        first = mto_lookup_refresh;
        second = mto_lookup_access;
    }
    rc = first(r, hash, now, found);
    return rc == MTO_STORE_NOTFOUND ? second(r, hash, now, found) : rc;
}

int mto_token_request(request_rec *r, const char *endpoint, apr_int64_t now, mto_client_t **client,
                      mto_found_token_t *found)
{
    const char *token = NULL, *hint = NULL;
    apr_table_t *params;
    int rv;

    memset(found, 0, sizeof(*found));
    if ((rv = mto_client_request(r, endpoint, &params, client)) != OK) {
        return rv;
    }
    if (mto_param(params, "token", &token) != 1 || !*token) {
        return mto_send_oauth_error(r, HTTP_BAD_REQUEST, "invalid_request", "token is missing");
    }
    mto_param(params, "token_type_hint", &hint);
    switch (mto_token_lookup(r, token, hint, now, found)) {
    case MTO_STORE_OK:
        return OK;
    case MTO_STORE_ERROR:
        return mto_send_unavailable(r);
    default:
        found->row = NULL;
        return OK;
    }
}
