/*
 * handle_token.c - the token endpoint (RFC 6749 §3.2, §4.1.3, §6, docs/endpoints.md).
 *
 * POST only → form → each parameter once → client authentication → grant.
 * A code is redeemed atomically in the database (store.c); a code presented
 * again gets invalid_grant and revokes what was issued from it.
 *
 * Clients with the refresh_token grant type get a refresh token with the
 * access token.  Each use of it rotates it (RFC 9700 §4.14.2): the used one
 * is marked rotated and a new one of the same grant comes with the new
 * access token.  A rotated refresh token presented again means that two
 * parties hold the grant, so the whole grant is revoked.
 */
#include "log.h"
#include "core/grant.h"
#include "config/config.h"
#include "store/store.h"
#include "cache/cache.h"
#include "respond/respond.h"
#include "endpoints/endpoints.h"
#include "stats/stats.h"

#include <http_protocol.h>

/* refresh_token_validity NULL: 30 days, as Spring Security OAuth has it. */
#define MTO_REFRESH_LIFETIME_DEFAULT (30 * 86400)

/* A fresh token (256 random bits, base64url) into *out: OK.  When the
 * generator fails nothing may be issued: logs, answers server_error and
 * returns its status. */
static int mto_fresh_token(request_rec *r, const char **out)
{
    *out = mto_random_b64url(r->pool, MTO_TOKEN_BYTES);
    if (*out) {
        return OK;
    }
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                  "MTO0013: the random generator failed; no token issued: "
                  "check OpenSSL's random source (entropy)");
    return mto_send_oauth_error(r, HTTP_INTERNAL_SERVER_ERROR, "server_error", NULL);
}

static const char *mto_hash(request_rec *r, const char *token)
{
    return mto_sha256_hex(r->pool, token, strlen(token));
}

static int mto_invalid_grant(request_rec *r, const char *why)
{
    return mto_send_oauth_error(r, HTTP_BAD_REQUEST, "invalid_grant", why);
}

static apr_int64_t mto_token_expiry(request_rec *r, const mto_client_t *client, apr_int64_t now)
{
    return mto_expiry(client->access_validity, mto_conf_token_lifetime(mto_server_conf(r->server)),
                      now);
}

static int mto_client_may_refresh(const mto_client_t *client)
{
    return mto_list_contains(client->grant_types, "refresh_token");
}

/* A new grant's first refresh token, for the code (code_hash) just redeemed.
 * Its expiry is the grant's: every rotation keeps it (docs/endpoints.md, "Refresh
 * tokens"). */
static int mto_new_grant(request_rec *r, const mto_client_t *client, const mto_code_t *code,
                         const char *code_hash, apr_int64_t now, mto_refresh_t *rt,
                         const char **refresh)
{
    const char *seed;
    int rv;

    if ((rv = mto_fresh_token(r, &seed)) != OK || (rv = mto_fresh_token(r, refresh)) != OK) {
        return rv;
    }
    rt->grant_id = mto_hash(r, seed); /* 64 hex digits: fits CHAR(64) unpadded */
    rt->client_id = client->client_id;
    rt->user = code->user;
    rt->scope = code->scope;
    rt->code_hash = code_hash;
    rt->issued = now;
    rt->expires = mto_expiry(client->refresh_validity, MTO_REFRESH_LIFETIME_DEFAULT, now);
    rt->rotated = 0;
    return OK;
}

static int mto_grant_authorization_code(request_rec *r, const apr_table_t *params,
                                        const mto_client_t *client, apr_int64_t now)
{
    const char *code = NULL, *code_hash, *token, *why, *refresh = NULL;
    mto_code_t *stored;
    mto_refresh_t rt;
    mto_token_t t;
    int rv;

    if (mto_param(params, "code", &code) != 1 || !*code) {
        return mto_send_oauth_error(r, HTTP_BAD_REQUEST, "invalid_request", "code is missing");
    }
    code_hash = mto_hash(r, code);
    switch (mto_store_code_get(r, code_hash, &stored)) {
    case MTO_STORE_OK:
        break;
    case MTO_STORE_ERROR:
        return mto_send_unavailable(r);
    default:
        return mto_invalid_grant(r, "unknown authorization code");
    }
    if (stored->used) {
        goto replayed;
    }
    if ((why = mto_code_mismatch(r->pool, params, client, stored, now))) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      "client %s: code "
                      "refused: %s",
                      mto_log_safe(r, client->client_id), why);
        return mto_invalid_grant(r, why);
    }

    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                  "token: the code of user %s matches client %s, redirect_uri and PKCE; "
                  "redeeming it",
                  mto_log_safe(r, stored->user), mto_log_safe(r, client->client_id));
    if ((rv = mto_fresh_token(r, &token)) != OK) {
        return rv;
    }
    if (mto_client_may_refresh(client)
        && (rv = mto_new_grant(r, client, stored, code_hash, now, &rt, &refresh)) != OK) {
        return rv;
    }
    t.client_id = client->client_id;
    t.user = stored->user;
    t.scope = stored->scope;
    t.issued = now;
    t.expires = mto_token_expiry(r, client, now);
    switch (mto_store_code_exchange(r, code_hash, mto_hash(r, token), &t,
                                    refresh ? mto_hash(r, refresh) : NULL, refresh ? &rt : NULL)) {
    case MTO_STORE_OK:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      "access token%s issued "
                      "to client %s for user %s, scope '%s'",
                      refresh ? " and refresh token" : "", mto_log_safe(r, t.client_id),
                      mto_log_safe(r, t.user), t.scope);
        return mto_send_token(r, token, &t, refresh);
    case MTO_STORE_CONFLICT:
        goto replayed;
    default:
        return mto_send_unavailable(r);
    }

replayed:
    /* RFC 6749 §4.1.2: a code used twice revokes what was issued from it:
     * the access token, and the refresh token's whole grant. */
    if (mto_cached_tokens_revoke_by_code(r, code_hash) == MTO_STORE_ERROR
        || mto_cached_refresh_revoke_by_code(r, code_hash, now) == MTO_STORE_ERROR) {
        return mto_send_unavailable(r);
    }
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                  "MTO0014: client %s presented an "
                  "authorization code that was already used (user %s); the tokens issued from it "
                  "are revoked: a stolen code, or a client that repeats its token request",
                  mto_log_safe(r, client->client_id), mto_log_safe(r, stored->user));
    return mto_invalid_grant(r, "the authorization code was already used");
}

/* RFC 9700 §4.14.2: a rotated refresh token used again.  Whoever presents it,
 * the grant is in two hands: revoke all of it (the newest refresh token and
 * every access token issued from the grant), so the user must authorize
 * again. */
static int mto_refresh_reused(request_rec *r, const mto_client_t *client, const mto_refresh_t *rt,
                              apr_int64_t now)
{
    if (mto_cached_refresh_revoke_grant(r, rt->grant_id, now) == MTO_STORE_ERROR) {
        return mto_send_unavailable(r);
    }
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                  "MTO0015: client %s presented a "
                  "refresh token that was already used (user %s): the grant is revoked with all "
                  "its refresh and access tokens: a stolen refresh token, or a client that does "
                  "not keep the new one it gets",
                  mto_log_safe(r, client->client_id), mto_log_safe(r, rt->user));
    return mto_invalid_grant(r, "the refresh token was already used; the grant is revoked");
}

static int mto_grant_refresh_token(request_rec *r, const apr_table_t *params,
                                   const mto_client_t *client, apr_int64_t now)
{
    const char *presented = NULL, *used_hash, *why, *token, *refresh;
    mto_refresh_t *stored, next;
    mto_token_t t;
    int rv;

    if (mto_param(params, "refresh_token", &presented) != 1 || !*presented) {
        return mto_send_oauth_error(r, HTTP_BAD_REQUEST, "invalid_request",
                                    "refresh_token is missing");
    }
    used_hash = mto_hash(r, presented);
    switch (mto_store_refresh_get(r, used_hash, &stored)) {
    case MTO_STORE_OK:
        break;
    case MTO_STORE_ERROR:
        return mto_send_unavailable(r);
    default:
        return mto_invalid_grant(r, "unknown refresh token");
    }
    if ((why = mto_refresh_mismatch(client->client_id, stored, now))) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      "client %s: refresh "
                      "token refused: %s",
                      mto_log_safe(r, client->client_id), why);
        return mto_invalid_grant(r, why);
    }
    if (stored->rotated) {
        return mto_refresh_reused(r, client, stored, now);
    }
    if ((why = mto_refresh_scope(r->pool, params, client->scopes, stored->scope, &t.scope))) {
        return mto_send_oauth_error(r, HTTP_BAD_REQUEST, "invalid_scope", why);
    }
    if ((rv = mto_fresh_token(r, &token)) != OK || (rv = mto_fresh_token(r, &refresh)) != OK) {
        return rv;
    }
    next = *stored; /* same grant, scope and end */
    next.issued = now;
    next.rotated = 0;
    t.client_id = client->client_id;
    t.user = stored->user;
    t.issued = now;
    t.expires = mto_token_expiry(r, client, now);
    switch (mto_store_refresh_rotate(r, used_hash, mto_hash(r, refresh), &next, mto_hash(r, token),
                                     &t)) {
    case MTO_STORE_OK:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      "access token "
                      "refreshed for client %s, user %s, scope '%s'",
                      mto_log_safe(r, t.client_id), mto_log_safe(r, t.user), t.scope);
        return mto_send_token(r, token, &t, refresh);
    case MTO_STORE_CONFLICT:
        return mto_refresh_reused(r, client, stored, now);
    default:
        return mto_send_unavailable(r);
    }
}

/* The answer to a token request; *grant is its grant_type once read. */
static int mto_token_answer(request_rec *r, const char **grant_type)
{
    apr_int64_t now = apr_time_sec(apr_time_now());
    apr_table_t *params;
    mto_client_t *client;
    const char *grant = NULL;
    int rv;

    if ((rv = mto_client_request(r, "token", &params, &client)) != OK) {
        return rv;
    }
    if (mto_param(params, "grant_type", &grant) != 1) {
        return mto_send_oauth_error(r, HTTP_BAD_REQUEST, "invalid_request",
                                    "grant_type is missing");
    }
    if (strcmp(grant, "authorization_code") != 0 && strcmp(grant, "refresh_token") != 0) {
        return mto_send_oauth_error(r, HTTP_BAD_REQUEST, "unsupported_grant_type",
                                    "only grant_type=authorization_code and refresh_token "
                                    "are supported");
    }
    if (mto_client_is_resource_server(client)) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      "MTO0061: client %s is a resource server (authorities "
                      "ROLE_RESOURCE_SERVER or ROLE_TRUSTED_CLIENT): it may only introspect, "
                      "so it gets no token; if it is an application, remove those roles from its "
                      "authorities column",
                      mto_log_safe(r, client->client_id));
        return mto_send_oauth_error(r, HTTP_BAD_REQUEST, "unauthorized_client",
                                    "a resource server gets no tokens");
    }
    if (!mto_list_contains(client->grant_types, grant)) {
        return mto_send_oauth_error(r, HTTP_BAD_REQUEST, "unauthorized_client",
                                    "this client may not use this grant type");
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "token: client %s, grant_type %s",
                  mto_log_safe(r, client->client_id), grant);
    *grant_type = grant;
    if (!strcmp(grant, "refresh_token")) {
        return mto_grant_refresh_token(r, params, client, now);
    }
    return mto_grant_authorization_code(r, params, client, now);
}

/* Every answer is counted here, for the status page: a 200 is a token
 * issued (by its grant type), an error by its OAuth error code. */
int mto_handle_token(request_rec *r)
{
    const char *grant = NULL;
    int status = mto_token_answer(r, &grant);

    if (status == HTTP_OK) {
        mto_stat_inc(mto_stat_token_issued(grant));
    }
    else if (ap_is_HTTP_ERROR(status)) {
        mto_stat_inc(mto_stat_token_error(mto_sent_error(r)));
    }
    return status;
}
