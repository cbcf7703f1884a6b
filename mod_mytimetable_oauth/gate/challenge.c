/*
 * challenge.c - how the gate says no (RFC 6750 §3, docs/gate.md).
 *
 * The gate's hooks and mod_authz_core only return a status; httpd then
 * builds the error response, and on its way (insert_error_filter) this file
 * adds the WWW-Authenticate challenge and the JSON body that status needs.
 * A local ErrorDocument replaces that path by an internal redirect: its
 * request gets the challenge (and the admin's page as the body).
 *
 * One case needs more: a Require oauth-scope that denies an authenticated
 * user makes mod_authz_core answer 401 (unless the admin sets
 * AuthzSendForbiddenOnFailure), where RFC 6750 §3.1 asks 403
 * insufficient_scope.  The status is turned into 403 here, before the status
 * line is written.
 */
#include "log.h"
#include "config/config.h"
#include "respond/respond.h"
#include "gate/gate.h"
#include "stats/stats.h"

#include <http_core.h>
#include <http_request.h>
#include <http_protocol.h>
#include <util_filter.h>

#define MTO_JSON_FILTER "MTO_GATE_JSON"

static ap_filter_rec_t *mto_json_filter;

/* ap_send_error_response sets text/html after insert_error_filter: this
 * filter, ahead of the header filter, has the last word. */
static apr_status_t mto_json_error_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    ap_set_content_type(f->r, "application/json");
    ap_remove_output_filter(f);
    return ap_pass_brigade(f->next, bb);
}

/* Appends one auth-param (name="value") to a challenge. */
static const char *mto_auth_param(request_rec *r, const char *challenge, const char *name,
                                  const char *value)
{
    return apr_pstrcat(r->pool, challenge, strchr(challenge, '=') ? ", " : " ", name, "=",
                       mto_quoted_string(r->pool, value), NULL);
}

static const char *mto_challenge(request_rec *r, const char *error, const char *description,
                                 const char *scope)
{
    const char *realm = ap_auth_name(r);
    const char *challenge = "Bearer";

    if (realm) {
        challenge = mto_auth_param(r, challenge, "realm", realm);
    }
    if (error) {
        challenge = mto_auth_param(r, challenge, "error", error);
    }
    if (error && description) {
        challenge = mto_auth_param(r, challenge, "error_description", description);
    }
    if (scope) {
        challenge = mto_auth_param(r, challenge, "scope", scope);
    }
    return challenge;
}

/* The JSON body (respond/json.c) for the status httpd is about to send
 * (keyed by that status: ap_send_error_response looked it up before
 * calling us). */
static void mto_json_body(request_rec *r, const char *error, const char *description,
                          const char *scope)
{
    const char *text = mto_error_json(r->pool, error, description, scope);

    if (text) {
        ap_custom_response(r, r->status, text);
        ap_add_output_filter_handle(mto_json_filter, NULL, r, r->connection);
    }
}

/* failed: the request behind the gate that failed (its AuthName is the
 * realm); r itself, or its ErrorDocument, which then gives the body. */
static void mto_gate_error_response(request_rec *r, request_rec *failed)
{
    int with_body = r == failed;
    mto_gate_t *g = mto_gate_decision(failed);
    const char *scope, *challenge = NULL;

    if (!g || g->granted) {
        return; /* not behind the gate, or the backend's error */
    }
    if (g->status != OK && r->status == g->status) {
        /* A Bearer failure challenges with its error code; an API-token
         * failure only with the realm (a 401 needs a challenge), and a
         * 503 or requestedAuth 403 with none. */
        if (!g->error) {
            challenge = mto_challenge(failed, NULL, NULL, NULL); /* no credentials */
        }
        else if (!strcmp(g->error, "invalid_request") || !strcmp(g->error, "invalid_token")) {
            challenge = mto_challenge(failed, g->error, g->description, NULL);
        }
        else if (r->status == HTTP_UNAUTHORIZED) {
            challenge = mto_challenge(failed, NULL, NULL, NULL);
        }
        if (r->status == HTTP_SERVICE_UNAVAILABLE) {
            apr_table_setn(r->err_headers_out, "Retry-After", "5");
        }
        if (g->json && with_body) {
            mto_json_body(r, g->error, g->description, NULL);
        }
    }
    else if (r->status == HTTP_UNAUTHORIZED && g->missing_scopes && g->user) {
        scope = mto_list_join(r->pool, g->missing_scopes);
        challenge = mto_challenge(failed, "insufficient_scope",
                                  "the access token lacks the scope this resource needs", scope);
        if (with_body) {
            mto_json_body(r, "insufficient_scope",
                          "the access token lacks the scope this resource needs", scope);
        }
        r->status = HTTP_FORBIDDEN;
        r->status_line = NULL;
    }
    else if (r->status == HTTP_UNAUTHORIZED && g->api_token_denied) {
        challenge = mto_challenge(failed, NULL, NULL, NULL);
        if (with_body) {
            mto_json_body(r, "invalid_api_token",
                          g->api ? "this apiToken may not use this resource"
                                 : "this resource needs an apiToken header",
                          NULL);
        }
    }
    else if (r->status == HTTP_UNAUTHORIZED && g->user && r->user) {
        /* Authenticated with a good token and still refused (a <RequireNone>,
         * say): a 401 would tell the client to get another token, which
         * cannot help.  Refused, as for a missing scope. */
        mto_json_body(r, "access_denied", "this user may not use this resource", NULL);
        r->status = HTTP_FORBIDDEN;
        r->status_line = NULL;
    }
    else if (r->status == HTTP_UNAUTHORIZED) {
        challenge = mto_challenge(failed, NULL, NULL, NULL); /* RFC 6750 §3.1: no error code */
    }
    if (challenge) {
        apr_table_setn(r->err_headers_out, "WWW-Authenticate", challenge);
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "gate: %s answered %d%s%s",
                  mto_log_safe(r, failed->uri), r->status, challenge ? ", WWW-Authenticate: " : "",
                  challenge ? challenge : "");
    mto_stat_inc(mto_stat_gate_failure(r->status)); /* the status is final here */
}

void mto_gate_insert_error_filter(request_rec *r)
{
    mto_gate_error_response(r, r);
}

/* A local ErrorDocument is an internal redirect that insert_error_filter
 * never sees: the page is the admin's, the status and the challenge are
 * still the gate's (a 401 without WWW-Authenticate, or insufficient_scope
 * as a 401, would break clients). */
void mto_gate_error_document(request_rec *r)
{
    if (r->prev && ap_is_HTTP_ERROR(r->status)) {
        mto_gate_error_response(r, r->prev);
    }
}

void mto_gate_register_filter(apr_pool_t *p)
{
    mto_json_filter = ap_register_output_filter(MTO_JSON_FILTER, mto_json_error_filter, NULL,
                                                AP_FTYPE_CONTENT_SET);
}
