/*
 * proto.c - protocol rules of mod_mytimetable_oauth: HTTP Basic client
 * credentials (RFC 6749 §2.3.1), scope syntax (RFC 6749 §3.3), PKCE
 * (RFC 7636), redirect URLs and database booleans.  Forms are form.c's,
 * lists lists.c's.
 *
 * Every input here may come straight from a hostile client: nothing assumes
 * NUL termination where a length is given, nothing is trusted to be short,
 * and error messages never quote what was sent (it may be a secret).
 */
#include <string.h>
#include <strings.h>

#include <apr_base64.h>

#include "core/core.h"

/* ------------------------------------------------------------- characters */

/* RFC 3986 unreserved: the only characters left as they are in a URL we
 * build, and (RFC 7636) the alphabet of a PKCE verifier. */
static int mto_is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
           || c == '.' || c == '_' || c == '~';
}

static int mto_is_b64url(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
           || c == '_';
}

/* Value of a character already known to be in either base64 alphabet. */
static int mto_b64_index(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    return (c == '+' || c == '-') ? 62 : 63;
}

static int mto_is_b64std(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+'
           || c == '/';
}

/* ------------------------------------------------------ Basic credentials */

/* Strict base64 (RFC 4648 §4): whole quanta, '=' only as final padding,
 * unused bits zero.  Returns the decoded length, or -1. */
static apr_ssize_t mto_b64_strict_len(const char *s, apr_size_t len)
{
    apr_size_t i, pad = 0;
    int last;

    if (len == 0 || len % 4 != 0 || len > 65536) {
        return -1; /* the cap keeps apr_base64's int lengths safe */
    }
    if (s[len - 1] == '=') {
        pad = (s[len - 2] == '=') ? 2 : 1;
    }
    for (i = 0; i < len - pad; i++) {
        if (!mto_is_b64std((unsigned char)s[i])) {
            return -1;
        }
    }
    if (pad == 0) {
        return (apr_ssize_t)(len / 4 * 3);
    }
    /* The character before the padding carries bits that must be zero. */
    last = mto_b64_index((unsigned char)s[len - pad - 1]);
    if ((pad == 1 && (last & 0x03)) || (pad == 2 && (last & 0x0F))) {
        return -1;
    }
    return (apr_ssize_t)(len / 4 * 3 - pad);
}

/* Splits "urlencode(id):urlencode(secret)" (RFC 6749 §2.3.1). */
static int mto_basic_split(apr_pool_t *p, const char *dec, apr_size_t len, const char **client_id,
                           const char **secret)
{
    const char *colon = memchr(dec, ':', len);
    apr_size_t idlen;
    char *id, *sec;

    if (!colon) {
        return 2;
    }
    idlen = (apr_size_t)(colon - dec);
    id = mto_form_unescape(p, dec, idlen);
    sec = mto_form_unescape(p, colon + 1, len - idlen - 1);
    if (!id || !sec || !*id) {
        return 2;
    }
    *client_id = id;
    *secret = sec;
    return 0;
}

int mto_basic_credentials(apr_pool_t *p, const char *header, const char **client_id,
                          const char **secret)
{
    const char *b64;
    unsigned char *dec;
    apr_ssize_t want;
    apr_size_t len;

    if (!header || strncasecmp(header, "Basic", 5) != 0) {
        return 1;
    }
    b64 = header + 5;
    if (*b64 != '\0' && *b64 != ' ' && *b64 != '\t') {
        return 1; /* "Basically…" is some other scheme */
    }
    if (*b64 != ' ') {
        return 2; /* RFC 7235: one or more SP, then credentials */
    }
    while (*b64 == ' ') {
        b64++;
    }
    len = strlen(b64);
    want = mto_b64_strict_len(b64, len);
    if (want < 0) {
        return 2;
    }
    dec = apr_palloc(p, (apr_size_t)apr_base64_decode_len(b64) + 1);
    if (apr_base64_decode_binary(dec, b64) != want) {
        return 2;
    }
    return mto_basic_split(p, (const char *)dec, (apr_size_t)want, client_id, secret);
}

/* ------------------------------------------------------------ scope, PKCE */

static int mto_is_nqchar(unsigned char c)
{
    return c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

int mto_scope_syntax_ok(const char *scope)
{
    const unsigned char *s = (const unsigned char *)scope;

    if (!s || !*s) {
        return 0;
    }
    for (;;) {
        if (!mto_is_nqchar(*s)) {
            return 0; /* empty token: leading, double or trailing SP */
        }
        while (mto_is_nqchar(*s)) {
            s++;
        }
        if (*s == '\0') {
            return 1;
        }
        if (*s != ' ') {
            return 0;
        }
        s++;
    }
}

int mto_pkce_verifier_ok(const char *verifier)
{
    apr_size_t n = 0;

    if (!verifier) {
        return 0;
    }
    /* Stops at 129 characters: no need to walk a huge value to refuse it. */
    for (n = 0; verifier[n] && n <= 128; n++) {
        if (!mto_is_unreserved((unsigned char)verifier[n])) {
            return 0;
        }
    }
    return n >= 43 && n <= 128;
}

/* BASE64URL(SHA-256): 43 characters, and the last one can only carry the
 * 4 remaining bits of the 256 (the low 2 bits must be zero). */
static int mto_s256_challenge_ok(const char *c)
{
    int i;

    for (i = 0; i < 43; i++) {
        if (!mto_is_b64url((unsigned char)c[i])) {
            return 0;
        }
    }
    return c[43] == '\0' && (mto_b64_index((unsigned char)c[42]) & 0x03) == 0;
}

int mto_pkce_challenge_ok(const char *method, const char *challenge)
{
    if (!method || !challenge) {
        return 0;
    }
    if (strcmp(method, "S256") == 0) {
        return mto_s256_challenge_ok(challenge);
    }
    if (strcmp(method, "plain") == 0) {
        return mto_pkce_verifier_ok(challenge);
    }
    return 0;
}

int mto_pkce_matches(apr_pool_t *p, const char *method, const char *challenge, const char *verifier)
{
    if (!method || !challenge || !mto_pkce_verifier_ok(verifier)) {
        return 0;
    }
    if (strcmp(method, "S256") == 0) {
        return mto_ct_streq(mto_sha256_b64url(p, verifier, strlen(verifier)), challenge);
    }
    if (strcmp(method, "plain") == 0) {
        return mto_ct_streq(verifier, challenge);
    }
    return 0;
}

/* ------------------------------------------------------------------- URLs */

/* Percent-encodes all but RFC 3986 unreserved characters. */
static char *mto_url_encode(apr_pool_t *p, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    apr_size_t i, o = 0, n = strlen(s);
    char *out = apr_palloc(p, n * 3 + 1);

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (mto_is_unreserved(c)) {
            out[o++] = (char)c;
        }
        else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 0x0F];
        }
    }
    out[o] = '\0';
    return out;
}

/* The parameters as "a=1&b=2", or "" when there are none. */
static const char *mto_url_query(apr_pool_t *p, const apr_table_t *params)
{
    const apr_array_header_t *arr = apr_table_elts(params);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    apr_array_header_t *parts =
        apr_array_make(p, arr->nelts ? arr->nelts : 1, sizeof(const char *));
    int i;

    for (i = 0; i < arr->nelts; i++) {
        if (!e[i].key) {
            continue;
        }
        APR_ARRAY_PUSH(parts, const char *) =
            apr_pstrcat(p, mto_url_encode(p, e[i].key), "=",
                        mto_url_encode(p, e[i].val ? e[i].val : ""), NULL);
    }
    return parts->nelts ? apr_array_pstrcat(p, parts, '&') : "";
}

const char *mto_url_add_params(apr_pool_t *p, const char *url, const apr_table_t *params)
{
    const char *hash, *query, *sep;
    apr_size_t blen;

    if (!url) {
        return NULL;
    }
    query = params ? mto_url_query(p, params) : "";
    if (!*query) {
        return apr_pstrdup(p, url);
    }
    /* The query goes before the fragment, which is kept as it was. */
    hash = strchr(url, '#');
    blen = hash ? (apr_size_t)(hash - url) : strlen(url);
    if (!memchr(url, '?', blen)) {
        sep = "?";
    }
    else if (url[blen - 1] == '?' || url[blen - 1] == '&') {
        sep = "";
    }
    else {
        sep = "&";
    }
    return apr_pstrcat(p, apr_pstrmemdup(p, url, blen), sep, query, hash ? hash : "", NULL);
}

int mto_db_bool(const char *s)
{
    static const char *const yes[] = { "1", "t", "true", "y", "yes", NULL };
    int i;

    for (i = 0; s && yes[i]; i++) {
        if (!strcasecmp(s, yes[i])) {
            return 1;
        }
    }
    return 0;
}
