/*
 * fuzz_form.c - libFuzzer target for form and query decoding (core/form.c):
 * mto_form_parse, mto_form_unescape, mto_param and mto_utf8_ok.
 *
 * The input is a request body as it comes, not NUL-terminated (libFuzzer's
 * buffer is exactly its size, so a read past the length is an ASan report).
 * The answers are compared with the model in fuzz.c (application/
 * x-www-form-urlencoded, RFC 3629 UTF-8), and a parsed form must come back
 * the same from the query mto_url_add_params writes for it.
 */
#include <strings.h>

#include "fuzz.h"

#define pool mto_fuzz_pool /* cleared after each input */

#define MAX_PAIRS 4096 /* more than an input of 4 KB holds */

typedef struct {
    const char *name, *val;
} pair_t;

/* The model: the non-empty '&' segments of data, each name[=value] with a
 * non-empty name, both decoded.  Returns the number of pairs, or -1 when
 * mto_form_parse must refuse data with max pairs allowed. */
static int model_parse(const char *data, size_t len, int max, pair_t *pairs)
{
    size_t start = 0, end;
    int n = 0;

    for (; start < len; start = end + 1) {
        const char *seg = data + start, *eq;
        size_t slen;

        for (end = start; end < len && data[end] != '&'; end++) {
            ;
        }
        if ((slen = end - start) == 0) {
            continue;
        }
        if (++n > max) {
            return -1;
        }
        eq = memchr(seg, '=', slen);
        pairs[n - 1].name = mto_fuzz_unescape(seg, eq ? (size_t)(eq - seg) : slen);
        pairs[n - 1].val = eq ? mto_fuzz_unescape(eq + 1, slen - (size_t)(eq + 1 - seg)) : "";
        if (!pairs[n - 1].name || !*pairs[n - 1].name || !pairs[n - 1].val) {
            return -1;
        }
    }
    return n;
}

/* The table holds exactly the model's pairs, in order, all UTF-8. */
static void check_table(const apr_table_t *t, const pair_t *pairs, int n)
{
    const apr_array_header_t *arr = apr_table_elts(t);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    int i;

    check(arr->nelts == n, "parse: not one table entry per non-empty segment");
    for (i = 0; i < n; i++) {
        check(strcmp(e[i].key, pairs[i].name) == 0, "parse: a name differs from its decoding");
        check(strcmp(e[i].val, pairs[i].val) == 0, "parse: a value differs from its decoding");
        check(*e[i].key && mto_fuzz_utf8(e[i].key, strlen(e[i].key))
                  && mto_fuzz_utf8(e[i].val, strlen(e[i].val)),
              "parse: an empty name, or not UTF-8");
    }
}

/* mto_param: 0 without the exact name, -1 when the name or a case variant
 * of it is there more than once, else 1 and the value. */
static void check_param(const apr_table_t *t, const pair_t *pairs, int n, const char *name)
{
    const char *val = "unset", *want = NULL;
    int exact = 0, variants = 0, i, rv = mto_param(t, name, &val);

    for (i = 0; i < n; i++) {
        if (strcasecmp(pairs[i].name, name) != 0) {
            continue;
        }
        variants++;
        if (strcmp(pairs[i].name, name) == 0) {
            exact++;
            want = pairs[i].val;
        }
    }
    check(rv == (exact == 0 ? 0 : variants > 1 ? -1 : 1), "param: wrong count for a name");
    check(rv != 1 || strcmp(val, want) == 0, "param: not the value given for the name");
}

/* The form written out as a redirect's query and parsed again. */
static void check_round_trip(const apr_table_t *t, const pair_t *pairs, int n)
{
    static const char base[] = "https://client.example/cb";
    const char *url = mto_url_add_params(pool, base, t), *q;
    apr_table_t *again = NULL;
    const char *err;

    check(url && strncmp(url, base, sizeof(base) - 1) == 0, "round trip: the URL is not kept");
    q = url + sizeof(base) - 1;
    if (n == 0) {
        check(*q == '\0', "round trip: an empty form adds something");
        return;
    }
    check(*q == '?', "round trip: no '?' before the query");
    q++;
    check(strspn(q, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%=&")
              == strlen(q),
          "round trip: a character that is not unreserved, '%', '=' or '&'");
    check(mto_form_parse(pool, q, strlen(q), n, &again, &err) == 0,
          "round trip: the query does not parse");
    check_table(again, pairs, n);
}

static void check_form(const char *data, size_t len)
{
    pair_t *pairs = mto_fuzz_palloc(NULL, (len / 2 + 1) * sizeof(*pairs));
    apr_table_t *t = NULL;
    const char *err = "unset";
    int n = model_parse(data, len, MAX_PAIRS, pairs), rv, i;

    rv = mto_form_parse(pool, data, len, MAX_PAIRS, &t, &err);
    check((rv == 0) == (n >= 0), "parse: accepts what the model refuses, or the reverse");
    check(rv == 0 ? t && !err : !t && err,
          "parse: a table exactly on success, a reason on failure");
    if (rv != 0) {
        return;
    }
    check_table(t, pairs, n);
    for (i = 0; i < n; i++) {
        check_param(t, pairs, n, pairs[i].name);
        check_param(t, pairs, n, cat(pairs[i].name, "x"));
    }
    check_param(t, pairs, n, "client_id");
    check_param(t, pairs, n, "CLIENT_ID");
    check_round_trip(t, pairs, n);

    /* The limit counts non-empty segments: exactly n pass, n - 1 do not. */
    check(mto_form_parse(pool, data, len, n, &t, &err) == 0, "parse: n pairs refused with max n");
    if (n > 0) {
        check(mto_form_parse(pool, data, len, n - 1, &t, &err) != 0 && !t
                  && strcmp(err, "too many parameters") == 0,
              "parse: n pairs accepted with max n - 1");
        check(mto_form_parse(pool, data, len, -1, &t, &err) != 0,
              "parse: a negative max allows a pair");
    }
}

void mto_fuzz_one(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data, *got = mto_form_unescape(pool, s, size);
    const char *want = mto_fuzz_unescape(s, size);

    check(mto_utf8_ok(s, size) == mto_fuzz_utf8(s, size), "utf8: differs from RFC 3629");
    check(same(got, want), "unescape: differs from the model");
    check(!got || mto_utf8_ok(got, strlen(got)), "unescape: the result is not UTF-8");
    check_form(s, size);
}
