/*
 * handle_metadata.c - authorization server metadata (RFC 8414, docs/endpoints.md).
 *
 * GET (and HEAD) only.  The issuer is mto_issuer(): the very string the
 * authorize endpoint sends as `iss` (RFC 9207).  An endpoint is listed only
 * where the admin mapped its handler, as the issuer's scheme and authority
 * followed by that path.  The path is the usual one of docs/endpoints.md when the
 * handler is mapped there, otherwise the first <Location> of this server
 * (httpd merges the main server's before a virtual host's own) whose
 * SetHandler names the handler; either way only if the <Location> and
 * <LocationMatch> sections that apply to that path, in httpd's order, leave
 * the handler in place: what a request for that path would get.
 * <If> sections are not looked at.
 *
 * httpd keeps its <Location> sections in private structures, so the module
 * keeps its own record of them: the SetHandler lines of <Location> and
 * <LocationMatch> sections, noted while the configuration is read (our
 * SetHandler handler notes the line and declines it, and the core then
 * handles it as always: DECLINE_CMD, http_config.h).  A sub-request would
 * not do: it runs the access checks, and the authorize endpoint asks for a
 * login.  Only lines read after LoadModule of this module are seen, which
 * is where the endpoints' sections are anyway (their handlers are ours).
 */
#include "log.h"
#include "config/config.h"
#include "store/store.h"
#include "cache/cache.h"
#include "respond/respond.h"
#include "endpoints/endpoints.h"

#include <apr_fnmatch.h>
#include <apr_hash.h>
#include <ap_expr.h>
#include <http_config.h>
#include <util_cfgtree.h>
#include <http_protocol.h>

/* Clients may keep the document for a while; it changes with httpd's
 * configuration only. */
#define MTO_METADATA_MAX_AGE 300

static const struct {
    const char *handler;
    const char *member;
    const char *usual_path;
} mto_endpoints[] = {
    { MTO_HANDLER_AUTHORIZE, "authorization_endpoint", "/oauth/authorize" },
    { MTO_HANDLER_TOKEN, "token_endpoint", "/oauth/token" },
    { MTO_HANDLER_REVOKE, "revocation_endpoint", "/oauth/revoke" },
    { MTO_HANDLER_INTROSPECT, "introspection_endpoint", "/oauth/introspect" },
};

/* A <Location> or <LocationMatch> section with a SetHandler, as the core
 * records it: a path (maybe a wildcard) or a regex, and the handler. */
typedef struct {
    const ap_directive_t *section; /* its SetHandler lines: the last one counts */
    const char *path;              /* the path, or the regex's text */
    ap_regex_t *regex;             /* <LocationMatch>, <Location ~>; NULL: a path */
    int is_fnmatch;                /* the path has wildcards */
    ap_expr_info_t *handler;       /* SetHandler's value (an expression) */
} mto_location_t;

/* The sections of each server (server_rec * to an array of mto_location_t,
 * in the order of the configuration), and those of the main server, which
 * virtual hosts inherit.  Made while the configuration is read, only read
 * afterwards; they go with the configuration's pool. */
static apr_hash_t *mto_locations;
static apr_array_header_t *mto_main_locations;

static apr_status_t mto_locations_forget(void *data)
{
    mto_locations = NULL;
    mto_main_locations = NULL;
    return APR_SUCCESS;
}

/* The <Location> or <LocationMatch> the line is in (through <Limit>, which
 * is no section of its own), or NULL. */
static const ap_directive_t *mto_location_section(const ap_directive_t *d)
{
    const ap_directive_t *p = d ? d->parent : NULL;

    while (p
           && (!strcasecmp(p->directive, "<Limit") || !strcasecmp(p->directive, "<LimitExcept"))) {
        p = p->parent;
    }
    if (p
        && (!strcasecmp(p->directive, "<Location")
            || !strcasecmp(p->directive, "<LocationMatch"))) {
        return p;
    }
    return NULL;
}

static apr_array_header_t *mto_server_locations(apr_pool_t *pconf, server_rec *s)
{
    apr_array_header_t *list;
    server_rec **key;

    if (!mto_locations) {
        mto_locations = apr_hash_make(pconf);
        apr_pool_cleanup_register(pconf, NULL, mto_locations_forget, apr_pool_cleanup_null);
    }
    list = apr_hash_get(mto_locations, &s, sizeof(s));
    if (!list) {
        list = apr_array_make(pconf, 4, sizeof(mto_location_t));
        key = apr_palloc(pconf, sizeof(*key));
        *key = s;
        apr_hash_set(mto_locations, key, sizeof(*key), list);
        if (!s->is_virtual) {
            mto_main_locations = list;
        }
    }
    return list;
}

const char *mto_metadata_note_handler(cmd_parms *cmd, void *dc, const char *args)
{
    const ap_directive_t *section = mto_location_section(cmd->directive);
    const char *word = ap_getword_conf(cmd->temp_pool, &args), *err = NULL;
    ap_expr_info_t *expr;
    apr_array_header_t *list;
    mto_location_t *loc;

    if (!section || !cmd->path || !*word
        || !(expr = ap_expr_parse_cmd(cmd, word, AP_EXPR_FLAG_STRING_RESULT, &err, NULL)) || err) {
        return DECLINE_CMD; /* the core's to handle, or to refuse */
    }
    list = mto_server_locations(cmd->pool, cmd->server);
    loc = list->nelts ? &APR_ARRAY_IDX(list, list->nelts - 1, mto_location_t) : NULL;
    if (!loc || loc->section != section) {
        loc = apr_array_push(list);
        loc->section = section;
        loc->path = apr_pstrdup(cmd->pool, cmd->path);
        loc->is_fnmatch = apr_fnmatch_test(loc->path) != 0;
        loc->regex = NULL;
        args = section->args; /* "<Location ~ regex>" */
        if (!strcasecmp(section->directive, "<LocationMatch")
            || !strcmp(ap_getword_conf(cmd->temp_pool, &args), "~")) {
            loc->regex = ap_pregcomp(cmd->pool, loc->path, AP_REG_EXTENDED);
        }
    }
    loc->handler = expr;
    return DECLINE_CMD;
}

/* The sections of r's server, the main server's first. */
static const apr_array_header_t *mto_request_locations(request_rec *r)
{
    const apr_array_header_t *own =
        mto_locations ? apr_hash_get(mto_locations, &r->server, sizeof(r->server)) : NULL;
    apr_array_header_t *all = apr_array_make(r->pool, 8, sizeof(mto_location_t));

    if (r->server->is_virtual && mto_main_locations) {
        apr_array_cat(all, mto_main_locations);
    }
    if (own) {
        apr_array_cat(all, own);
    }
    return all;
}

/* The handler a section's SetHandler names, evaluated as the core does for
 * a request (a constant, short of an expression); NULL for none. */
static const char *mto_section_handler(request_rec *r, const mto_location_t *loc)
{
    const char *err = NULL, *h;

    h = ap_expr_str_exec(r, loc->handler, &err);
    return err || !h || !strcmp(h, "none") ? NULL : h;
}

/* ap_location_walk's test: a regex, a wildcard, or a prefix that ends at
 * a '/' boundary ("/foo" covers "/foo/bar", not "/foobar"). */
static int mto_section_covers(const mto_location_t *loc, const char *path)
{
    apr_size_t len;

    if (loc->regex) {
        return ap_regexec(loc->regex, path, 0, NULL, 0) == 0;
    }
    if (loc->is_fnmatch) {
        return apr_fnmatch(loc->path, path, APR_FNM_PATHNAME) == APR_SUCCESS;
    }
    len = strlen(loc->path);
    return strncmp(loc->path, path, len) == 0
           && (len == 0 || loc->path[len - 1] == '/' || path[len] == '/' || path[len] == '\0');
}

/* The handler the sections give a request for path: the last one that
 * covers it and sets a handler wins, as sections merge in order. */
static const char *mto_path_handler(request_rec *r, const apr_array_header_t *sections,
                                    const char *path)
{
    const char *handler = NULL;
    int i;

    for (i = 0; i < sections->nelts; i++) {
        const mto_location_t *loc = &APR_ARRAY_IDX(sections, i, mto_location_t);

        if (mto_section_covers(loc, path)) {
            handler = mto_section_handler(r, loc);
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
        const mto_location_t *loc = &APR_ARRAY_IDX(sections, i, mto_location_t);

        if (loc->regex || loc->is_fnmatch || loc->path[0] != '/') {
            continue; /* a pattern names no single URL */
        }
        h = mto_section_handler(r, loc);
        if (h && !strcmp(h, handler)) {
            h = mto_path_handler(r, sections, loc->path);
            if (h && !strcmp(h, handler)) {
                return loc->path;
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
    const apr_array_header_t *sections = mto_request_locations(r);
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
        path = mto_mapped_path(r, sections, mto_endpoints[i].handler, mto_endpoints[i].usual_path);
        if (path) {
            apr_table_setn(endpoints, mto_endpoints[i].member,
                           apr_pstrcat(r->pool, origin, ap_os_escape_path(r->pool, path, 1), NULL));
        }
    }
    return mto_send_metadata(r, issuer, endpoints, mto_conf_scope_names(r->pool, conf),
                             mto_conf_require_pkce(conf), MTO_METADATA_MAX_AGE);
}
