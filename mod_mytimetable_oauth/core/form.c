/*
 * form.c - application/x-www-form-urlencoded input (a request body or a
 * query string) and strict UTF-8.
 *
 * The decoding is APR's (apr_escape.h); this file adds the strictness the
 * protocol needs on top: a bad %-escape or an encoded NUL fails (APR does
 * not decode them either), and so does anything that is not UTF-8.  Every
 * input may come straight from a hostile client: nothing assumes NUL
 * termination where a length is given, and error messages never quote what
 * was sent (it may be a secret).
 */
#include <string.h>
#include <strings.h>

#include <apr_escape.h>

#include "core/core.h"

/* ------------------------------------------------------------------ UTF-8 */

/* Length of the sequence a lead byte starts, and the range its second byte
 * must fall in: that range is what rules out overlongs (E0, F0), surrogates
 * (ED) and code points above U+10FFFF (F4), as in RFC 3629 §4. */
static int mto_utf8_lead(unsigned char c, unsigned char *lo, unsigned char *hi)
{
    *lo = 0x80;
    *hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        return 2;
    }
    if (c == 0xE0) {
        *lo = 0xA0;
        return 3;
    }
    if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
        return 3;
    }
    if (c == 0xED) {
        *hi = 0x9F;
        return 3;
    }
    if (c == 0xF0) {
        *lo = 0x90;
        return 4;
    }
    if (c >= 0xF1 && c <= 0xF3) {
        return 4;
    }
    if (c == 0xF4) {
        *hi = 0x8F;
        return 4;
    }
    return 0; /* 80-BF continuation, C0/C1 overlong, F5+ */
}

int mto_utf8_ok(const char *s, apr_size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    apr_size_t i = 0;

    if (!s) {
        return len == 0;
    }
    while (i < len) {
        unsigned char lo, hi;
        int n, k;

        if (u[i] < 0x80) {
            if (u[i] == 0) {
                return 0; /* a NUL would cut the string short later */
            }
            i++;
            continue;
        }
        n = mto_utf8_lead(u[i], &lo, &hi);
        if (n == 0 || len - i < (apr_size_t)n) {
            return 0;
        }
        if (u[i + 1] < lo || u[i + 1] > hi) {
            return 0;
        }
        for (k = 2; k < n; k++) {
            if (u[i + k] < 0x80 || u[i + k] > 0xBF) {
                return 0;
            }
        }
        i += n;
    }
    return 1;
}

/* ------------------------------------------------------------------ forms */

char *mto_form_unescape(apr_pool_t *p, const char *in, apr_size_t len)
{
    const char *out;
    char *copy;

    if (!in && len) {
        return NULL;
    }
    /* APR reads a string: a copy ends at len, and a raw NUL (which it would
     * take for the end) fails here as invalid UTF-8 would below. */
    copy = apr_pstrmemdup(p, in ? in : "", len);
    if (memchr(copy, '\0', len)) {
        return NULL;
    }
    /* NULL on a bad escape ("%4", "%zz") and on %00, always forbidden. */
    out = apr_punescape_url(p, copy, NULL, NULL, 1);
    /* Also catches raw non-UTF-8 bytes, not only escaped ones. */
    return out && mto_utf8_ok(out, strlen(out)) ? (char *)out : NULL;
}

static int mto_form_fail(const char **err, const char *why)
{
    if (err) {
        *err = why;
    }
    return 1;
}

/* One name[=value] segment into the table. */
static const char *mto_form_pair(apr_pool_t *p, const char *seg, apr_size_t len, apr_table_t *t)
{
    const char *eq = memchr(seg, '=', len);
    apr_size_t nlen = eq ? (apr_size_t)(eq - seg) : len;
    char *name, *val;

    if (nlen == 0) {
        return "empty parameter name";
    }
    name = mto_form_unescape(p, seg, nlen);
    if (!name) {
        return "bad %-escape, NUL or invalid UTF-8 in a parameter name";
    }
    if (!*name) {
        return "empty parameter name";
    }
    val = eq ? mto_form_unescape(p, eq + 1, len - nlen - 1) : apr_pstrdup(p, "");
    if (!val) {
        return "bad %-escape, NUL or invalid UTF-8 in a parameter value";
    }
    apr_table_addn(t, name, val);
    return NULL;
}

int mto_form_parse(apr_pool_t *p, const char *data, apr_size_t len, int max_params,
                   apr_table_t **out, const char **err)
{
    apr_table_t *t = apr_table_make(p, 8);
    apr_size_t i = 0, n = 0;

    if (out) {
        *out = NULL;
    }
    if (err) {
        *err = NULL;
    }
    if (!data) {
        len = 0;
    }
    while (i < len) {
        const char *amp = memchr(data + i, '&', len - i);
        apr_size_t seglen = amp ? (apr_size_t)(amp - (data + i)) : len - i;
        const char *why;

        if (seglen > 0) {
            if (max_params < 0 || ++n > (apr_size_t)max_params) {
                return mto_form_fail(err, "too many parameters");
            }
            why = mto_form_pair(p, data + i, seglen, t);
            if (why) {
                return mto_form_fail(err, why);
            }
        }
        i += seglen + 1; /* past the '&' (or past the end) */
    }
    if (out) {
        *out = t;
    }
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

    if (!params || !name) {
        return 0;
    }
    arr = apr_table_elts(params);
    e = (const apr_table_entry_t *)arr->elts;
    for (i = 0; i < arr->nelts; i++) {
        if (!e[i].key || strcasecmp(e[i].key, name) != 0) {
            continue;
        }
        variants++;
        if (strcmp(e[i].key, name) == 0) {
            exact++;
            found = e[i].val;
        }
    }
    if (exact == 0) {
        return 0;
    }
    if (variants > 1) {
        return -1;
    }
    if (val) {
        *val = found;
    }
    return 1;
}
