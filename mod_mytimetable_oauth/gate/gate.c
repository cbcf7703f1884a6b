/*
 * gate.c - AuthType mytimetable-oauth: who is asking, and what the backend
 * is told (docs/gate.md).
 *
 * A request behind the gate flows one way:
 *   header_parser      forged identity headers removed
 *   check_access       the decision (mto_gate_get): credentials of the
 *                      request the client sent (creds.c, read and looked up
 *                      once) weighed with this Location's settings; a
 *                      malformed or invalid credential stops here, and the
 *                      token is taken away (PassToken Off)
 *   check_authn        r->user from the access token or an elevated API token
 *   authz providers    Require oauth-scope / api-token (require.c)
 *   fixups             identity handed on
 *   log_transaction    access_token redacted before logging (creds.c)
 * Each request, sub-requests and internal redirects included, has its own
 * decision in its own pool; error answers are shaped in challenge.c.
 */
#include "log.h"
#include "config/config.h"
#include "cache/cache.h"
#include "respond/respond.h"
#include "gate/gate.h"
#include "stats/stats.h"

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

static int mto_gate_active(request_rec *r, const mto_dir_conf_t **dc)
{
    const char *type = ap_auth_type(r);

    *dc = ap_get_module_config(r->per_dir_config, &mytimetable_oauth_module);
    return (type && !strcasecmp(type, MTO_AUTH_TYPE)) || (*dc)->require_api_token == 1;
}

mto_gate_t *mto_gate_decision(request_rec *r)
{
    mto_gate_t *g = ap_get_module_config(r->request_config, &mytimetable_oauth_module);

    if (g) {
        return g;
    }
    /* httpd skipped r's access checks for these two (request.c): the
     * decision of the request whose configuration r shares holds. */
    if (r->prev && r->prev->per_dir_config == r->per_dir_config) {
        return mto_gate_decision(r->prev);
    }
    if (r->main && r->main->per_dir_config == r->per_dir_config) {
        return mto_gate_decision(r->main);
    }
    return NULL;
}

int mto_gate_authenticated(const request_rec *r)
{
    return r->ap_auth_type && !strcasecmp(r->ap_auth_type, MTO_AUTH_TYPE);
}

int mto_gate_fail(mto_gate_t *g, int status, const char *error, const char *description, int json)
{
    g->status = status;
    g->error = error;
    g->description = description;
    g->json = json;
    return status;
}

/* ------------------------------------------------------------ the decision */

static int mto_gate_unavailable(mto_gate_t *g)
{
    return mto_gate_fail(g, HTTP_SERVICE_UNAVAILABLE, "temporarily_unavailable",
                         "the authorization server cannot reach its database", 1);
}

/* The bearer token from where the Location allows it (RFC 6750 §2). */
static int mto_gate_pick_token(const mto_dir_conf_t *dc, const mto_gate_creds_t *c, mto_gate_t *g)
{
    int accept =
        dc->accept_in == MTO_UNSET ? MTO_TOKEN_IN_HEADER | MTO_TOKEN_IN_QUERY : dc->accept_in;
    int h = accept & MTO_TOKEN_IN_HEADER ? c->header : MTO_CRED_ABSENT;
    int q = accept & MTO_TOKEN_IN_QUERY ? c->query : MTO_CRED_ABSENT;

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
    g->token = h == MTO_CRED_FOUND ? c->header_token : q == MTO_CRED_FOUND ? c->query_token : NULL;
    return OK;
}

static int mto_gate_check_api_token(const mto_gate_creds_t *c, mto_gate_t *g)
{
    switch (c->api_rc) {
    case -1:
        return OK;
    case MTO_STORE_OK:
        g->api = c->api;
        return OK;
    case MTO_STORE_ERROR:
        return mto_gate_unavailable(g);
    default:
        return mto_gate_fail(g, HTTP_UNAUTHORIZED, "invalid_api_token", "the apiToken is not known",
                             1);
    }
}

/* requestedAuth: an elevated API token acts as any user, with every scope. */
static int mto_gate_check_requested_auth(request_rec *r, mto_gate_creds_t *c, mto_gate_t *g)
{
    const char *as = c->requested_as;

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
    if (!c->requested_logged) {
        c->requested_logged = 1;
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "elevated API token %s acts as user %s",
                      mto_log_safe(r, g->api->name), mto_log_safe(r, as));
    }
    g->user = as;
    g->scopes = mto_conf_scope_names(r->pool, mto_server_conf(r->server));
    return OK;
}

/* The access token, looked up for real whenever it decides something: when
 * nothing else made a user, and whenever the API token says
 * authentication_required (whatever the Require lines are). */
static int mto_gate_check_access_token(request_rec *r, mto_gate_creds_t *c, mto_gate_t *g)
{
    int need = g->api && g->api->authentication_required;
    int i = g->token_in == MTO_TOKEN_IN_QUERY;

    if (!g->token) {
        /* No credentials: a bare challenge (RFC 6750 §3.1). */
        return need ? mto_gate_fail(g, HTTP_UNAUTHORIZED, NULL, NULL, 0) : OK;
    }
    if (g->user && !need) {
        return OK;
    }
    mto_gate_creds_lookup(r, c, i);
    if (c->looked[i].status == HTTP_SERVICE_UNAVAILABLE) {
        return mto_gate_unavailable(g);
    }
    if (c->looked[i].status != OK) {
        return mto_gate_fail(g, HTTP_UNAUTHORIZED, "invalid_token", c->looked[i].description, 1);
    }
    if (!g->user) {
        g->oauth = c->looked[i].row;
        g->user = g->oauth->user;
        g->scopes = c->looked[i].scopes;
    }
    return OK;
}

/* LogLevel mytimetable_oauth:debug: where the credentials came from and
 * what they decided for this request (a name and a user, never a token). */
static void mto_gate_trace(request_rec *r, const mto_gate_t *g)
{
    const char *from = g->token_in == MTO_TOKEN_IN_HEADER  ? "in the Authorization header"
                       : g->token_in == MTO_TOKEN_IN_QUERY ? "in the query"
                                                           : "none";
    const char *decided;

    if (!APLOGrdebug(r)) {
        return;
    }
    decided = g->status != OK ? apr_psprintf(r->pool, "refused with %d %s", g->status,
                                             g->error ? g->error : "(no error code)")
              : g->user       ? apr_psprintf(r->pool, "user %s, client %s, scope '%s'",
                                             mto_log_safe(r, g->user),
                                       g->oauth ? mto_log_safe(r, g->oauth->client_id)
                                                      : "(an elevated apiToken)",
                                             mto_list_join(r->pool, g->scopes))
                              : "no user";
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "gate: %s: access token %s, apiToken %s: %s",
                  mto_log_safe(r, r->uri), from, g->api ? mto_log_safe(r, g->api->name) : "none",
                  decided);
}

mto_gate_t *mto_gate_get(request_rec *r)
{
    const mto_dir_conf_t *dc;
    mto_gate_creds_t *c;
    mto_gate_t *g;

    /* Only behind the gate: an ungated ErrorDocument of a failed request
     * must not fail the same way. */
    if (!mto_gate_active(r, &dc)) {
        return NULL;
    }
    if ((g = ap_get_module_config(r->request_config, &mytimetable_oauth_module))) {
        return g;
    }
    g = apr_pcalloc(r->pool, sizeof(*g));
    ap_set_module_config(r->request_config, &mytimetable_oauth_module, g);
    g->status = OK;
    c = mto_gate_creds(r);
    if (c->query != MTO_CRED_ABSENT) {
        /* Nothing on the way may keep a page that holds it (RFC 6750 §2.3). */
        apr_table_setn(r->err_headers_out, "Cache-Control", "private");
    }
    if (mto_gate_pick_token(dc, c, g) == OK && mto_gate_check_api_token(c, g) == OK
        && mto_gate_check_requested_auth(r, c, g) == OK) {
        mto_gate_check_access_token(r, c, g);
    }
    if (dc->pass_token != 1) {
        mto_gate_take_token(r, c);
    }
    mto_gate_trace(r, g);
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
    mto_gate_t *g;
    const char *scope;

    if (!mto_gate_active(r, &dc)) {
        return DECLINED;
    }
    if (!(g = ap_get_module_config(r->request_config, &mytimetable_oauth_module))) {
        /* Access checks shared with the request r came from: its decision,
         * read only.  Failing that, a decision of r's own. */
        g = mto_gate_decision(r);
        if (!g && (g = mto_gate_get(r))->status != OK) {
            return g->status;
        }
    }
    else {
        /* Denials of Require lines that other lines outvoted are void, and
         * an error the backend answers is its own. */
        g->missing_scopes = NULL;
        g->api_token_denied = 0;
        g->granted = 1;
        if (ap_is_initial_req(r)) {
            mto_stat_inc(MTO_STAT_GATE_ALLOWED); /* once per request a client sent */
        }
    }

    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "gate: %s: access granted to %s",
                  mto_log_safe(r, r->uri), g->user ? mto_log_safe(r, g->user) : "(no user)");
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
        /* Taken away when the decision was made; once more for what came
         * after (a sub-request sharing its main request's decision), and
         * the request line's REDACTED pair too (CGI's REQUEST_URI). */
        mto_gate_take_token(r, mto_gate_creds(r));
        if (mto_query_may_hold_token(r->the_request)) {
            r->the_request = mto_request_line_without_token(r->pool, r->the_request);
        }
    }
    return DECLINED;
}
