/*
 * handle_authorize.c - the authorization endpoint (RFC 6749 §4.1.1, docs/endpoints.md).
 *
 * parse → check client and redirect_uri (errors here are an HTML page: we
 * must not redirect to an unverified URI) → check the rest (errors are
 * redirects with error= and state) → consent (page on GET, decision on POST)
 * → code.  The user is whoever Apache's own authentication says (r->user).
 */
#include "log.h"
#include "core/grant.h"
#include "config/config.h"
#include "store/store.h"
#include "cache/cache.h"
#include "respond/respond.h"
#include "endpoints/endpoints.h"
#include "gate/gate.h"
#include "stats/stats.h"

#include <http_protocol.h>

/* A validated authorization request. */
typedef struct {
    mto_client_t *client;
    const char *redirect_uri;   /* where the user goes back to */
    const char *redirect_param; /* redirect_uri as sent; "" if absent */
    const char *state;          /* NULL if absent */
    mto_authz_grant_t grant;    /* scopes and PKCE challenge */
} mto_authz_req_t;

/* Parses the query pair by pair, so that one undecodable parameter does not
 * hide client_id and redirect_uri: the error can then still go back to the
 * client as invalid_request.  *bad is set when any pair was undecodable,
 * *bad_redirect when that pair was redirect_uri itself (then there is no
 * verified place to send the error to). */
static apr_table_t *mto_authz_params(request_rec *r, int *bad, int *bad_redirect)
{
    apr_table_t *params = apr_table_make(r->pool, 8);
    const char *q = r->args ? r->args : "";
    const char *err;
    int n = 0;

    *bad = *bad_redirect = 0;
    while (*q) {
        apr_size_t len = strcspn(q, "&");
        apr_table_t *one;

        if (len && mto_form_parse(r->pool, q, len, 1, &one, &err) == 0) {
            params = apr_table_overlay(r->pool, params, one);
        }
        else if (len) {
            apr_size_t nlen = strcspn(q, "=&");
            const char *name = mto_form_unescape(r->pool, q, nlen < len ? nlen : len);

            *bad = 1;
            if (name && !strcmp(name, "redirect_uri")) {
                *bad_redirect = 1;
            }
        }
        if (++n > MTO_MAX_PARAMS) {
            *bad = 1;
            break;
        }
        q += len;
        if (*q == '&') {
            q++;
        }
    }
    return params;
}

static int mto_authz_redirect(request_rec *r, const mto_authz_req_t *req, apr_table_t *out)
{
    if (req->state) {
        apr_table_setn(out, "state", req->state);
    }
    apr_table_setn(out, "iss", mto_issuer(r)); /* RFC 9207 */
    return mto_send_redirect(r,
                             r->method_number == M_POST ? HTTP_SEE_OTHER : HTTP_MOVED_TEMPORARILY,
                             mto_url_add_params(r->pool, req->redirect_uri, out));
}

/* The texts of r's language (the HTML error pages). */
#define TX mto_texts(mto_page_lang(r))

/* An error for the client, delivered by redirect (RFC 6749 §4.1.2.1). */
static int mto_authz_error(request_rec *r, const mto_authz_req_t *req, const char *error,
                           const char *description)
{
    apr_table_t *out = apr_table_make(r->pool, 4);

    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                  "authorize: client %s, user %s: back to the client with error=%s (%s)",
                  mto_log_safe(r, req->client->client_id), mto_log_safe(r, r->user), error,
                  ap_escape_logitem(r->pool, description));
    mto_stat_inc(mto_stat_authorize_error(error));
    apr_table_setn(out, "error", error);
    apr_table_setn(out, "error_description", description);
    return mto_authz_redirect(r, req, out);
}

/* Client and redirect_uri: until both are known good, nothing redirects.
 * OK when both are good, else the status of the error page sent. */
static int mto_authz_client(request_rec *r, const apr_table_t *params, int bad_redirect,
                            mto_authz_req_t *req)
{
    const char *id = NULL, *uri = NULL;
    int n;

    if (mto_param(params, "client_id", &id) != 1 || !*id) {
        return mto_html_error(r, HTTP_BAD_REQUEST, TX->bad_request_title, TX->bad_request_text);
    }
    switch (mto_cached_client_get(r, id, &req->client)) {
    case MTO_STORE_OK:
        break;
    case MTO_STORE_ERROR:
        return mto_html_error(r, HTTP_SERVICE_UNAVAILABLE, TX->unavailable_title,
                              TX->unavailable_text);
    default:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      "authorize: unknown "
                      "client %s",
                      mto_log_safe(r, id));
        return mto_html_error(r, HTTP_BAD_REQUEST, TX->unknown_client_title,
                              TX->unknown_client_text);
    }
    n = bad_redirect ? -1 : mto_param(params, "redirect_uri", &uri);
    if (n == 1 && mto_client_redirect_ok(req->client, uri)) {
        req->redirect_uri = uri;
        req->redirect_param = uri;
        return OK;
    }
    if (n == 0 && req->client->redirect_uris->nelts == 1) {
        req->redirect_uri = APR_ARRAY_IDX(req->client->redirect_uris, 0, const char *);
        req->redirect_param = "";
        return OK;
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                  "authorize: client %s: "
                  "redirect_uri %s",
                  mto_log_safe(r, id),
                  n == 0  ? "missing (the client has several or none registered)"
                  : n < 0 ? "repeated or undecodable"
                          : "not registered");
    return mto_html_error(r, HTTP_BAD_REQUEST, TX->bad_redirect_title, TX->bad_redirect_text);
}

/* response_type, grant type, then scope and PKCE (core/grant.c); returns
 * NULL when good, else the error and description. */
static const char *mto_authz_check(request_rec *r, const apr_table_t *params, mto_authz_req_t *req,
                                   const char **description)
{
    const char *v = NULL;
    int n;

    n = mto_param(params, "response_type", &v);
    if (n == 0) {
        *description = "response_type is missing";
        return "invalid_request";
    }
    if (strcmp(v, "code") != 0) {
        *description = "only response_type=code is supported";
        return "unsupported_response_type";
    }
    if (mto_client_is_resource_server(req->client)) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      "MTO0060: client %s is a resource server (authorities "
                      "ROLE_RESOURCE_SERVER or ROLE_TRUSTED_CLIENT): it may only introspect, "
                      "so it gets no authorization code; if it is an application, remove those roles from its "
                      "authorities column",
                      mto_log_safe(r, req->client->client_id));
        *description = "a resource server gets no authorization code";
        return "unauthorized_client";
    }
    if (!mto_list_contains(req->client->grant_types, "authorization_code")) {
        *description = "this client may not use the authorization code grant";
        return "unauthorized_client";
    }
    /* A public client must use S256 whatever the server requires (RFC 9700 §2.1.1). */
    return mto_authz_grant_check(r->pool, params, req->client->scopes,
                                 mto_conf_require_pkce(mto_server_conf(r->server))
                                     || mto_client_public(req->client),
                                 &req->grant, description);
}

/* Issues a code and sends the user back with it. */
static int mto_authz_issue_code(request_rec *r, const mto_authz_req_t *req, apr_int64_t now)
{
    const mto_server_conf_t *conf = mto_server_conf(r->server);
    const char *code = mto_random_b64url(r->pool, MTO_CODE_BYTES);
    apr_table_t *out;
    mto_code_t c;

    if (!code) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "MTO0007: the random generator failed; no code issued "
                      "to client %s: check OpenSSL's random source (entropy)",
                      mto_log_safe(r, req->client->client_id));
        return mto_authz_error(r, req, "server_error", "no code could be issued");
    }
    c.client_id = req->client->client_id;
    c.user = r->user;
    c.scope = mto_list_join(r->pool, req->grant.scopes);
    c.redirect_uri = req->redirect_param;
    c.challenge = req->grant.challenge;
    c.challenge_method = req->grant.challenge_method;
    c.expires = now + mto_conf_code_lifetime(conf);
    c.used = 0;
    if (mto_store_code_insert(r, mto_sha256_hex(r->pool, code, strlen(code)), &c) != MTO_STORE_OK) {
        return mto_authz_error(r, req, "temporarily_unavailable",
                               "the authorization server cannot reach its database");
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                  "code issued to client %s "
                  "for user %s, scope '%s'",
                  mto_log_safe(r, c.client_id), mto_log_safe(r, c.user), c.scope);
    mto_stat_inc(MTO_STAT_AUTHORIZE_CODE);
    out = apr_table_make(r->pool, 4);
    apr_table_setn(out, "code", code);
    return mto_authz_redirect(r, req, out);
}

/* The user already agreed (*approved): autoapprove, or a remembered
 * approval.  OK, or the status of the error sent (the database failed). */
static int mto_authz_preapproved(request_rec *r, const mto_authz_req_t *req, int *approved)
{
    const mto_client_t *c = req->client;
    mto_store_rc rc;

    *approved = c->autoapprove_all || mto_list_subset(req->grant.scopes, c->autoapprove);
    if (*approved || mto_conf_approval_lifetime(mto_server_conf(r->server)) == 0) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "authorize: %s",
                      *approved ? "the client's autoapprove covers the scope"
                                : "approvals are not remembered: the consent page");
        return OK;
    }
    rc = mto_store_approval_covers(r, r->user, c->client_id, req->grant.scopes);
    if (rc == MTO_STORE_ERROR) {
        return mto_authz_error(r, req, "temporarily_unavailable",
                               "the authorization server cannot reach its database");
    }
    *approved = rc == MTO_STORE_OK;
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "authorize: %s",
                  *approved ? "a remembered approval covers the scope"
                            : "no approval covers the scope: the consent page");
    return OK;
}

/* POST from the consent page: Approve or Deny. */
static int mto_authz_decide(request_rec *r, const mto_authz_req_t *req, apr_int64_t now)
{
    const mto_server_conf_t *conf = mto_server_conf(r->server);
    apr_table_t *form;
    const char *err, *csrf = NULL, *decision = NULL;
    apr_int64_t lifetime;

    if (mto_read_form(r, &form, &err) != OK || mto_param(form, "csrf_token", &csrf) != 1
        || !mto_consent_csrf_ok(r, r->user, csrf, now)) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      "consent for client "
                      "%s refused: missing, expired or invalid CSRF token (user %s)",
                      mto_log_safe(r, req->client->client_id), mto_log_safe(r, r->user));
        return mto_html_error(r, HTTP_BAD_REQUEST, TX->form_expired_title, TX->form_expired_text);
    }
    if (mto_param(form, "user_oauth_approval", &decision) != 1
        || (strcmp(decision, "true") != 0 && strcmp(decision, "false") != 0)) {
        return mto_authz_error(r, req, "invalid_request",
                               "user_oauth_approval must be true or false");
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                  "authorize: user %s %s client %s on the consent page", mto_log_safe(r, r->user),
                  strcmp(decision, "true") ? "denied" : "approved",
                  mto_log_safe(r, req->client->client_id));
    if (!strcmp(decision, "false")) {
        return mto_authz_error(r, req, "access_denied", "the user denied the request");
    }
    lifetime = mto_conf_approval_lifetime(conf);
    if (lifetime > 0
        && mto_store_approval_save(r, r->user, req->client->client_id, req->grant.scopes,
                                   now + lifetime)
               != MTO_STORE_OK) {
        return mto_authz_error(r, req, "temporarily_unavailable",
                               "the authorization server cannot reach its database");
    }
    return mto_authz_issue_code(r, req, now);
}

/* The answer to an authorization request. */
static int mto_authorize_answer(request_rec *r)
{
    apr_int64_t now = apr_time_sec(apr_time_now());
    mto_authz_req_t req;
    apr_table_t *params;
    const char *error, *description = NULL, *dup;
    int bad, bad_redirect, rv, approved;

    if (r->method_number != M_GET && r->method_number != M_POST) {
        apr_table_setn(r->headers_out, "Allow", "GET, POST");
        return mto_html_error(r, HTTP_METHOD_NOT_ALLOWED, TX->method_title, TX->method_text);
    }
    if (!r->user || !*r->user) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "MTO0008: %s has no authenticated "
                      "user: protect the mytimetable-oauth-authorize Location with Apache "
                      "authentication (AuthType … and Require valid-user)",
                      r->uri);
        return mto_html_error(r, HTTP_INTERNAL_SERVER_ERROR, TX->misconfigured_title,
                              TX->no_login_text);
    }
    if (mto_gate_authenticated(r)) {
        /* A bearer token is no login: it would let its holder (or an
         * elevated API token) grant any client codes as any user. */
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "MTO0030: %s is behind AuthType " MTO_AUTH_TYPE ": the authorize "
                      "endpoint needs a person's login (AuthType Basic, OpenID Connect, …), "
                      "never the gate",
                      ap_escape_logitem(r->pool, r->uri));
        return mto_html_error(r, HTTP_INTERNAL_SERVER_ERROR, TX->misconfigured_title,
                              TX->gate_login_text);
    }
    memset(&req, 0, sizeof(req));
    params = mto_authz_params(r, &bad, &bad_redirect);
    if ((rv = mto_authz_client(r, params, bad_redirect, &req)) != OK) {
        return rv;
    }
    /* From here on the client and redirect URI are trusted: errors redirect. */
    dup = mto_duplicate_param(params);
    if (mto_param(params, "state", &req.state) != 1) {
        req.state = NULL;
    }
    if (bad || dup) {
        return mto_authz_error(r, &req, "invalid_request",
                               bad ? "a parameter is not properly encoded"
                                   : apr_pstrcat(r->pool, "parameter given more than once: ", dup,
                                                 NULL));
    }
    if ((error = mto_authz_check(r, params, &req, &description))) {
        return mto_authz_error(r, &req, error, description);
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                  "authorize: user %s, client %s, scope '%s', redirect_uri %s, PKCE %s",
                  mto_log_safe(r, r->user), mto_log_safe(r, req.client->client_id),
                  mto_list_join(r->pool, req.grant.scopes), mto_log_safe(r, req.redirect_uri),
                  req.grant.challenge_method && *req.grant.challenge_method
                      ? req.grant.challenge_method
                      : "none");
    if (r->method_number == M_POST) {
        return mto_authz_decide(r, &req, now);
    }
    if ((rv = mto_authz_preapproved(r, &req, &approved)) != OK) {
        return rv;
    }
    if (approved) {
        return mto_authz_issue_code(r, &req, now);
    }
    return mto_consent_page(r, req.client, req.redirect_uri, req.grant.scopes,
                            mto_consent_csrf_token(r, r->user, now));
}

/* Counted for the status page: the redirects where they are made (a code,
 * an error), the consent page and the HTML error pages here. */
int mto_handle_authorize(request_rec *r)
{
    int status = mto_authorize_answer(r);

    if (status == HTTP_OK) {
        mto_stat_inc(MTO_STAT_AUTHORIZE_CONSENT);
    }
    else if (ap_is_HTTP_ERROR(status)) {
        mto_stat_inc(mto_stat_authorize_page(status));
    }
    return status;
}
