/*
 * require.c - the Require providers of the gate (docs/gate.md):
 *
 *   Require oauth-scope S1 S2 …   the access token has any one of the scopes
 *   Require api-token [NAME …]    a valid apiToken (of one of these names)
 *
 * They combine with Apache's own providers in <RequireAll>/<RequireAny>.
 * mod_authz_core first asks them with no user: a valid API token can grant
 * on its own then; AUTHZ_DENIED_NO_USER makes httpd authenticate
 * (gate.c) and ask again.  A denial only records why: challenge.c turns
 * it into the answer.
 */
#include "log.h"
#include "config/config.h"
#include "gate/gate.h"

#include <http_request.h>
#include <mod_auth.h>

/* Require lines are parsed once, at configuration time. */
static const char *mto_parse_list(cmd_parms *cmd, const char *require_line, const void **parsed,
                                  int need_one, int scopes)
{
    apr_array_header_t *items = mto_list_split(cmd->pool, require_line);
    int i;

    if (need_one && items->nelts == 0) {
        return "Require oauth-scope needs at least one scope";
    }
    for (i = 0; scopes && i < items->nelts; i++) {
        if (!mto_scope_syntax_ok(APR_ARRAY_IDX(items, i, const char *))) {
            return apr_psprintf(cmd->pool, "Require oauth-scope: '%s' is not a scope name",
                                APR_ARRAY_IDX(items, i, const char *));
        }
    }
    *parsed = items;
    return NULL;
}

static const char *mto_scope_parse(cmd_parms *cmd, const char *require_line, const void **parsed)
{
    return mto_parse_list(cmd, require_line, parsed, 1, 1);
}

static const char *mto_api_token_parse(cmd_parms *cmd, const char *require_line,
                                       const void **parsed)
{
    return mto_parse_list(cmd, require_line, parsed, 0, 0);
}

static authz_status mto_scope_check(request_rec *r, const char *require_line, const void *parsed)
{
    const apr_array_header_t *wanted = parsed;
    mto_gate_t *g;
    int i;

    if (!r->user) {
        return AUTHZ_DENIED_NO_USER;
    }
    g = mto_gate_get(r);
    if (!g || !g->user || g->status != OK) {
        return AUTHZ_DENIED; /* a user from elsewhere has no scopes */
    }
    for (i = 0; i < wanted->nelts; i++) {
        if (mto_list_contains(g->scopes, APR_ARRAY_IDX(wanted, i, const char *))) {
            return AUTHZ_GRANTED;
        }
    }
    if (!g->missing_scopes) {
        g->missing_scopes = apr_array_make(r->pool, 4, sizeof(const char *));
    }
    for (i = 0; i < wanted->nelts; i++) {
        if (!mto_list_contains(g->missing_scopes, APR_ARRAY_IDX(wanted, i, const char *))) {
            APR_ARRAY_PUSH(g->missing_scopes, const char *) =
                APR_ARRAY_IDX(wanted, i, const char *);
        }
    }
    /* debug: inside <RequireAny> a missing scope may not decide anything */
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                  "user %s lacks scope "
                  "(%s) for %s",
                  mto_log_safe(r, g->user), require_line, r->uri);
    return AUTHZ_DENIED;
}

static authz_status mto_api_token_check(request_rec *r, const char *require_line,
                                        const void *parsed)
{
    const apr_array_header_t *names = parsed;
    mto_gate_t *g = mto_gate_get(r);

    if (!g || g->status != OK) {
        return AUTHZ_DENIED;
    }
    if (g->api && (names->nelts == 0 || mto_list_contains(names, g->api->name))) {
        /* authentication_required: the token alone is not enough. */
        if (g->api->authentication_required && !g->user) {
            return r->user ? AUTHZ_DENIED : AUTHZ_DENIED_NO_USER;
        }
        return AUTHZ_GRANTED;
    }
    if (g->api || r->user) {
        g->api_token_denied = 1; /* definitive; not merely "no credentials yet" */
    }
    /* Without a user, let httpd authenticate first: a 401 with a challenge,
     * where mod_authz_core would answer a bare 403. */
    return r->user ? AUTHZ_DENIED : AUTHZ_DENIED_NO_USER;
}

static const authz_provider mto_scope_provider = { mto_scope_check, mto_scope_parse };
static const authz_provider mto_api_token_provider = { mto_api_token_check, mto_api_token_parse };

void mto_require_register(apr_pool_t *p)
{
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "oauth-scope", AUTHZ_PROVIDER_VERSION,
                              &mto_scope_provider, AP_AUTH_INTERNAL_PER_CONF);
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "api-token", AUTHZ_PROVIDER_VERSION,
                              &mto_api_token_provider, AP_AUTH_INTERNAL_PER_CONF);
}
