/*
 * request.c - what the endpoints read of a request: form bodies, query
 * strings, repeated parameters, and the issuer the request was made to.
 */
#include "log.h"
#include "config/config.h"
#include "endpoints/endpoints.h"

#include <http_core.h>
#include <http_protocol.h>

static int mto_is_form(request_rec *r)
{
    const char *ct = apr_table_get(r->headers_in, "Content-Type");
    static const char form[] = "application/x-www-form-urlencoded";
    apr_size_t n = sizeof(form) - 1;

    if (!ct || strncasecmp(ct, form, n) != 0) {
        return 0;
    }
    return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t';
}

int mto_read_form(request_rec *r, apr_table_t **params, const char **err)
{
    char *body = NULL, buf[8192];
    apr_size_t len = 0;
    long n;
    int rv;

    *params = NULL;
    if (!mto_is_form(r)) {
        ap_discard_request_body(r);
        *err = "the body must be application/x-www-form-urlencoded";
        return HTTP_BAD_REQUEST;
    }
    rv = ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK);
    if (rv != OK) {
        *err = "unreadable request body";
        return rv == HTTP_REQUEST_ENTITY_TOO_LARGE ? rv : HTTP_BAD_REQUEST;
    }
    if (ap_should_client_block(r)) {
        body = apr_palloc(r->pool, MTO_MAX_BODY + 1);
        while ((n = ap_get_client_block(r, buf, sizeof(buf))) > 0) {
            if (len + (apr_size_t)n > MTO_MAX_BODY) {
                r->connection->keepalive = AP_CONN_CLOSE;
                *err = "request body too large";
                return HTTP_REQUEST_ENTITY_TOO_LARGE;
            }
            memcpy(body + len, buf, (apr_size_t)n);
            len += (apr_size_t)n;
        }
        if (n < 0) {
            r->connection->keepalive = AP_CONN_CLOSE;
            *err = "unreadable request body";
            return HTTP_BAD_REQUEST;
        }
    }
    if (mto_form_parse(r->pool, body ? body : "", len, MTO_MAX_PARAMS, params, err) != 0) {
        return HTTP_BAD_REQUEST;
    }
    return OK;
}

int mto_read_query(request_rec *r, apr_table_t **params, const char **err)
{
    const char *q = r->args ? r->args : "";

    if (mto_form_parse(r->pool, q, strlen(q), MTO_MAX_PARAMS, params, err) != 0) {
        return HTTP_BAD_REQUEST;
    }
    return OK;
}

const char *mto_duplicate_param(const apr_table_t *params)
{
    const apr_array_header_t *arr = apr_table_elts(params);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    int i, j;

    for (i = 0; i < arr->nelts; i++) {
        for (j = i + 1; j < arr->nelts; j++) {
            if (!strcmp(e[i].key, e[j].key)) {
                return e[i].key;
            }
        }
    }
    return NULL;
}

/* ------------------------------------------------------------ issuer */

const char *mto_issuer(request_rec *r)
{
    const mto_server_conf_t *c = mto_server_conf(r->server);
    const char *url;
    apr_size_t len;

    if (c->issuer) {
        return c->issuer;
    }
    url = ap_construct_url(r->pool, "/", r);
    len = strlen(url);
    return apr_pstrmemdup(r->pool, url, len - 1); /* no trailing slash */
}
