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
 * RFC 6749 §10.13) nor cached; images only from img_origin (NULL: none). */
static void mto_page_headers(request_rec *r, const char *img_origin)
{
    mto_no_store(r);
    apr_table_setn(r->headers_out, "X-Frame-Options", "DENY");
    apr_table_setn(r->headers_out, "Content-Security-Policy",
                   apr_pstrcat(r->pool, "default-src 'none'; style-src 'unsafe-inline'; ",
                               img_origin ? "img-src " : "", img_origin ? img_origin : "",
                               img_origin ? "; " : "", "frame-ancestors 'none'", NULL));
    apr_table_setn(r->headers_out, "Referrer-Policy", "no-referrer");
    apr_table_setn(r->headers_out, "X-Content-Type-Options", "nosniff");
}

int mto_send_page_img(request_rec *r, const char *html, const char *img_origin)
{
    mto_page_headers(r, img_origin);
    ap_set_content_type(r, "text/html;charset=UTF-8");
    ap_rputs(html, r);
    return HTTP_OK;
}

int mto_send_page(request_rec *r, const char *html)
{
    return mto_send_page_img(r, html, NULL);
}

/* ------------------------------------------------------------ CORS */

void mto_cors_any(request_rec *r)
{
    apr_table_setn(r->headers_out, "Access-Control-Allow-Origin", "*");
}

int mto_send_cors_preflight(request_rec *r)
{
    /* "*": no credentials mode, so any origin may send the request; who
     * may read the answer is decided on it (mto_cors_allow). */
    apr_table_setn(r->headers_out, "Access-Control-Allow-Origin", "*");
    apr_table_setn(r->headers_out, "Access-Control-Allow-Methods", "POST");
    apr_table_setn(r->headers_out, "Access-Control-Allow-Headers", "Authorization, Content-Type");
    apr_table_setn(r->headers_out, "Access-Control-Max-Age", "600");
    r->status = HTTP_NO_CONTENT;
    return HTTP_NO_CONTENT;
}

void mto_cors_allow(request_rec *r, const char *origin)
{
    apr_table_setn(r->headers_out, "Access-Control-Allow-Origin", origin);
    apr_table_merge(r->headers_out, "Vary", "Origin");
}

int mto_send_html_error(request_rec *r, int status, const char *lang, const char *title,
                        const char *message)
{
    const char *t = mto_html_escape(r->pool, title), *m = mto_html_escape(r->pool, message);
    const char *l = mto_html_escape(r->pool, lang ? lang : "en");

    mto_page_headers(r, NULL);
    r->status = status;
    ap_set_content_type(r, "text/html;charset=UTF-8");
    ap_rprintf(r,
               "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
               "<title>%s</title></head>\n<body><h1>%s</h1>\n<p>%s</p></body></html>\n",
               l, t, t, m);
    return status;
}

int mto_send_text(request_rec *r, int status, const char *content_type, const char *text)
{
    mto_no_store(r);
    apr_table_setn(r->headers_out, "X-Content-Type-Options", "nosniff");
    r->status = status;
    ap_set_content_type(r, content_type);
    ap_set_content_length(r, (apr_off_t)strlen(text));
    ap_rputs(text, r);
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
