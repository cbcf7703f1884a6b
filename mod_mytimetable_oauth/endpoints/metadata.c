/*
 * handle_metadata.c - authorization server metadata (RFC 8414, README "Endpoints").
 *
 * GET (and HEAD) only.  The issuer is mto_issuer(): the very string the
 * authorize endpoint sends as `iss` (RFC 9207).  An endpoint is listed only
 * where the admin mapped its handler, as the issuer's scheme and authority
 * followed by that path.  The path is the usual one of README "Endpoints" when the
 * handler is mapped there, otherwise the first <Location> of this server
 * (httpd merges the main server's before a virtual host's own) whose
 * SetHandler names the handler; either way only if the <Location> and
 * <LocationMatch> sections that apply to that path, in httpd's order, leave
 * the handler in place: what a request for that path would get.
 * <If> sections are not looked at.
 */
#include "log.h"
#include "config/config.h"
#include "store/store.h"
#include "cache/cache.h"
#include "respond/respond.h"
#include "endpoints/endpoints.h"

#include <apr_fnmatch.h>
#include <http_core.h>
#include <http_protocol.h>

/* Clients may keep the document for a while; it changes with httpd's
 * configuration only. */
#define MTO_METADATA_MAX_AGE 300

static const struct {
    const char *handler;
    const char *member;
    const char *usual_path;
} mto_endpoints[] = {
    { MTO_HANDLER_AUTHORIZE,  "authorization_endpoint", "/oauth/authorize" },
    { MTO_HANDLER_TOKEN,      "token_endpoint",         "/oauth/token" },
    { MTO_HANDLER_REVOKE,     "revocation_endpoint",    "/oauth/revoke" },
    { MTO_HANDLER_INTROSPECT, "introspection_endpoint", "/oauth/introspect" },
};

/* The handler a section's SetHandler names, evaluated as the core does for
 * a request (a constant, short of an expression); NULL for none. */
static const char *mto_section_handler(request_rec *r, const core_dir_config *dc)
{
    const char *err = NULL, *h;

    if (!dc->expr_handler) {
        return NULL;
    }
    h = ap_expr_str_exec(r, dc->expr_handler, &err);
    return err || !h || !strcmp(h, "none") ? NULL : h;
}

/* ap_location_walk's test: a regex, a wildcard, or a prefix that ends at
 * a '/' boundary ("/foo" covers "/foo/bar", not "/foobar"). */
static int mto_section_covers(const core_dir_config *dc, const char *path)
{
    apr_size_t len;

    if (dc->r) {
        return ap_regexec(dc->r, path, 0, NULL, 0) == 0;
    }
    if (!dc->d) {
        return 0;
    }
    if (dc->d_is_fnmatch) {
        return apr_fnmatch(dc->d, path, APR_FNM_PATHNAME) == APR_SUCCESS;
    }
    len = strlen(dc->d);
    return strncmp(dc->d, path, len) == 0
           && (len == 0 || dc->d[len - 1] == '/' || path[len] == '/' || path[len] == '\0');
}

/* The handler the sections give a request for path: the last one that
 * covers it and sets a handler wins, as sections merge in order. */
static const char *mto_path_handler(request_rec *r, const apr_array_header_t *sections,
                                    const char *path)
{
    const char *handler = NULL;
    int i;

    for (i = 0; i < sections->nelts; i++) {
        const core_dir_config *dc = ap_get_core_module_config(APR_ARRAY_IDX(sections, i,
                                                                            ap_conf_vector_t *));
        if (dc->expr_handler && mto_section_covers(dc, path)) {
            handler = mto_section_handler(r, dc);
        }
    }
    return handler;
}

/* Where handler is mapped: its usual path, else the first plain <Location>
 * path; NULL when it is not mapped. */
static const char *mto_mapped_path(request_rec *r, const apr_array_header_t *sections,
                                   const char *handler, const char *usual_path)
{
    const char *h = mto_path_handler(r, sections, usual_path);
    int i;

    if (h && !strcmp(h, handler)) {
        return usual_path;
    }
    for (i = 0; i < sections->nelts; i++) {
        const core_dir_config *dc = ap_get_core_module_config(APR_ARRAY_IDX(sections, i,
                                                                            ap_conf_vector_t *));

        if (dc->r || dc->d_is_fnmatch || !dc->d || dc->d[0] != '/') {
            continue;                   /* a pattern names no single URL */
        }
        h = mto_section_handler(r, dc);
        if (h && !strcmp(h, handler)) {
            h = mto_path_handler(r, sections, dc->d);
            if (h && !strcmp(h, handler)) {
                return dc->d;
            }
        }
    }
    return NULL;
}

/* scheme://authority of the issuer: endpoint paths are absolute. */
static const char *mto_issuer_origin(apr_pool_t *p, const char *issuer)
{
    const char *authority = strstr(issuer, "://");
    const char *slash = authority ? strchr(authority + 3, '/') : NULL;

    return slash ? apr_pstrmemdup(p, issuer, (apr_size_t)(slash - issuer)) : issuer;
}

int mto_handle_metadata(request_rec *r)
{
    const core_server_config *core = ap_get_core_module_config(r->server->module_config);
    const mto_server_conf_t *conf = mto_server_conf(r->server);
    const char *issuer = mto_issuer(r), *origin, *path;
    apr_table_t *endpoints = apr_table_make(r->pool, 4);
    apr_size_t i;

    if (r->method_number != M_GET) {
        apr_table_setn(r->headers_out, "Allow", "GET, HEAD");
        return mto_send_oauth_error(r, HTTP_METHOD_NOT_ALLOWED, "invalid_request",
                                    "the metadata endpoint accepts GET only");
    }
    /* A derived issuer comes from the Host header: it must make a JSON string. */
    if (!mto_utf8_ok(issuer, strlen(issuer))) {
        return mto_send_oauth_error(r, HTTP_BAD_REQUEST, "invalid_request",
                                    "the request's host name makes no issuer");
    }
    origin = mto_issuer_origin(r->pool, issuer);
    for (i = 0; i < sizeof(mto_endpoints) / sizeof(mto_endpoints[0]); i++) {
        path = mto_mapped_path(r, core->sec_url, mto_endpoints[i].handler,
                               mto_endpoints[i].usual_path);
        if (path) {
            apr_table_setn(endpoints, mto_endpoints[i].member,
                           apr_pstrcat(r->pool, origin, ap_os_escape_path(r->pool, path, 1), NULL));
        }
    }
    return mto_send_metadata(r, issuer, endpoints, mto_conf_scope_names(r->pool, conf),
                             mto_conf_require_pkce(conf), MTO_METADATA_MAX_AGE);
}
