/*
 * creds.c - what the client sent, and where it must not go (docs/gate.md).
 *
 * The credentials belong to the request the client sent: they are read and
 * looked up once, for the first request of its chain (r->main, r->prev) that
 * needs them, and kept in that top-level request's pool, which every
 * sub-request and internal redirect of the chain shares or is a child of.
 * Nothing a shorter-lived request allocated is ever stored in them.
 *
 * The token is taken away from a request (PassToken Off) as soon as the gate
 * has read it, so that an error document, an internal redirect or a proxied
 * backend reached by any route finds nothing; and the access log of every
 * request of the server, the gate's or not, shows access_token=REDACTED.
 */
#include "log.h"
#include "config/config.h"
#include "cache/cache.h"
#include "gate/gate.h"

#include <http_core.h>
#include <http_request.h>

#define MTO_CREDS_KEY             "mytimetable-oauth:credentials"
#define MTO_API_TOKEN_HEADER      "apiToken"
#define MTO_REQUESTED_AUTH_HEADER "requestedAuth"

/* The first request of r's chain: its pool outlives every other's. */
static request_rec *mto_gate_top(request_rec *r)
{
    while (r->main || r->prev) {
        r = r->main ? r->main : r->prev;
    }
    return r;
}

/* A value no api_tokens row can hold is unknown without asking: bytes that
 * are not UTF-8 make PostgreSQL fail the query (a 503 for a client's junk). */
static int mto_gate_api_token_plausible(const char *presented)
{
    return *presented && mto_utf8_ok(presented, strlen(presented));
}

static void mto_gate_creds_api(request_rec *r, request_rec *top, mto_gate_creds_t *c)
{
    const char *presented = apr_table_get(top->headers_in, MTO_API_TOKEN_HEADER);
    mto_api_token_t *api = NULL;

    c->api_rc = -1;
    if (!presented) {
        return;
    }
    c->api_rc = mto_gate_api_token_plausible(presented)
                    ? mto_cached_api_token_get(top, presented, &api)
                    : MTO_STORE_NOTFOUND;
    if (c->api_rc == MTO_STORE_OK) {
        c->api = api;
    }
    else if (c->api_rc != MTO_STORE_ERROR) {
        c->api_rc = MTO_STORE_NOTFOUND;
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "unknown API token presented for %s",
                      ap_escape_logitem(r->pool, r->uri));
    }
}

mto_gate_creds_t *mto_gate_creds(request_rec *r)
{
    request_rec *top = mto_gate_top(r);
    mto_gate_creds_t *c = NULL;

    apr_pool_userdata_get((void **)&c, MTO_CREDS_KEY, top->pool);
    if (c) {
        return c;
    }
    c = apr_pcalloc(top->pool, sizeof(*c));
    /* Once per request the client sent: sub-requests and internal
     * redirects find it above.  (Tests count this line.) */
    ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r, "gate: credentials looked up for %s",
                  ap_escape_logitem(r->pool, r->uri));
    c->header = mto_bearer_from_header(top->pool, apr_table_get(top->headers_in, "Authorization"),
                                       &c->header_token);
    c->query = mto_bearer_from_query(top->pool, top->args, &c->query_token);
    c->requested_as = apr_table_get(top->headers_in, MTO_REQUESTED_AUTH_HEADER);
    mto_gate_creds_api(r, top, c);
    apr_pool_userdata_setn(c, MTO_CREDS_KEY, NULL, top->pool);
    return c;
}

void mto_gate_creds_lookup(request_rec *r, mto_gate_creds_t *c, int i)
{
    request_rec *top = mto_gate_top(r);
    const char *token = i ? c->query_token : c->header_token;
    mto_token_t *t = NULL;

    if (c->looked[i].done || !token) {
        return;
    }
    c->looked[i].done = 1;
    c->looked[i].status = HTTP_UNAUTHORIZED;
    switch (mto_cached_token_get(top, mto_sha256_hex(top->pool, token, strlen(token)), &t)) {
    case MTO_STORE_OK:
        break;
    case MTO_STORE_ERROR:
        c->looked[i].status = HTTP_SERVICE_UNAVAILABLE;
        return;
    default:
        c->looked[i].description = "the access token is unknown or revoked";
        return;
    }
    if (t->expires != 0 && t->expires <= apr_time_sec(apr_time_now())) {
        c->looked[i].description = "the access token expired";
        return;
    }
    c->looked[i].status = OK;
    c->looked[i].row = t;
    c->looked[i].scopes = mto_list_split(top->pool, t->scope);
}

/* ------------------------------------------------------------ taking it away */

void mto_gate_take_token(request_rec *r, const mto_gate_creds_t *c)
{
    const char *token;

    if (mto_bearer_from_header(r->pool, apr_table_get(r->headers_in, "Authorization"), &token)
        != MTO_CRED_ABSENT) {
        /* An internal redirect shares this table: its page will not see it. */
        apr_table_unset(r->headers_in, "Authorization");
    }
    if (mto_query_may_hold_token(r->args)) {
        /* QUERY_STRING, REDIRECT_QUERY_STRING and a canonical proxy URL. */
        r->args = mto_query_without_token(r->pool, r->args);
        r->parsed_uri.query = r->args;
    }
    if (mto_query_may_hold_token(r->unparsed_uri)) {
        r->unparsed_uri = mto_request_line_without_token(r->pool, r->unparsed_uri);
    }
    if (r->filename && !strncmp(r->filename, "proxy:", 6)
        && mto_query_may_hold_token(r->filename)) {
        /* ProxyPass … nocanon and [P] rules made it from the raw URI. */
        r->filename = mto_url_without_token(r->pool, r->filename);
    }
    if (mto_query_may_hold_token(r->the_request)) {
        /* CGI's REQUEST_URI (an error document's too); fixups removes the
         * REDACTED pair once access is granted. */
        r->the_request = mto_request_line_redact(r->pool, r->the_request);
    }
}

/* ------------------------------------------------------------ the access log */

static void mto_gate_redact_one(request_rec *r)
{
    if (mto_query_may_hold_token(r->the_request)) {
        r->the_request = mto_request_line_redact(r->pool, r->the_request);
    }
    if (mto_query_may_hold_token(r->args)) {
        r->args = mto_query_redact(r->pool, r->args);
        r->parsed_uri.query = r->args;
    }
    if (mto_query_may_hold_token(r->unparsed_uri)) {
        r->unparsed_uri = mto_request_line_redact(r->pool, r->unparsed_uri);
    }
}

/* Every request of the server, the gate's or not, answered by core or not:
 * %r, %q and %U%q come from these fields of the requests the logger looks
 * at (the first of the chain and the last).  Cheap without "access_token"
 * or a '%' in them. */
int mto_gate_log_redact(request_rec *r)
{
    while (r->prev) {
        r = r->prev;
    }
    for (; r; r = r->next) {
        mto_gate_redact_one(r);
    }
    return DECLINED;
}
