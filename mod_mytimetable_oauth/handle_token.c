/*
 * handle_token.c - the token endpoint (RFC 6749 §3.2, §4.1.3, SPEC §4).
 *
 * POST only → form → each parameter once → client authentication → grant.
 * A code is redeemed atomically in the database (store.c); a code presented
 * again gets invalid_grant and revokes the token issued from it.
 */
#include "mod_mytimetable_oauth.h"

#include <http_protocol.h>

/* RFC 6749 §5.1 success: bearer token, scope; expires_in unless it never expires. */
static int mto_token_success(request_rec *r, const char *token, const mto_token_t *t)
{
    json_t *body = json_pack("{s:s, s:s, s:s}", "access_token", token, "token_type", "bearer",
                             "scope", t->scope);

    if (!body) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (t->expires) {
        json_object_set_new(body, "expires_in", json_integer(t->expires - t->issued));
    }
    return mto_send_json(r, HTTP_OK, body);
}

static int mto_invalid_grant(request_rec *r, const char *why)
{
    return mto_send_oauth_error(r, HTTP_BAD_REQUEST, "invalid_grant", why);
}

/* The code's bindings (RFC 6749 §4.1.3, RFC 7636 §4.6, RFC 9700 §2.1.1). */
static const char *mto_code_mismatch(request_rec *r, const apr_table_t *params,
                                     const mto_client_t *client, const mto_code_t *code,
                                     apr_int64_t now)
{
    const char *uri = NULL, *verifier = NULL;
    int n_uri = mto_param(params, "redirect_uri", &uri);
    int n_verifier = mto_param(params, "code_verifier", &verifier);

    if (code->expires <= now) {
        return "the authorization code has expired";
    }
    if (strcmp(code->client_id, client->client_id) != 0) {
        return "the authorization code was issued to another client";
    }
    if (*code->redirect_uri ? (n_uri != 1 || strcmp(uri, code->redirect_uri) != 0)
                            : (n_uri == 1 && !mto_list_contains(client->redirect_uris, uri))) {
        return "redirect_uri does not match the authorization request";
    }
    if (!*code->challenge) {
        /* A verifier for a code issued without a challenge: a PKCE downgrade. */
        return n_verifier == 0 ? NULL : "code_verifier sent, but the authorization request had no code_challenge";
    }
    if (n_verifier != 1 || !mto_pkce_verifier_ok(verifier)
        || !mto_pkce_matches(r->pool, code->challenge_method, code->challenge, verifier)) {
        return "code_verifier is missing or does not match the code_challenge";
    }
    return NULL;
}

static apr_int64_t mto_token_expiry(request_rec *r, const mto_client_t *client, apr_int64_t now)
{
    apr_int64_t validity = client->access_validity;

    if (validity < 0) {
        validity = mto_conf_token_lifetime(mto_server_conf(r->server));
    }
    return validity == 0 ? 0 : now + validity;
}

static int mto_grant_authorization_code(request_rec *r, const apr_table_t *params,
                                        const mto_client_t *client, apr_int64_t now)
{
    const char *code = NULL, *code_hash, *token, *why;
    mto_code_t *stored;
    mto_token_t t;

    if (mto_param(params, "code", &code) != 1 || !*code) {
        return mto_send_oauth_error(r, HTTP_BAD_REQUEST, "invalid_request", "code is missing");
    }
    code_hash = mto_sha256_hex(r->pool, code, strlen(code));
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
    if ((why = mto_code_mismatch(r, params, client, stored, now))) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_mytimetable_oauth: client %s: code "
                      "refused: %s", mto_log_safe(r, client->client_id), why);
        return mto_invalid_grant(r, why);
    }

    token = mto_random_b64url(r->pool, MTO_TOKEN_BYTES);
    if (!token) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "mod_mytimetable_oauth: the random generator "
                      "failed; no token issued");
        return mto_send_oauth_error(r, HTTP_INTERNAL_SERVER_ERROR, "server_error", NULL);
    }
    t.client_id = client->client_id;
    t.user = stored->user;
    t.scope = stored->scope;
    t.issued = now;
    t.expires = mto_token_expiry(r, client, now);
    switch (mto_store_code_exchange(r, code_hash, mto_sha256_hex(r->pool, token, strlen(token)), &t)) {
    case MTO_STORE_OK:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "mod_mytimetable_oauth: access token issued "
                      "to client %s for user %s, scope '%s'", mto_log_safe(r, t.client_id),
                      mto_log_safe(r, t.user), t.scope);
        return mto_token_success(r, token, &t);
    case MTO_STORE_CONFLICT:
        goto replayed;
    default:
        return mto_send_unavailable(r);
    }

replayed:
    /* RFC 6749 §4.1.2: a code used twice revokes what was issued from it. */
    if (mto_store_tokens_revoke_by_code(r, code_hash) == MTO_STORE_ERROR) {
        return mto_send_unavailable(r);
    }
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "mod_mytimetable_oauth: client %s presented an "
                  "authorization code that was already used (user %s); the token issued from it "
                  "is revoked", mto_log_safe(r, client->client_id), mto_log_safe(r, stored->user));
    return mto_invalid_grant(r, "the authorization code was already used");
}

int mto_handle_token(request_rec *r)
{
    apr_int64_t now = apr_time_sec(apr_time_now());
    apr_table_t *params;
    mto_client_t *client;
    mto_client_auth_rc auth;
    const char *err, *dup, *grant = NULL;
    int rv, tried_basic;

    if (r->method_number != M_POST) {
        apr_table_setn(r->headers_out, "Allow", "POST");
        return mto_send_oauth_error(r, HTTP_METHOD_NOT_ALLOWED, "invalid_request",
                                    "the token endpoint accepts POST only");
    }
    rv = mto_read_form(r, &params, &err);
    if (rv != OK) {
        return mto_send_oauth_error(r, rv == HTTP_REQUEST_ENTITY_TOO_LARGE ? rv : HTTP_BAD_REQUEST,
                                    "invalid_request", err);
    }
    if ((dup = mto_duplicate_param(params))) {
        return mto_send_oauth_error(r, HTTP_BAD_REQUEST, "invalid_request",
                                    apr_pstrcat(r->pool, "parameter given more than once: ", dup, NULL));
    }
    auth = mto_client_authenticate(r, params, &client, &tried_basic);
    if (auth != MTO_CLIENT_OK) {
        return mto_client_auth_fail(r, auth, tried_basic);
    }
    if (mto_param(params, "grant_type", &grant) != 1) {
        return mto_send_oauth_error(r, HTTP_BAD_REQUEST, "invalid_request", "grant_type is missing");
    }
    if (strcmp(grant, "authorization_code") != 0) {
        return mto_send_oauth_error(r, HTTP_BAD_REQUEST, "unsupported_grant_type",
                                    "only grant_type=authorization_code is supported");
    }
    if (!mto_list_contains(client->grant_types, grant)) {
        return mto_send_oauth_error(r, HTTP_BAD_REQUEST, "unauthorized_client",
                                    "this client may not use this grant type");
    }
    return mto_grant_authorization_code(r, params, client, now);
}
