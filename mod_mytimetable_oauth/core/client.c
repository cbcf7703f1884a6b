/*
 * client.c - public clients, redirect URI matching, CORS origins and the
 * URIs a client's metadata may show (docs/endpoints.md, "For app developers").
 *
 * URIs are split here only as far as these rules need: scheme, authority
 * (user-info, host, port) and the rest, which is always compared whole.
 */
#include "core/core.h"

#include <apr_lib.h>
#include <apr_strings.h>

#define MTO_URI_SHOW_MAX 2048

/* The parts of scheme://authority rest. */
typedef struct {
    const char *scheme;
    apr_size_t scheme_len;
    int userinfo;     /* an '@' in the authority */
    const char *host; /* a reg-name, IPv4 address or [IPv6] literal */
    apr_size_t host_len;
    int has_port; /* a ':' after the host */
    const char *port;
    apr_size_t port_len;
    const char *rest; /* path, query and fragment */
} mto_uri_t;

/* The scheme of uri (RFC 3986 §3.1) and its length, or 0. */
static apr_size_t mto_scheme_len(const char *uri)
{
    const char *c = uri;

    if (!apr_isalpha(*c)) {
        return 0;
    }
    while (apr_isalnum(*c) || *c == '+' || *c == '-' || *c == '.') {
        c++;
    }
    return *c == ':' ? (apr_size_t)(c - uri) : 0;
}

/* A host without anything a header or page could misread: reg-name
 * characters (ASCII; IDNs come as punycode), or an [IPv6] literal. */
static int mto_host_ok(const char *h, apr_size_t len)
{
    apr_size_t i;
    int v6 = len >= 2 && h[0] == '[' && h[len - 1] == ']';

    if (len == 0 || (h[0] == '[' && !v6)) {
        return 0;
    }
    for (i = v6 ? 1 : 0; i < (v6 ? len - 1 : len); i++) {
        char c = h[i];
        if (v6 ? !(apr_isxdigit(c) || c == ':' || c == '.')
               : !(apr_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '%')) {
            return 0;
        }
    }
    return 1;
}

/* Splits scheme://authority rest; 0 when uri has no authority or a host
 * or port that is not well-formed. */
static int mto_uri_split(const char *uri, mto_uri_t *u)
{
    const char *auth, *end, *at, *h;

    memset(u, 0, sizeof(*u));
    if (!uri || !(u->scheme_len = mto_scheme_len(uri)) || strncmp(uri + u->scheme_len, "://", 3)) {
        return 0;
    }
    u->scheme = uri;
    auth = uri + u->scheme_len + 3;
    end = auth + strcspn(auth, "/?#");
    u->rest = end;
    for (at = end; at > auth && at[-1] != '@'; at--) {
    }
    u->userinfo = at > auth;
    h = u->host = at;
    if (*h == '[') {
        h = memchr(h, ']', (apr_size_t)(end - h));
        h = h ? h + 1 : end;
    }
    else {
        while (h < end && *h != ':') {
            h++;
        }
    }
    u->host_len = (apr_size_t)(h - u->host);
    if (h < end) {
        if (*h != ':') {
            return 0;
        }
        u->has_port = 1;
        u->port = h + 1;
        u->port_len = (apr_size_t)(end - u->port);
    }
    return mto_host_ok(u->host, u->host_len);
}

/* The port as a number 1..65535, 0 when there is none, -1 when malformed
 * (empty, not digits, out of range). */
static long mto_port(const mto_uri_t *u)
{
    long v = 0;
    apr_size_t i;

    if (!u->has_port) {
        return 0;
    }
    if (u->port_len == 0 || u->port_len > 5) {
        return -1;
    }
    for (i = 0; i < u->port_len; i++) {
        if (!apr_isdigit(u->port[i])) {
            return -1;
        }
        v = v * 10 + (u->port[i] - '0');
    }
    return v >= 1 && v <= 65535 ? v : -1;
}

static char *mto_lower(char *s)
{
    char *c;

    for (c = s; *c; c++) {
        *c = (char)apr_tolower(*c);
    }
    return s;
}

static int mto_scheme_is(const mto_uri_t *u, const char *scheme)
{
    return u->scheme_len == strlen(scheme) && !strncasecmp(u->scheme, scheme, u->scheme_len);
}

/* ------------------------------------------------------------ public clients */

int mto_client_public(const mto_client_t *c)
{
    return c->info.auth_none && !c->secret_hash;
}

/* ------------------------------------------------------------ redirect URIs */

/* http://127.0.0.1 or http://[::1], exactly so (RFC 8252 §7.3), with a
 * well-formed port or none, and no user-info. */
static int mto_loopback(const char *uri, mto_uri_t *u)
{
    if (strncmp(uri, "http://", 7) != 0 || !mto_uri_split(uri, u) || u->userinfo
        || mto_port(u) < 0) {
        return 0;
    }
    return (u->host_len == 9 && !memcmp(u->host, "127.0.0.1", 9))
           || (u->host_len == 5 && !memcmp(u->host, "[::1]", 5));
}

int mto_redirect_uri_matches(const char *registered, const char *requested, int loopback_any_port)
{
    mto_uri_t reg, req;

    if (!registered || !requested) {
        return 0;
    }
    if (!strcmp(registered, requested)) {
        return 1;
    }
    return loopback_any_port && mto_loopback(registered, &reg) && mto_loopback(requested, &req)
           && reg.host_len == req.host_len && !memcmp(reg.host, req.host, reg.host_len)
           && !strcmp(reg.rest, req.rest);
}

int mto_client_redirect_ok(const mto_client_t *c, const char *requested)
{
    int public = mto_client_public(c), i;

    for (i = 0; c->redirect_uris && i < c->redirect_uris->nelts; i++) {
        if (mto_redirect_uri_matches(APR_ARRAY_IDX(c->redirect_uris, i, const char *), requested,
                                     public)) {
            return 1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------ origins */

/* RFC 6454 §6.2 serialization of u's origin. */
static const char *mto_origin_of(apr_pool_t *p, const mto_uri_t *u)
{
    long port = mto_port(u);
    char *s;

    if (u->userinfo || port < 0) {
        return NULL;
    }
    if ((port == 80 && mto_scheme_is(u, "http")) || (port == 443 && mto_scheme_is(u, "https"))) {
        port = 0;
    }
    s = apr_pstrcat(p, apr_pstrmemdup(p, u->scheme, u->scheme_len), "://",
                    apr_pstrmemdup(p, u->host, u->host_len),
                    port ? apr_psprintf(p, ":%ld", port) : "", NULL);
    return mto_lower(s);
}

const char *mto_origin_canon(apr_pool_t *p, const char *s)
{
    mto_uri_t u;

    if (!mto_uri_split(s, &u) || (*u.rest && strcmp(u.rest, "/") != 0)) {
        return NULL;
    }
    return mto_origin_of(p, &u);
}

const char *mto_uri_origin(apr_pool_t *p, const char *uri)
{
    mto_uri_t u;

    if (!mto_uri_split(uri, &u) || !(mto_scheme_is(&u, "http") || mto_scheme_is(&u, "https"))) {
        return NULL;
    }
    u.userinfo = 0; /* not part of the origin */
    return mto_origin_of(p, &u);
}

int mto_client_origin_allowed(apr_pool_t *p, const mto_client_t *c, const char *origin)
{
    const apr_array_header_t *allowed = c->info.allowed_origins;
    int i;

    if (!origin || !*origin) {
        return 0;
    }
    if (allowed && mto_list_contains(allowed, origin)) {
        return 1;
    }
    for (i = 0; c->redirect_uris && i < c->redirect_uris->nelts; i++) {
        const char *o = mto_uri_origin(p, APR_ARRAY_IDX(c->redirect_uris, i, const char *));
        if (o && !strcmp(o, origin)) {
            return 1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------ showing URIs */

const char *mto_uri_host(apr_pool_t *p, const char *uri)
{
    mto_uri_t u;
    apr_size_t n;
    char *s;

    if (mto_uri_split(uri, &u)) {
        n = u.has_port ? (apr_size_t)(u.port + u.port_len - u.host) : u.host_len;
        s = apr_pstrmemdup(p, u.host, n);
    }
    else if (uri && (n = mto_scheme_len(uri)) > 0) {
        s = apr_pstrmemdup(p, uri, n);
    }
    else {
        return NULL;
    }
    return mto_lower(s);
}

int mto_https_uri_ok(const char *uri)
{
    mto_uri_t u;
    const char *c;

    if (!uri || strlen(uri) > MTO_URI_SHOW_MAX || !mto_uri_split(uri, &u)
        || !mto_scheme_is(&u, "https") || u.userinfo || mto_port(&u) < 0) {
        return 0;
    }
    for (c = uri; *c; c++) {
        if ((unsigned char)*c < 0x21 || (unsigned char)*c > 0x7e || strchr("\"'<>\\`", *c)) {
            return 0;
        }
    }
    return 1;
}
