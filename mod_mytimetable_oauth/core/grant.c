/*
 * grant.c - the rules of the authorization code and refresh token grants
 * (docs/endpoints.md), apart from the requests that carry them: what an
 * authorization request may be granted, whether a code or a refresh token
 * may be exchanged, when what is issued expires.
 */
#include "core/grant.h"

#include <apr_strings.h>

/* RFC 6749 §3.3: no scope asked means all the client's scopes. */
static const char *mto_authz_scope(apr_pool_t *p, const apr_table_t *params,
                                   const apr_array_header_t *client_scopes,
                                   mto_authz_grant_t *grant, const char **description)
{
    const char *v = NULL;

    if (mto_param(params, "scope", &v) == 1) {
        if (!mto_scope_syntax_ok(v)) {
            *description = "scope is not a space-separated list of scope names";
            return "invalid_scope";
        }
        grant->scopes = mto_scope_split(p, v);
    }
    else {
        grant->scopes = client_scopes;
    }
    if (grant->scopes->nelts == 0 || !mto_list_subset(grant->scopes, client_scopes)) {
        *description = "the requested scope is not allowed for this client";
        return "invalid_scope";
    }
    return NULL;
}

/* RFC 7636 §4.3; require_pkce: a challenge, and S256 only (RFC 9700 §2.1.1). */
static const char *mto_authz_pkce(const apr_table_t *params, int require_pkce,
                                  mto_authz_grant_t *grant, const char **description)
{
    const char *method = NULL, *challenge = NULL;
    int n = mto_param(params, "code_challenge", &challenge);

    if (mto_param(params, "code_challenge_method", &method) == 1 && n == 0) {
        *description = "code_challenge_method without code_challenge";
        return "invalid_request";
    }
    if (n == 0) {
        if (require_pkce) {
            *description = "PKCE is required: send code_challenge with code_challenge_method=S256";
            return "invalid_request";
        }
        grant->challenge = grant->challenge_method = "";
        return NULL;
    }
    if (!method) {
        method = "plain"; /* RFC 7636 §4.3 default */
    }
    if (strcmp(method, "S256") != 0 && (strcmp(method, "plain") != 0 || require_pkce)) {
        *description = require_pkce ? "code_challenge_method must be S256"
                                    : "code_challenge_method must be S256 or plain";
        return "invalid_request";
    }
    if (!mto_pkce_challenge_ok(method, challenge)) {
        *description = "code_challenge is malformed (RFC 7636 section 4.2)";
        return "invalid_request";
    }
    grant->challenge = challenge;
    grant->challenge_method = method;
    return NULL;
}

const char *mto_authz_grant_check(apr_pool_t *p, const apr_table_t *params,
                                  const apr_array_header_t *client_scopes, int require_pkce,
                                  mto_authz_grant_t *grant, const char **description)
{
    const char *error = mto_authz_scope(p, params, client_scopes, grant, description);

    return error ? error : mto_authz_pkce(params, require_pkce, grant, description);
}

const char *mto_code_mismatch(apr_pool_t *p, const apr_table_t *params, const mto_client_t *client,
                              const mto_code_t *code, apr_int64_t now)
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
    /* RFC 6749 §4.1.3: the very redirect_uri of the authorization request;
     * none was sent there: any one sent here must be registered. */
    if (*code->redirect_uri ? (n_uri != 1 || strcmp(uri, code->redirect_uri) != 0)
                            : (n_uri == 1 && !mto_client_redirect_ok(client, uri))) {
        return "redirect_uri does not match the authorization request";
    }
    /* Made confidential → public since the code was issued: PKCE still holds. */
    if (mto_client_public(client) && strcmp(code->challenge_method, "S256") != 0) {
        return "a public client's authorization code needs an S256 code_challenge";
    }
    if (!*code->challenge) {
        /* A verifier for a code issued without a challenge: a PKCE downgrade. */
        return n_verifier == 0
                   ? NULL
                   : "code_verifier sent, but the authorization request had no code_challenge";
    }
    if (n_verifier != 1 || !mto_pkce_verifier_ok(verifier)
        || !mto_pkce_matches(p, code->challenge_method, code->challenge, verifier)) {
        return "code_verifier is missing or does not match the code_challenge";
    }
    return NULL;
}

const char *mto_refresh_mismatch(const char *client_id, const mto_refresh_t *rt, apr_int64_t now)
{
    if (strcmp(rt->client_id, client_id) != 0) {
        return "the refresh token was issued to another client";
    }
    if (rt->expires != 0 && rt->expires <= now) {
        return "the refresh token has expired";
    }
    return NULL;
}

/* The admin may have narrowed the client's scopes since the grant. */
const char *mto_refresh_scope(apr_pool_t *p, const apr_table_t *params,
                              const apr_array_header_t *client_scopes, const char *granted,
                              const char **scope)
{
    apr_array_header_t *grant = mto_list_split(p, granted), *wanted = grant;
    const char *asked = NULL;

    if (mto_param(params, "scope", &asked) == 1) {
        if (!mto_scope_syntax_ok(asked)) {
            return "scope is not a space-separated list of scope names";
        }
        wanted = mto_scope_split(p, asked);
        if (!mto_list_subset(wanted, grant)) {
            return "the requested scope exceeds the scope of the grant";
        }
    }
    if (wanted->nelts == 0 || !mto_list_subset(wanted, client_scopes)) {
        return "the client may no longer have this scope";
    }
    *scope = mto_list_join(p, wanted);
    return NULL;
}

apr_int64_t mto_expiry(apr_int64_t validity, apr_int64_t dflt, apr_int64_t now)
{
    if (validity < 0) {
        validity = dflt;
    }
    return validity == 0 ? 0 : now + validity;
}

int mto_client_is_resource_server(const mto_client_t *c)
{
    return mto_list_contains(c->authorities, "ROLE_RESOURCE_SERVER")
           || mto_list_contains(c->authorities, "ROLE_TRUSTED_CLIENT");
}
