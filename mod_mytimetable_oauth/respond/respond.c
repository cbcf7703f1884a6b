/*
 * respond.c - the answers that are not JSON: empty, HTML pages and
 * errors, redirects, and the headers that go with them (json.c has the
 * JSON ones).  Handlers decide; these functions only speak.
 */
#include "log.h"
#include "core/core.h"
#include "respond/respond.h"

#include <http_protocol.h>

void mto_no_store(request_rec *r)
{
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    apr_table_setn(r->headers_out, "Pragma", "no-cache");
}

int mto_send_empty(request_rec *r)
{
    mto_no_store(r);
    r->status = HTTP_OK;
    ap_set_content_length(r, 0);
    return HTTP_OK;
}

/* Pages of the authorization server must never be framed (clickjacking,
 * RFC 6749 §10.13) nor cached. */
static void mto_page_headers(request_rec *r)
{
    mto_no_store(r);
    apr_table_setn(r->headers_out, "X-Frame-Options", "DENY");
    apr_table_setn(r->headers_out, "Content-Security-Policy",
                   "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    apr_table_setn(r->headers_out, "Referrer-Policy", "no-referrer");
    apr_table_setn(r->headers_out, "X-Content-Type-Options", "nosniff");
}

int mto_send_page(request_rec *r, const char *html)
{
    mto_page_headers(r);
    ap_set_content_type(r, "text/html;charset=UTF-8");
    ap_rputs(html, r);
    return HTTP_OK;
}

int mto_send_html_error(request_rec *r, int status, const char *title, const char *message)
{
    const char *t = mto_html_escape(r->pool, title), *m = mto_html_escape(r->pool, message);

    mto_page_headers(r);
    r->status = status;
    ap_set_content_type(r, "text/html;charset=UTF-8");
    ap_rprintf(r,
               "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
               "<title>%s</title></head>\n<body><h1>%s</h1>\n<p>%s</p></body></html>\n",
               t, t, m);
    return status;
}

int mto_send_redirect(request_rec *r, int status, const char *url)
{
    mto_no_store(r);
    apr_table_setn(r->headers_out, "Referrer-Policy", "no-referrer");
    apr_table_setn(r->headers_out, "Location", url);
    r->status = status;
    ap_set_content_type(r, "text/plain;charset=UTF-8");
    ap_rputs("Redirecting to the client.\n", r);
    return status;
}
