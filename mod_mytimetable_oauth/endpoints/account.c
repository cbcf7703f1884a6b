/*
 * account.c - the account page (docs/endpoints.md, "For your users"): the signed-in
 * user's authorized applications, and "Revoke access" for each.
 *
 * Behind the same login as the authorize endpoint (r->user).  The revoke
 * form carries a CSRF token bound to the user and the client (consent.c's
 * tokens under another label) and is answered with 303 back to the page,
 * so a reload never posts again.  Plain HTML: works without JavaScript,
 * readable on a phone.
 */
#include "log.h"
#include "config/config.h"
#include "store/store.h"
#include "cache/cache.h"
#include "respond/respond.h"
#include "endpoints/endpoints.h"
#include "gate/gate.h"

#include <http_protocol.h>

#define MTO_ACCOUNT_CSRF "account-revoke"

/* The user of the page; OK, or the status of the error page sent. */
static int mto_account_user(request_rec *r)
{
    const mto_texts_t *tx = mto_texts(mto_page_lang(r));

    if (!r->user || !*r->user) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "MTO0080: %s has no authenticated user: protect the "
                      "mytimetable-oauth-account Location with the same login as the authorize "
                      "endpoint (AuthType … and Require valid-user)",
                      ap_escape_logitem(r->pool, r->uri));
        return mto_html_error(r, HTTP_INTERNAL_SERVER_ERROR, tx->misconfigured_title,
                              tx->no_login_text);
    }
    if (mto_gate_authenticated(r)) {
        /* A bearer token is no login: its holder could revoke the user's apps. */
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "MTO0081: %s is behind AuthType " MTO_AUTH_TYPE ": the account page "
                      "needs a person's login (AuthType Basic, OpenID Connect, …), never the gate",
                      ap_escape_logitem(r->pool, r->uri));
        return mto_html_error(r, HTTP_INTERNAL_SERVER_ERROR, tx->misconfigured_title,
                              tx->gate_login_text);
    }
    return OK;
}

/* POST: revoke one application, then 303 back to the page. */
static int mto_account_revoke(request_rec *r, apr_int64_t now)
{
    const mto_texts_t *tx = mto_texts(mto_page_lang(r));
    apr_table_t *form;
    const char *err, *client_id = NULL, *csrf = NULL;

    if (mto_read_form(r, &form, &err) != OK || mto_param(form, "client_id", &client_id) != 1
        || !*client_id || mto_param(form, "csrf_token", &csrf) != 1
        || !mto_csrf_ok(r, MTO_ACCOUNT_CSRF, r->user, client_id, csrf, now)) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      "account: revoke refused: missing, expired or invalid CSRF token (user %s)",
                      mto_log_safe(r, r->user));
        return mto_html_error(r, HTTP_BAD_REQUEST, tx->form_expired_title,
                              tx->account_expired_text);
    }
    if (mto_cached_account_revoke(r, r->user, client_id, now) != MTO_STORE_OK) {
        return mto_html_error(r, HTTP_SERVICE_UNAVAILABLE, tx->unavailable_title,
                              tx->unavailable_text);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                  "account: user %s revoked client %s (approvals and tokens)",
                  mto_log_safe(r, r->user), mto_log_safe(r, client_id));
    return mto_send_redirect(r, HTTP_SEE_OTHER, r->uri);
}

/* One application: its name, what it may do, since when, and the button. */
static const char *mto_account_item(request_rec *r, const mto_account_app_t *app, const char *lang,
                                    apr_int64_t now)
{
    apr_pool_t *p = r->pool;
    const mto_texts_t *tx = mto_texts(lang);
    const mto_server_conf_t *conf = mto_server_conf(r->server);
    mto_client_t *client = NULL;
    const char *name = app->client_id, *items = "", *since = "";
    apr_time_exp_t tm;
    int i;

    if (mto_cached_client_get(r, app->client_id, &client) == MTO_STORE_OK && client->info.name) {
        name = client->info.name;
    }
    for (i = 0; i < app->scopes->nelts; i++) {
        const char *s = APR_ARRAY_IDX(app->scopes, i, const char *);
        const char *desc = mto_conf_scope_description(conf, s, lang);
        items = apr_pstrcat(p, items, "<li>", mto_html_escape(p, desc ? desc : s), "</li>\n", NULL);
    }
    if (app->since > 0 && apr_time_exp_gmt(&tm, apr_time_from_sec(app->since)) == APR_SUCCESS) {
        since = apr_psprintf(p, "<p class=\"since\">%s %04d-%02d-%02d</p>\n", tx->account_since,
                             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    }
    return apr_pstrcat(p, "<section class=\"app\">\n<h2>", mto_html_escape(p, name),
                       "</h2>\n<ul>\n", items, "</ul>\n", since, "<form method=\"post\" action=\"",
                       mto_html_escape(p, r->uri), "\">\n",
                       "<input type=\"hidden\" name=\"client_id\" value=\"",
                       mto_html_escape(p, app->client_id),
                       "\">\n<input type=\"hidden\" name=\"csrf_token\" value=\"",
                       mto_html_escape(p, mto_csrf_token(r, MTO_ACCOUNT_CSRF, r->user,
                                                         app->client_id, now)),
                       "\">\n<button type=\"submit\">", tx->account_revoke,
                       "</button>\n</form>\n</section>\n", NULL);
}

/* GET: the page. */
static int mto_account_page(request_rec *r, apr_int64_t now)
{
    const char *lang = mto_page_lang(r);
    const mto_texts_t *tx = mto_texts(lang);
    apr_array_header_t *apps;
    const char *body = "";
    int i;

    if (mto_store_account_apps(r, r->user, now,
                               mto_conf_approval_lifetime(mto_server_conf(r->server)), &apps)
        != MTO_STORE_OK) {
        return mto_html_error(r, HTTP_SERVICE_UNAVAILABLE, tx->unavailable_title,
                              tx->unavailable_text);
    }
    for (i = 0; i < apps->nelts; i++) {
        body =
            apr_pstrcat(r->pool, body,
                        mto_account_item(r, &APR_ARRAY_IDX(apps, i, mto_account_app_t), lang, now),
                        NULL);
    }
    if (!apps->nelts) {
        body = apr_pstrcat(r->pool, "<p class=\"none\">", tx->account_none, "</p>\n", NULL);
    }
    return mto_send_page(
        r,
        apr_pstrcat(r->pool, "<!DOCTYPE html>\n<html lang=\"", mto_html_escape(r->pool, lang),
                    "\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                    "<title>",
                    tx->account_title,
                    "</title>\n<style>\n"
                    "body{font-family:system-ui,sans-serif;max-width:34em;margin:2em auto;"
                    "padding:0 1em;line-height:1.5}\n"
                    ".app{border-top:1px solid #ccc;padding:.5em 0}h2{font-size:1.2em;margin:.3em 0}"
                    "ul{padding-left:1.2em}.since{color:#555;font-size:.9em}\n"
                    "button{font-size:1em;padding:.6em 1.4em}"
                    "button:focus{outline:3px solid #1a73e8;outline-offset:2px}\n"
                    "</style>\n</head>\n<body>\n<main>\n<h1>",
                    tx->account_title, "</h1>\n<p>", tx->account_signed_in, " <strong>",
                    mto_html_escape(r->pool, r->user), "</strong>.</p>\n<p>", tx->account_intro,
                    "</p>\n", body, "</main>\n</body>\n</html>\n", NULL));
}

int mto_handle_account(request_rec *r)
{
    apr_int64_t now = apr_time_sec(apr_time_now());
    const mto_texts_t *tx = mto_texts(mto_page_lang(r));
    int rv;

    if (r->method_number != M_GET && r->method_number != M_POST) {
        apr_table_setn(r->headers_out, "Allow", "GET, POST");
        return mto_html_error(r, HTTP_METHOD_NOT_ALLOWED, tx->method_title, tx->method_text);
    }
    if ((rv = mto_account_user(r)) != OK) {
        return rv;
    }
    return r->method_number == M_POST ? mto_account_revoke(r, now) : mto_account_page(r, now);
}
