/*
 * respond.c - the one home of every response body (JSON, error JSON, HTML
 * errors, redirects) and the headers that go with them.  Handlers decide;
 * these functions only speak.
 */
#include "log.h"
#include "core/core.h"
#include "respond/respond.h"

#include <http_protocol.h>

/* ------------------------------------------------------------ writing */

void mto_no_store(request_rec *r)
{
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    apr_table_setn(r->headers_out, "Pragma", "no-cache");
}

/* Writes body whole, with its length: an answer that is complete once
 * flushed (purge.c sends it before it purges). */
static int mto_write_json(request_rec *r, int status, json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT);
    apr_size_t len;

    json_decref(body);
    if (!text) {
        return HTTP_INTERNAL_SERVER_ERROR;      /* out of memory only */
    }
    len = strlen(text);
    r->status = status;
    ap_set_content_type(r, "application/json;charset=UTF-8");
    ap_set_content_length(r, (apr_off_t)len);
    ap_rwrite(text, (int)len, r);
    free(text);
    return OK;
}

int mto_send_json(request_rec *r, int status, json_t *body)
{
    mto_no_store(r);
    return mto_write_json(r, status, body);
}

int mto_send_json_cacheable(request_rec *r, json_t *body, int max_age)
{
    apr_table_setn(r->headers_out, "Cache-Control", apr_psprintf(r->pool, "max-age=%d", max_age));
    return mto_write_json(r, HTTP_OK, body);
}

int mto_send_empty(request_rec *r)
{
    mto_no_store(r);
    r->status = HTTP_OK;
    ap_set_content_length(r, 0);
    return OK;
}

int mto_send_oauth_error(request_rec *r, int status, const char *error, const char *description)
{
    json_t *body = json_pack("{s:s}", "error", error);

    if (body && description) {
        json_object_set_new(body, "error_description", json_string(description));
    }
    return body ? mto_send_json(r, status, body) : HTTP_INTERNAL_SERVER_ERROR;
}

/* Pages of the authorization server must never be framed (clickjacking,
 * RFC 6749 §10.13) nor cached. */
void mto_page_headers(request_rec *r)
{
    mto_no_store(r);
    apr_table_setn(r->headers_out, "X-Frame-Options", "DENY");
    apr_table_setn(r->headers_out, "Content-Security-Policy",
                   "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    apr_table_setn(r->headers_out, "Referrer-Policy", "no-referrer");
    apr_table_setn(r->headers_out, "X-Content-Type-Options", "nosniff");
}

int mto_send_html_error(request_rec *r, int status, const char *title, const char *message)
{
    const char *t = mto_html_escape(r->pool, title), *m = mto_html_escape(r->pool, message);

    mto_page_headers(r);
    r->status = status;
    ap_set_content_type(r, "text/html;charset=UTF-8");
    ap_rprintf(r, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
               "<title>%s</title></head>\n<body><h1>%s</h1>\n<p>%s</p></body></html>\n", t, t, m);
    return OK;
}

int mto_send_redirect(request_rec *r, int status, const char *url)
{
    mto_no_store(r);
    apr_table_setn(r->headers_out, "Referrer-Policy", "no-referrer");
    apr_table_setn(r->headers_out, "Location", url);
    r->status = status;
    ap_set_content_type(r, "text/plain;charset=UTF-8");
    ap_rputs("Redirecting to the client.\n", r);
    return OK;
}

int mto_send_unavailable(request_rec *r)
{
    apr_table_setn(r->headers_out, "Retry-After", "5");
    return mto_send_oauth_error(r, HTTP_SERVICE_UNAVAILABLE, "temporarily_unavailable",
                                "the authorization server's database is not reachable; "
                                "try again later");
}
