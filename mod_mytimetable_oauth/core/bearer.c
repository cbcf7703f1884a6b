/*
 * bearer.c - where the gate finds an access token (RFC 6750 §2.1, §2.3) and
 * how it keeps a token out of logs and away from the backend.
 *
 * Pure functions over strings: no httpd.  The gate (gate.c) calls them on
 * every protected request, the unit tests and the fuzzer call them directly.
 */
#include "core/core.h"

#include <apr_lib.h>

#define MTO_TOKEN_PARAM "access_token"
#define MTO_REDACTED    "REDACTED"

/* RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
int mto_b64token_ok(const char *s, apr_size_t len)
{
    apr_size_t i = 0;

    if (!s) {
        return 0;
    }
    while (i < len && (apr_isalnum((unsigned char)s[i]) || strchr("-._~+/", s[i]))
           && s[i] != '\0') {
        i++;
    }
    if (i == 0) {
        return 0;
    }
    while (i < len && s[i] == '=') {
        i++;
    }
    return i == len;
}

/* RFC 9110 tchar: what an auth-scheme is made of. */
static int mto_tchar(unsigned char c)
{
    return c && (apr_isalnum(c) || strchr("!#$%&'*+-.^_`|~", c));
}

int mto_bearer_from_header(apr_pool_t *p, const char *value, const char **token)
{
    const char *v = value, *t;
    apr_size_t scheme_len = 0, len;

    *token = NULL;
    if (!v) {
        return MTO_CRED_ABSENT;
    }
    while (mto_tchar((unsigned char)v[scheme_len])) {
        scheme_len++;
    }
    if (scheme_len == 0 || (v[scheme_len] != '\0' && v[scheme_len] != ' ')) {
        return MTO_CRED_MALFORMED; /* empty, or no auth-scheme at all */
    }
    if (scheme_len != 6 || strncasecmp(v, "Bearer", 6) != 0) {
        return MTO_CRED_ABSENT; /* Basic, Negotiate…: not ours to judge */
    }
    t = v + scheme_len;
    while (*t == ' ') {
        t++;
    }
    len = strlen(t);
    while (len && t[len - 1] == ' ') {
        len--;
    }
    if (!mto_b64token_ok(t, len)) {
        return MTO_CRED_MALFORMED;
    }
    *token = apr_pstrmemdup(p, t, len);
    return MTO_CRED_FOUND;
}

/* Calls fn for each name=value pair of a query; stops when fn returns non-zero. */
typedef int (*mto_pair_fn)(void *ctx, const char *pair, apr_size_t len, int is_token);

static int mto_query_pairs(apr_pool_t *p, const char *query, mto_pair_fn fn, void *ctx)
{
    const char *q = query;

    while (q && *q) {
        apr_size_t len = strcspn(q, "&");
        apr_size_t nlen = strcspn(q, "=&");
        const char *name;
        int rv;

        /* Cheap test first: the decoded name can only be access_token if the
         * raw one is short enough. */
        name = nlen <= 3 * sizeof(MTO_TOKEN_PARAM) ? mto_form_unescape(p, q, nlen) : NULL;
        rv = fn(ctx, q, len, name && !strcmp(name, MTO_TOKEN_PARAM));
        if (rv) {
            return rv;
        }
        q += len;
        if (*q == '&') {
            q++;
        }
    }
    return 0;
}

typedef struct {
    apr_pool_t *p;
    const char *token;
    int count;
    int bad;
} mto_find_ctx;

static int mto_find_token(void *vctx, const char *pair, apr_size_t len, int is_token)
{
    mto_find_ctx *ctx = vctx;
    apr_size_t nlen = strcspn(pair, "=&");
    const char *value;

    if (!is_token) {
        return 0;
    }
    if (++ctx->count > 1) {
        return 1;
    }
    value = nlen < len ? mto_form_unescape(ctx->p, pair + nlen + 1, len - nlen - 1) : NULL;
    if (!value || !mto_b64token_ok(value, strlen(value))) {
        ctx->bad = 1;
        return 1;
    }
    ctx->token = value;
    return 0;
}

int mto_bearer_from_query(apr_pool_t *p, const char *query, const char **token)
{
    mto_find_ctx ctx = { p, NULL, 0, 0 };

    *token = NULL;
    mto_query_pairs(p, query, mto_find_token, &ctx);
    if (ctx.count == 0) {
        return MTO_CRED_ABSENT;
    }
    if (ctx.count > 1 || ctx.bad) {
        return MTO_CRED_MALFORMED;
    }
    *token = ctx.token;
    return MTO_CRED_FOUND;
}

/* Rebuilds a query pair by pair: token pairs dropped or redacted. */
typedef struct {
    apr_pool_t *p;
    char *out;
    apr_size_t used;
    int redact; /* 1: name=REDACTED, 0: drop the pair */
    int changed;
} mto_rewrite_ctx;

static void mto_append(mto_rewrite_ctx *ctx, const char *s, apr_size_t len)
{
    if (ctx->used) {
        ctx->out[ctx->used++] = '&';
    }
    memcpy(ctx->out + ctx->used, s, len);
    ctx->used += len;
    ctx->out[ctx->used] = '\0';
}

static int mto_rewrite_pair(void *vctx, const char *pair, apr_size_t len, int is_token)
{
    mto_rewrite_ctx *ctx = vctx;
    apr_size_t nlen = strcspn(pair, "=&");

    if (!is_token) {
        if (len) {
            mto_append(ctx, pair, len);
        }
        return 0;
    }
    ctx->changed = 1;
    if (ctx->redact) {
        mto_append(ctx, pair, nlen < len ? nlen : len);
        ctx->out[ctx->used++] = '=';
        memcpy(ctx->out + ctx->used, MTO_REDACTED, sizeof(MTO_REDACTED));
        ctx->used += sizeof(MTO_REDACTED) - 1;
    }
    return 0;
}

/* The query with its access_token pairs dropped (redact 0) or their values
 * replaced (redact 1).  *changed tells whether there was any. */
static char *mto_query_rewrite(apr_pool_t *p, const char *query, int redact, int *changed)
{
    mto_rewrite_ctx ctx;

    ctx.p = p;
    ctx.out = apr_palloc(p, strlen(query) + 1 + sizeof(MTO_REDACTED) * (strlen(query) / 2 + 1));
    ctx.out[0] = '\0';
    ctx.used = 0;
    ctx.redact = redact;
    ctx.changed = 0;
    mto_query_pairs(p, query, mto_rewrite_pair, &ctx);
    *changed = ctx.changed;
    return ctx.out;
}

char *mto_query_without_token(apr_pool_t *p, const char *query)
{
    int changed;
    char *rest;

    if (!query) {
        return NULL;
    }
    rest = mto_query_rewrite(p, query, 0, &changed);
    if (!changed) {
        return apr_pstrdup(p, query);
    }
    return *rest ? rest : NULL;
}

char *mto_query_redact(apr_pool_t *p, const char *query)
{
    int changed;
    char *out;

    if (!query) {
        return NULL;
    }
    out = mto_query_rewrite(p, query, 1, &changed);
    return changed ? out : apr_pstrdup(p, query);
}

/* Where the spaces before the HTTP-version start after the query q, or NULL.
 * Not at the first space: a client that leaves a space unencoded
 * ("?q=a b&access_token=…") gets a 400 from httpd, which still logs the line,
 * with or without the version: everything up to the version is query. */
static const char *mto_version_start(const char *q)
{
    const char *sp = strrchr(q, ' ');

    if (!sp || strncmp(sp + 1, "HTTP/", 5) != 0) {
        return NULL;
    }
    while (sp > q && sp[-1] == ' ') {
        sp--;
    }
    return sp;
}

/* The request line (or a bare request-target) with its query passed
 * through fn; a query fn leaves empty loses its "?". */
static char *mto_request_line_rewrite(apr_pool_t *p, const char *line,
                                      char *(*fn)(apr_pool_t *, const char *))
{
    const char *target, *q, *end;
    apr_size_t qlen;
    char *query;

    if (!line) {
        return NULL;
    }
    /* METHOD SP request-target SP HTTP-version; the target may be all there is. */
    target = strchr(line, ' ');
    target = target ? target + 1 : line;
    q = strchr(target, '?');
    if (!q) {
        return apr_pstrdup(p, line);
    }
    end = mto_version_start(q);
    qlen = end ? (apr_size_t)(end - q - 1) : strlen(q + 1);
    query = fn(p, apr_pstrmemdup(p, q + 1, qlen));
    return apr_pstrcat(p, apr_pstrmemdup(p, line, q - line), query ? "?" : "", query ? query : "",
                       end ? end : "", NULL);
}

char *mto_request_line_redact(apr_pool_t *p, const char *line)
{
    return mto_request_line_rewrite(p, line, mto_query_redact);
}

char *mto_request_line_without_token(apr_pool_t *p, const char *line)
{
    return mto_request_line_rewrite(p, line, mto_query_without_token);
}

int mto_query_may_hold_token(const char *s)
{
    return s && (strstr(s, MTO_TOKEN_PARAM) || strchr(s, '%'));
}

char *mto_url_without_token(apr_pool_t *p, const char *url)
{
    const char *q = url ? strchr(url, '?') : NULL;
    char *query;

    if (!q) {
        return url ? apr_pstrdup(p, url) : NULL;
    }
    query = mto_query_without_token(p, q + 1);
    return apr_pstrcat(p, apr_pstrmemdup(p, url, q - url), query ? "?" : "", query ? query : "",
                       NULL);
}

const char *mto_quoted_string(apr_pool_t *p, const char *s)
{
    apr_size_t i, o = 0, len = s ? strlen(s) : 0;
    char *out = apr_palloc(p, 2 * len + 3);

    out[o++] = '"';
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c < 0x20 || c == 0x7f) {
            continue; /* no control characters in a header */
        }
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
        }
        out[o++] = (char)c;
    }
    out[o++] = '"';
    out[o] = '\0';
    return out;
}
