/*
 * proto.c - protocol rules of mod_mytimetable_oauth: form/query parsing,
 * HTTP Basic client credentials (RFC 6749 §2.3.1), scope lists and scope
 * syntax (RFC 6749 §3.3), PKCE (RFC 7636), strict UTF-8 and redirect URLs.
 *
 * Every input here may come straight from a hostile client: nothing assumes
 * NUL termination where a length is given, nothing is trusted to be short,
 * and error messages never quote what was sent (it may be a secret).
 */
#include <string.h>
#include <strings.h>

#include <apr_base64.h>
#include <apr_hash.h>

#include "core/core.h"

/* ------------------------------------------------------------- characters */

static int mto_hexval(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* RFC 3986 unreserved: the only characters left as they are in a URL we
 * build, and (RFC 7636) the alphabet of a PKCE verifier. */
static int mto_is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
}

static int mto_is_b64url(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Value of a character already known to be in either base64 alphabet. */
static int mto_b64_index(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    return (c == '+' || c == '-') ? 62 : 63;
}

static int mto_is_b64std(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/* ------------------------------------------------------------------ UTF-8 */

/* Length of the sequence a lead byte starts, and the range its second byte
 * must fall in: that range is what rules out overlongs (E0, F0), surrogates
 * (ED) and code points above U+10FFFF (F4), as in RFC 3629 §4. */
static int mto_utf8_lead(unsigned char c, unsigned char *lo, unsigned char *hi)
{
    *lo = 0x80; *hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) return 2;
    if (c == 0xE0) { *lo = 0xA0; return 3; }
    if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return 3;
    if (c == 0xED) { *hi = 0x9F; return 3; }
    if (c == 0xF0) { *lo = 0x90; return 4; }
    if (c >= 0xF1 && c <= 0xF3) return 4;
    if (c == 0xF4) { *hi = 0x8F; return 4; }
    return 0;                   /* 80-BF continuation, C0/C1 overlong, F5+ */
}

int mto_utf8_ok(const char *s, apr_size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    apr_size_t i = 0;

    if (!s)
        return len == 0;
    while (i < len) {
        unsigned char lo, hi;
        int n, k;

        if (u[i] < 0x80) {
            if (u[i] == 0)
                return 0;       /* a NUL would cut the string short later */
            i++;
            continue;
        }
        n = mto_utf8_lead(u[i], &lo, &hi);
        if (n == 0 || len - i < (apr_size_t)n)
            return 0;
        if (u[i + 1] < lo || u[i + 1] > hi)
            return 0;
        for (k = 2; k < n; k++)
            if (u[i + k] < 0x80 || u[i + k] > 0xBF)
                return 0;
        i += n;
    }
    return 1;
}

/* ------------------------------------------------------------------ forms */

char *mto_form_unescape(apr_pool_t *p, const char *in, apr_size_t len)
{
    char *out;
    apr_size_t i, o = 0;

    if (!in && len)
        return NULL;
    out = apr_palloc(p, len + 1);
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        int h, l;

        if (c == '+') {
            out[o++] = ' ';
            continue;
        }
        if (c != '%') {
            out[o++] = (char)c;
            continue;
        }
        if (len - i < 3)
            return NULL;
        h = mto_hexval((unsigned char)in[i + 1]);
        l = mto_hexval((unsigned char)in[i + 2]);
        if (h < 0 || l < 0 || (h == 0 && l == 0))
            return NULL;
        out[o++] = (char)(h * 16 + l);
        i += 2;
    }
    out[o] = '\0';
    /* Also catches raw NULs and raw non-UTF-8 bytes, not only escaped ones. */
    return mto_utf8_ok(out, o) ? out : NULL;
}

static int mto_form_fail(const char **err, const char *why)
{
    if (err)
        *err = why;
    return 1;
}

/* One name[=value] segment into the table. */
static const char *mto_form_pair(apr_pool_t *p, const char *seg, apr_size_t len,
                                 apr_table_t *t)
{
    const char *eq = memchr(seg, '=', len);
    apr_size_t nlen = eq ? (apr_size_t)(eq - seg) : len;
    char *name, *val;

    if (nlen == 0)
        return "empty parameter name";
    name = mto_form_unescape(p, seg, nlen);
    if (!name)
        return "bad %-escape, NUL or invalid UTF-8 in a parameter name";
    if (!*name)
        return "empty parameter name";
    val = eq ? mto_form_unescape(p, eq + 1, len - nlen - 1) : apr_pstrdup(p, "");
    if (!val)
        return "bad %-escape, NUL or invalid UTF-8 in a parameter value";
    apr_table_addn(t, name, val);
    return NULL;
}

int mto_form_parse(apr_pool_t *p, const char *data, apr_size_t len, int max_params,
                   apr_table_t **out, const char **err)
{
    apr_table_t *t = apr_table_make(p, 8);
    apr_size_t i = 0, n = 0;

    if (out)
        *out = NULL;
    if (err)
        *err = NULL;
    if (!data)
        len = 0;
    while (i < len) {
        const char *amp = memchr(data + i, '&', len - i);
        apr_size_t seglen = amp ? (apr_size_t)(amp - (data + i)) : len - i;
        const char *why;

        if (seglen > 0) {
            if (max_params < 0 || ++n > (apr_size_t)max_params)
                return mto_form_fail(err, "too many parameters");
            why = mto_form_pair(p, data + i, seglen, t);
            if (why)
                return mto_form_fail(err, why);
        }
        i += seglen + 1;        /* past the '&' (or past the end) */
    }
    if (out)
        *out = t;
    return 0;
}

/* OAuth parameter names are case-sensitive (RFC 6749 §3.1), but apr_table
 * lookups are not: a case variant of the name beside it counts as a second
 * copy, so that no apr_table_get() elsewhere can see another value. */
int mto_param(const apr_table_t *params, const char *name, const char **val)
{
    const apr_array_header_t *arr;
    const apr_table_entry_t *e;
    const char *found = NULL;
    int i, exact = 0, variants = 0;

    if (!params || !name)
        return 0;
    arr = apr_table_elts(params);
    e = (const apr_table_entry_t *)arr->elts;
    for (i = 0; i < arr->nelts; i++) {
        if (!e[i].key || strcasecmp(e[i].key, name) != 0)
            continue;
        variants++;
        if (strcmp(e[i].key, name) == 0) {
            exact++;
            found = e[i].val;
        }
    }
    if (exact == 0)
        return 0;
    if (variants > 1)
        return -1;
    if (val)
        *val = found;
    return 1;
}

/* ------------------------------------------------------ Basic credentials */

/* Strict base64 (RFC 4648 §4): whole quanta, '=' only as final padding,
 * unused bits zero.  Returns the decoded length, or -1. */
static apr_ssize_t mto_b64_strict_len(const char *s, apr_size_t len)
{
    apr_size_t i, pad = 0;
    int last;

    if (len == 0 || len % 4 != 0 || len > 65536)
        return -1;              /* the cap keeps apr_base64's int lengths safe */
    if (s[len - 1] == '=')
        pad = (s[len - 2] == '=') ? 2 : 1;
    for (i = 0; i < len - pad; i++)
        if (!mto_is_b64std((unsigned char)s[i]))
            return -1;
    if (pad == 0)
        return (apr_ssize_t)(len / 4 * 3);
    /* The character before the padding carries bits that must be zero. */
    last = mto_b64_index((unsigned char)s[len - pad - 1]);
    if ((pad == 1 && (last & 0x03)) || (pad == 2 && (last & 0x0F)))
        return -1;
    return (apr_ssize_t)(len / 4 * 3 - pad);
}

/* Splits "urlencode(id):urlencode(secret)" (RFC 6749 §2.3.1). */
static int mto_basic_split(apr_pool_t *p, const char *dec, apr_size_t len,
                           const char **client_id, const char **secret)
{
    const char *colon = memchr(dec, ':', len);
    apr_size_t idlen;
    char *id, *sec;

    if (!colon)
        return 2;
    idlen = (apr_size_t)(colon - dec);
    id = mto_form_unescape(p, dec, idlen);
    sec = mto_form_unescape(p, colon + 1, len - idlen - 1);
    if (!id || !sec || !*id)
        return 2;
    *client_id = id;
    *secret = sec;
    return 0;
}

int mto_basic_credentials(apr_pool_t *p, const char *header,
                          const char **client_id, const char **secret)
{
    const char *b64;
    unsigned char *dec;
    apr_ssize_t want;
    apr_size_t len;

    if (!header || strncasecmp(header, "Basic", 5) != 0)
        return 1;
    b64 = header + 5;
    if (*b64 != '\0' && *b64 != ' ' && *b64 != '\t')
        return 1;               /* "Basically…" is some other scheme */
    if (*b64 != ' ')
        return 2;               /* RFC 7235: one or more SP, then credentials */
    while (*b64 == ' ')
        b64++;
    len = strlen(b64);
    want = mto_b64_strict_len(b64, len);
    if (want < 0)
        return 2;
    dec = apr_palloc(p, (apr_size_t)apr_base64_decode_len(b64) + 1);
    if (apr_base64_decode_binary(dec, b64) != want)
        return 2;
    return mto_basic_split(p, (const char *)dec, (apr_size_t)want, client_id, secret);
}

/* ------------------------------------------------------------------ lists */

static int mto_is_list_sep(char c)
{
    return c == ',' || c == ' ' || c == '\t' || c == '\r' || c == '\n'
        || c == '\f' || c == '\v';
}

static int mto_is_scope_sep(char c)
{
    return c == ' ';
}

/* A hash keeps duplicate removal linear: the list may be a hostile scope. */
static apr_array_header_t *mto_split(apr_pool_t *p, const char *s, int (*is_sep)(char))
{
    apr_array_header_t *list = apr_array_make(p, 4, sizeof(const char *));
    apr_hash_t *seen = apr_hash_make(p);

    while (s && *s) {
        const char *start;
        apr_size_t n;
        char *item;

        while (*s && is_sep(*s))
            s++;
        start = s;
        while (*s && !is_sep(*s))
            s++;
        n = (apr_size_t)(s - start);
        if (n == 0 || apr_hash_get(seen, start, (apr_ssize_t)n))
            continue;
        item = apr_pstrmemdup(p, start, n);
        apr_hash_set(seen, item, (apr_ssize_t)n, item);
        APR_ARRAY_PUSH(list, const char *) = item;
    }
    return list;
}

apr_array_header_t *mto_list_split(apr_pool_t *p, const char *s)
{
    return mto_split(p, s, mto_is_list_sep);
}

/* Only SP: a comma is NQCHAR, so "a,b" is one scope token (RFC 6749 §3.3),
 * which no client's comma-separated list can hold. */
apr_array_header_t *mto_scope_split(apr_pool_t *p, const char *scope)
{
    return mto_split(p, scope, mto_is_scope_sep);
}

int mto_list_contains(const apr_array_header_t *list, const char *item)
{
    int i;

    if (!list || !item)
        return 0;
    for (i = 0; i < list->nelts; i++)
        if (strcmp(APR_ARRAY_IDX(list, i, const char *), item) == 0)
            return 1;
    return 0;
}

int mto_list_subset(const apr_array_header_t *sub, const apr_array_header_t *super)
{
    int i;

    if (!sub)
        return 1;
    for (i = 0; i < sub->nelts; i++)
        if (!mto_list_contains(super, APR_ARRAY_IDX(sub, i, const char *)))
            return 0;
    return 1;
}

const char *mto_list_join(apr_pool_t *p, const apr_array_header_t *list)
{
    if (!list || list->nelts == 0)
        return "";
    return apr_array_pstrcat(p, list, ' ');
}

/* ------------------------------------------------------------ scope, PKCE */

static int mto_is_nqchar(unsigned char c)
{
    return c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

int mto_scope_syntax_ok(const char *scope)
{
    const unsigned char *s = (const unsigned char *)scope;

    if (!s || !*s)
        return 0;
    for (;;) {
        if (!mto_is_nqchar(*s))
            return 0;           /* empty token: leading, double or trailing SP */
        while (mto_is_nqchar(*s))
            s++;
        if (*s == '\0')
            return 1;
        if (*s != ' ')
            return 0;
        s++;
    }
}

int mto_pkce_verifier_ok(const char *verifier)
{
    apr_size_t n = 0;

    if (!verifier)
        return 0;
    /* Stops at 129 characters: no need to walk a huge value to refuse it. */
    for (n = 0; verifier[n] && n <= 128; n++)
        if (!mto_is_unreserved((unsigned char)verifier[n]))
            return 0;
    return n >= 43 && n <= 128;
}

/* BASE64URL(SHA-256): 43 characters, and the last one can only carry the
 * 4 remaining bits of the 256 (the low 2 bits must be zero). */
static int mto_s256_challenge_ok(const char *c)
{
    int i;

    for (i = 0; i < 43; i++)
        if (!mto_is_b64url((unsigned char)c[i]))
            return 0;
    return c[43] == '\0' && (mto_b64_index((unsigned char)c[42]) & 0x03) == 0;
}

int mto_pkce_challenge_ok(const char *method, const char *challenge)
{
    if (!method || !challenge)
        return 0;
    if (strcmp(method, "S256") == 0)
        return mto_s256_challenge_ok(challenge);
    if (strcmp(method, "plain") == 0)
        return mto_pkce_verifier_ok(challenge);
    return 0;
}

int mto_pkce_matches(apr_pool_t *p, const char *method, const char *challenge,
                     const char *verifier)
{
    if (!method || !challenge || !mto_pkce_verifier_ok(verifier))
        return 0;
    if (strcmp(method, "S256") == 0)
        return mto_ct_streq(mto_sha256_b64url(p, verifier, strlen(verifier)), challenge);
    if (strcmp(method, "plain") == 0)
        return mto_ct_streq(verifier, challenge);
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
        } else {
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
    apr_array_header_t *parts = apr_array_make(p, arr->nelts ? arr->nelts : 1,
                                               sizeof(const char *));
    int i;

    for (i = 0; i < arr->nelts; i++) {
        if (!e[i].key)
            continue;
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

    if (!url)
        return NULL;
    query = params ? mto_url_query(p, params) : "";
    if (!*query)
        return apr_pstrdup(p, url);
    /* The query goes before the fragment, which is kept as it was. */
    hash = strchr(url, '#');
    blen = hash ? (apr_size_t)(hash - url) : strlen(url);
    if (!memchr(url, '?', blen))
        sep = "?";
    else if (url[blen - 1] == '?' || url[blen - 1] == '&')
        sep = "";
    else
        sep = "&";
    return apr_pstrcat(p, apr_pstrmemdup(p, url, blen), sep, query,
                       hash ? hash : "", NULL);
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
