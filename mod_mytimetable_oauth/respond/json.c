/*
 * json.c - every JSON body: errors (RFC 6749 §5.2, RFC 6750 §3), tokens
 * (RFC 6749 §5.1), introspection (RFC 7662 §2.2), metadata (RFC 8414).
 * The only file that knows jansson; members go out in the order they are
 * added here.
 */
#include "log.h"
#include "core/core.h"
#include "respond/respond.h"

#include <http_protocol.h>
#include <jansson.h>

/* body as compact JSON in p, or NULL; body is released either way. */
static const char *mto_json_text(apr_pool_t *p, json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    const char *copy = text ? apr_pstrdup(p, text) : NULL;

    json_decref(body);
    free(text);
    return copy;
}

/* Writes text whole, with its length: an answer that is complete once
 * flushed (purge.c sends it before it purges).  The caching headers are
 * the caller's. */
static int mto_write_json(request_rec *r, int status, const char *text)
{
    apr_size_t len;

    if (!text) {
        return MTO_NOT_SENT;
    }
    len = strlen(text);
    r->status = status;
    ap_set_content_type(r, "application/json;charset=UTF-8");
    ap_set_content_length(r, (apr_off_t)len);
    ap_rwrite(text, (int)len, r);
    return status;
}

static int mto_send_json(request_rec *r, int status, json_t *body)
{
    mto_no_store(r);
    return mto_write_json(r, status, mto_json_text(r->pool, body));
}

/* Text that is not UTF-8 (say a user name that a Basic login brought in
 * as Latin-1) cannot be a JSON string: the member is left out rather than
 * the answer failing. */
static void mto_json_set_text(json_t *obj, const char *key, const char *value)
{
    json_t *s = json_string(value);

    if (s) {
        json_object_set_new(obj, key, s);
    }
}

/* ------------------------------------------------------------ errors */

const char *mto_error_json(apr_pool_t *p, const char *error, const char *description,
                           const char *scope)
{
    json_t *body = json_pack("{s:s}", "error", error);

    if (body && description) {
        mto_json_set_text(body, "error_description", description);
    }
    if (body && scope) {
        mto_json_set_text(body, "scope", scope);
    }
    return mto_json_text(p, body);
}

/* Where the error code of the answer is kept for the handler (mto_sent_error). */
#define MTO_NOTE_ERROR "mytimetable-oauth-error"

int mto_send_oauth_error(request_rec *r, int status, const char *error, const char *description)
{
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "%s answered %d %s: %s", mto_log_safe(r, r->uri),
                  status, error, description ? ap_escape_logitem(r->pool, description) : "");
    mto_no_store(r);
    apr_table_setn(r->notes, MTO_NOTE_ERROR, error);
    return mto_write_json(r, status, mto_error_json(r->pool, error, description, NULL));
}

const char *mto_sent_error(const request_rec *r)
{
    return apr_table_get(r->notes, MTO_NOTE_ERROR);
}

int mto_send_unavailable(request_rec *r)
{
    apr_table_setn(r->headers_out, "Retry-After", "5");
    return mto_send_oauth_error(r, HTTP_SERVICE_UNAVAILABLE, "temporarily_unavailable",
                                "the authorization server's database is not reachable; "
                                "try again later");
}

/* ------------------------------------------------------------ tokens */

int mto_send_token(request_rec *r, const char *access_token, const mto_token_t *t,
                   const char *refresh)
{
    json_t *body = json_pack("{s:s, s:s, s:s}", "access_token", access_token, "token_type",
                             "bearer", "scope", t->scope);

    if (!body) {
        return MTO_NOT_SENT;
    }
    if (t->expires) {
        json_object_set_new(body, "expires_in", json_integer(t->expires - t->issued));
    }
    if (refresh) {
        json_object_set_new(body, "refresh_token", json_string(refresh));
    }
    return mto_send_json(r, HTTP_OK, body);
}

/* Optional members (RFC 7662 §2.2) that are not UTF-8 are left out. */
int mto_send_introspection(request_rec *r, const mto_token_t *t, const char *token_type,
                           const char *issuer)
{
    json_t *body = json_pack("{s:b}", "active", t != NULL);

    if (!body) {
        return MTO_NOT_SENT;
    }
    if (t) {
        mto_json_set_text(body, "scope", t->scope);
        mto_json_set_text(body, "client_id", t->client_id);
        mto_json_set_text(body, "username", t->user);
        mto_json_set_text(body, "sub", t->user);
        json_object_set_new(body, "token_type", json_string(token_type));
        if (t->expires) {
            json_object_set_new(body, "exp", json_integer(t->expires));
        }
        json_object_set_new(body, "iat", json_integer(t->issued));
        mto_json_set_text(body, "iss", issuer);
    }
    return mto_send_json(r, HTTP_OK, body);
}

/* ------------------------------------------------------------ metadata */

static json_t *mto_string_array(const char *const *items)
{
    json_t *a = json_array();

    for (; a && *items; items++) {
        json_array_append_new(a, json_string(*items));
    }
    return a;
}

static json_t *mto_list_array(const apr_array_header_t *list)
{
    json_t *a = json_array();
    int i;

    for (i = 0; a && i < list->nelts; i++) {
        json_array_append_new(a, json_string(APR_ARRAY_IDX(list, i, const char *)));
    }
    return a;
}

/* Everything but the issuer and the endpoints: what the module supports. */
static void mto_metadata_capabilities(json_t *body, const apr_array_header_t *scopes,
                                      int require_pkce)
{
    static const char *const code[] = { "code", NULL };
    static const char *const query[] = { "query", NULL };
    static const char *const grants[] = { "authorization_code", "refresh_token", NULL };
    static const char *const auth[] = { "client_secret_basic", "client_secret_post", NULL };
    /* "none": a public client's client_id alone (RFC 7591 §2, RFC 8252 §8.4). */
    static const char *const auth_public[] = { "client_secret_basic", "client_secret_post", "none",
                                               NULL };
    static const char *const s256[] = { "S256", NULL };
    static const char *const s256_plain[] = { "S256", "plain", NULL };

    json_object_set_new(body, "scopes_supported", mto_list_array(scopes));
    json_object_set_new(body, "response_types_supported", mto_string_array(code));
    json_object_set_new(body, "response_modes_supported", mto_string_array(query));
    json_object_set_new(body, "grant_types_supported", mto_string_array(grants));
    json_object_set_new(body, "token_endpoint_auth_methods_supported",
                        mto_string_array(auth_public));
    json_object_set_new(body, "revocation_endpoint_auth_methods_supported",
                        mto_string_array(auth_public));
    json_object_set_new(body, "introspection_endpoint_auth_methods_supported",
                        mto_string_array(auth));
    json_object_set_new(body, "code_challenge_methods_supported",
                        mto_string_array(require_pkce ? s256 : s256_plain));
    json_object_set_new(body, "authorization_response_iss_parameter_supported", json_true());
}

int mto_send_metadata(request_rec *r, const char *issuer, const apr_table_t *endpoints,
                      const apr_array_header_t *scopes, int require_pkce, int max_age)
{
    const apr_array_header_t *arr = apr_table_elts(endpoints);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    json_t *body = json_pack("{s:s}", "issuer", issuer);
    int i;

    if (!body) {
        return MTO_NOT_SENT;
    }
    for (i = 0; i < arr->nelts; i++) {
        json_object_set_new(body, e[i].key, json_string(e[i].val));
    }
    mto_metadata_capabilities(body, scopes, require_pkce);
    apr_table_setn(r->headers_out, "Cache-Control", apr_psprintf(r->pool, "max-age=%d", max_age));
    mto_cors_any(r); /* a public document, the same for every origin */
    return mto_write_json(r, HTTP_OK, mto_json_text(r->pool, body));
}
