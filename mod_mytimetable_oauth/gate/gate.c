/*
 * gate.c - AuthType mytimetable-oauth: who is asking, and what the backend
 * is told (README "The gate").
 *
 * A request behind the gate flows one way:
 *   header_parser      forged identity headers removed
 *   check_access       credentials read and looked up once (mto_gate_get);
 *                      a malformed or invalid credential stops here
 *   check_authn        r->user from the access token or an elevated API token
 *   authz providers    Require oauth-scope / api-token (require.c)
 *   fixups             identity handed on, the token taken away
 *   log_transaction    a token from the query string redacted before logging
 * Error answers are shaped in one place, challenge.c.
 */
#include "log.h"
#include "config/config.h"
#include "cache/cache.h"
#include "respond/respond.h"
#include "gate/gate.h"

#include <http_core.h>
#include <http_request.h>
#include <http_protocol.h>
#include <mod_auth.h>

/* Identity headers the backend trusts: never from the client.  Nor their
 * CGI variables, which a sub-request copies from an SSI page's. */
static const char *const mto_identity_headers[] = { "X-OAuth-User", "X-OAuth-Scope",
                                                    "X-OAuth-Client-Id", NULL };
static const char *const mto_identity_cgi_vars[] = { "HTTP_X_OAUTH_USER", "HTTP_X_OAUTH_SCOPE",
                                                     "HTTP_X_OAUTH_CLIENT_ID", NULL };

#define MTO_API_TOKEN_HEADER      "apiToken"
#define MTO_REQUESTED_AUTH_HEADER "requestedAuth"

static int mto_gate_active(request_rec *r, const mto_dir_conf_t **dc)
{
    const char *type = ap_auth_type(r);

    *dc = ap_get_module_config(r->per_dir_config, &mytimetable_oauth_module);
    return (type && !strcasecmp(type, MTO_AUTH_TYPE)) || (*dc)->require_api_token == 1;
}

mto_gate_t *mto_gate_find(request_rec *r)
{
    for (; r; r = r->main ? r->main : r->prev) {
        mto_gate_t *g = ap_get_module_config(r->request_config, &mytimetable_oauth_module);
        if (g) {
            return g;
        }
    }
    return NULL;
}

int mto_gate_fail(mto_gate_t *g, int status, const char *error, const char *description, int json)
{
    g->status = status;
    g->error = error;
    g->description = description;
    g->json = json;
    return status;
}

/* ------------------------------------------------------------ credentials */

/* Bearer token from where the Location allows it (RFC 6750 §2). */
static int mto_gate_read_token(request_rec *r, const mto_dir_conf_t *dc, mto_gate_t *g)
{
    int accept =
        dc->accept_in == MTO_UNSET ? MTO_TOKEN_IN_HEADER | MTO_TOKEN_IN_QUERY : dc->accept_in;
    const char *from_header = NULL, *from_query = NULL;
    int h = MTO_CRED_ABSENT, q = MTO_CRED_ABSENT;

    if (accept & MTO_TOKEN_IN_HEADER) {
        h = mto_bearer_from_header(r->pool, apr_table_get(r->headers_in, "Authorization"),
                                   &from_header);
    }
    if (accept & MTO_TOKEN_IN_QUERY) {
        q = mto_bearer_from_query(r->pool, r->args, &from_query);
    }
    if (h == MTO_CRED_MALFORMED || q == MTO_CRED_MALFORMED) {
        return mto_gate_fail(g, HTTP_BAD_REQUEST, "invalid_request",
                             h == MTO_CRED_MALFORMED
                                 ? "malformed Authorization header"
                                 : "access_token is repeated, empty or malformed",
                             1);
    }
    if (h == MTO_CRED_FOUND && q == MTO_CRED_FOUND) {
        return mto_gate_fail(g, HTTP_BAD_REQUEST, "invalid_request",
                             "the access token was sent both in the header and in the query", 1);
    }
    g->token_in = h == MTO_CRED_FOUND   ? MTO_TOKEN_IN_HEADER
                  : q == MTO_CRED_FOUND ? MTO_TOKEN_IN_QUERY
                                        : 0;
    g->token = from_header ? from_header : from_query;
    return OK;
}

static int mto_gate_unavailable(mto_gate_t *g)
{
    return mto_gate_fail(g, HTTP_SERVICE_UNAVAILABLE, "temporarily_unavailable",
                         "the authorization server cannot reach its database", 1);
}

/* A value no api_tokens row can hold is unknown without asking: bytes that
 * are not UTF-8 make PostgreSQL fail the query (a 503 for a client's junk). */
static int mto_gate_api_token_plausible(const char *presented)
{
    return *presented && mto_utf8_ok(presented, strlen(presented));
}

static int mto_gate_check_api_token(request_rec *r, mto_gate_t *g)
{
    const char *presented = apr_table_get(r->headers_in, MTO_API_TOKEN_HEADER);
    mto_api_token_t *api = NULL;

    if (!presented) {
        return OK;
    }
    switch (mto_gate_api_token_plausible(presented) ? mto_cached_api_token_get(r, presented, &api)
                                                    : MTO_STORE_NOTFOUND) {
    case MTO_STORE_OK:
        g->api = api;
        return OK;
    case MTO_STORE_ERROR:
        return mto_gate_unavailable(g);
    default:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      "unknown API token "
                      "presented for %s",
                      r->uri);
        return mto_gate_fail(g, HTTP_UNAUTHORIZED, "invalid_api_token", "the apiToken is not known",
                             1);
    }
}

static int mto_gate_check_access_token(request_rec *r, mto_gate_t *g, apr_int64_t now)
{
    mto_token_t *t = NULL;

    if (!g->token) {
        return OK;
    }
    switch (mto_cached_token_get(r, mto_sha256_hex(r->pool, g->token, strlen(g->token)), &t)) {
    case MTO_STORE_OK:
        break;
    case MTO_STORE_ERROR:
        return mto_gate_unavailable(g);
    default:
        return mto_gate_fail(g, HTTP_UNAUTHORIZED, "invalid_token",
                             "the access token is unknown or revoked", 1);
    }
    if (t->expires != 0 && t->expires <= now) {
        return mto_gate_fail(g, HTTP_UNAUTHORIZED, "invalid_token", "the access token expired", 1);
    }
    g->oauth = t;
    g->user = t->user;
    g->scopes = mto_list_split(r->pool, t->scope);
    return OK;
}

/* requestedAuth: an elevated API token acts as any user, with every scope. */
static int mto_gate_check_requested_auth(request_rec *r, mto_gate_t *g)
{
    const char *as = apr_table_get(r->headers_in, MTO_REQUESTED_AUTH_HEADER);

    if (!as) {
        return OK;
    }
    if (!g->api || !g->api->is_elevated) {
        return mto_gate_fail(g, HTTP_FORBIDDEN, "access_denied",
                             "requestedAuth needs an elevated apiToken", 1);
    }
    if (!*as || strlen(as) > 256 || !mto_utf8_ok(as, strlen(as)) || strpbrk(as, "\r\n")) {
        return mto_gate_fail(g, HTTP_BAD_REQUEST, "invalid_request",
                             "requestedAuth is not a user name", 1);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                  "elevated API token %s "
                  "acts as user %s",
                  mto_log_safe(r, g->api->name), mto_log_safe(r, as));
    g->oauth = NULL;
    g->user = as;
    g->scopes = mto_conf_scope_names(r->pool, mto_server_conf(r->server));
    return OK;
}

mto_gate_t *mto_gate_get(request_rec *r)
{
    const mto_dir_conf_t *dc;
    mto_gate_t *g;

    /* Only behind the gate: an ungated ErrorDocument of a failed request
     * must not fail the same way. */
    if (!mto_gate_active(r, &dc)) {
        return NULL;
    }
    if ((g = mto_gate_find(r))) {
        return g;
    }
    g = apr_pcalloc(r->pool, sizeof(*g));
    ap_set_module_config(r->request_config, &mytimetable_oauth_module, g);
    g->status = OK;

    if (r->args) {
        /* Redacted however it was spelt, even where not accepted. */
        g->query_has_token = strcmp(mto_query_redact(r->pool, r->args), r->args) != 0;
        if (g->query_has_token) {
            r->the_request = mto_request_line_redact(r->pool, r->the_request);
            /* Nothing on the way may keep a page that holds it (RFC 6750 §2.3). */
            apr_table_setn(r->err_headers_out, "Cache-Control", "private");
        }
    }
    /* Once per request: sub-requests and internal redirects found the
     * main request's state above.  (Tests count this line.) */
    ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r,
                  "gate: credentials "
                  "looked up for %s",
                  ap_escape_logitem(r->pool, r->uri));
    if (mto_gate_read_token(r, dc, g) == OK && mto_gate_check_api_token(r, g) == OK
        && mto_gate_check_requested_auth(r, g) == OK && !g->user) {
        mto_gate_check_access_token(r, g, apr_time_sec(apr_time_now()));
    }
    return g;
}

/* ------------------------------------------------------------ hooks */

static void mto_gate_unset_identity(request_rec *r)
{
    int i;

    for (i = 0; mto_identity_headers[i]; i++) {
        apr_table_unset(r->headers_in, mto_identity_headers[i]);
        apr_table_unset(r->subprocess_env, mto_identity_cgi_vars[i]);
    }
}

/* Before anything else behind the gate runs: no client may claim an
 * identity.  (The earliest hook that knows the Location's configuration.) */
int mto_gate_scrub(request_rec *r)
{
    const mto_dir_conf_t *dc;

    if (mto_gate_active(r, &dc)) {
        mto_gate_unset_identity(r);
    }
    return DECLINED;
}

int mto_gate_check_access(request_rec *r)
{
    const mto_dir_conf_t *dc;
    mto_gate_t *g = mto_gate_get(r);

    if (!g) {
        return DECLINED;
    }
    if (g->status != OK) {
        return g->status;
    }
    mto_gate_active(r, &dc);
    if (dc->require_api_token == 1 && !g->api) {
        return mto_gate_fail(g, HTTP_UNAUTHORIZED, "invalid_api_token",
                             "this resource needs an apiToken header", 1);
    }
    return DECLINED;
}

int mto_gate_check_authn(request_rec *r)
{
    const char *type = ap_auth_type(r);
    mto_gate_t *g;

    if (!type || strcasecmp(type, MTO_AUTH_TYPE) != 0 || !(g = mto_gate_get(r))) {
        return DECLINED;
    }
    if (g->status != OK) {
        return g->status;
    }
    if (!g->user) {
        /* No credentials: a bare challenge, no error code (RFC 6750 §3.1). */
        ap_note_auth_failure(r);
        return HTTP_UNAUTHORIZED;
    }
    r->user = (char *)g->user;
    r->ap_auth_type = (char *)MTO_AUTH_TYPE;
    return OK;
}

/* Our AuthType's challenge is written by challenge.c; this only tells
 * httpd that the AuthType has a module. */
int mto_gate_note_failure(request_rec *r, const char *auth_type)
{
    return strcasecmp(auth_type, MTO_AUTH_TYPE) ? DECLINED : OK;
}

static void mto_gate_set_env(request_rec *r, const char *name, const char *value)
{
    if (value) {
        apr_table_setn(r->subprocess_env, name, value);
    }
}

/* Access was granted: what the backend learns, and what it must not see. */
int mto_gate_fixups(request_rec *r)
{
    const mto_dir_conf_t *dc;
    mto_gate_t *g = mto_gate_find(r);
    const char *scope;

    if (!g || !mto_gate_active(r, &dc)) {
        return DECLINED;
    }
    /* Denials of Require lines that other lines outvoted are void, and
     * an error the backend answers is its own. */
    g->missing_scopes = NULL;
    g->api_token_denied = 0;
    g->granted = 1;

    /* Again: header_parser runs for main requests only, and a sub-request
     * of an ungated one inherits its headers and CGI variables. */
    mto_gate_unset_identity(r);
    if (g->user) {
        scope = mto_list_join(r->pool, g->scopes);
        if (!r->user) {
            r->user = (char *)g->user;
        }
        mto_gate_set_env(r, "OAUTH_USER", g->user);
        mto_gate_set_env(r, "OAUTH_SCOPE", scope);
        apr_table_setn(r->headers_in, "X-OAuth-User", g->user);
        apr_table_setn(r->headers_in, "X-OAuth-Scope", scope);
        if (g->oauth) {
            mto_gate_set_env(r, "OAUTH_CLIENT_ID", g->oauth->client_id);
            mto_gate_set_env(r, "OAUTH_EXPIRES",
                             apr_psprintf(r->pool, "%" APR_INT64_T_FMT, g->oauth->expires));
            apr_table_setn(r->headers_in, "X-OAuth-Client-Id", g->oauth->client_id);
        }
    }
    if (g->api) {
        mto_gate_set_env(r, "MYTIMETABLE_API_TOKEN", g->api->name);
    }
    if (dc->pass_token != 1) {
        if (g->token_in == MTO_TOKEN_IN_HEADER) {
            apr_table_unset(r->headers_in, "Authorization");
        }
        else if (g->token_in == MTO_TOKEN_IN_QUERY) {
            /* mod_proxy and CGI's QUERY_STRING read r->args; CGI's
             * REQUEST_URI is the request line's target (REDACTED so far). */
            r->args = mto_query_without_token(r->pool, r->args);
            r->parsed_uri.query = r->args;
            r->unparsed_uri = mto_request_line_without_token(r->pool, r->unparsed_uri);
            r->the_request = mto_request_line_without_token(r->pool, r->the_request);
        }
    }
    return DECLINED;
}

/* A token from the query string never reaches the access log: %r, %q and
 * %U%q all come from these fields of the requests the logger looks at. */
int mto_gate_log_redact(request_rec *r)
{
    request_rec *rr;

    while (r->prev) {
        r = r->prev;
    }
    for (rr = r; rr; rr = rr->next) {
        mto_gate_t *g = ap_get_module_config(rr->request_config, &mytimetable_oauth_module);

        if (g && g->query_has_token) {
            for (rr = r; rr; rr = rr->next) {
                rr->the_request = mto_request_line_redact(rr->pool, rr->the_request);
                rr->args = mto_query_redact(rr->pool, rr->args);
                rr->unparsed_uri = mto_request_line_redact(rr->pool, rr->unparsed_uri);
                rr->parsed_uri.query = rr->args;
            }
            break;
        }
    }
    return DECLINED;
}
