/*
 * fuzz_lists.c - libFuzzer target for the lists of core/lists.c: the client's
 * comma-separated scope, grant-type and redirect-URI lists (mto_list_split,
 * _contains, _subset, _join), requested scopes (mto_scope_syntax_ok,
 * RFC 6749 §3.3), and the redirect back to a client (mto_url_add_params).
 *
 * The input is "list A\nlist B\nURL\nname\nvalue\nname\nvalue…".  Each answer
 * is compared with a model; lists must survive join and split, a redirect
 * URI list must match each of its URIs and nothing near them, and the URL a
 * redirect goes to must give back the parameters it was given, after the
 * query it already had and before its fragment.
 */
#include "fuzz.h"

#define pool mto_fuzz_pool /* cleared after each input */

#define MAX_PARAMS 64

typedef struct {
    const char **item;
    int n;
} list_t;

static int list_sep(char c)
{
    return c && strchr(", \t\r\n\f\v", c) != NULL;
}

static int in_list(const list_t *l, const char *s)
{
    int i;

    for (i = 0; i < l->n; i++) {
        if (strcmp(l->item[i], s) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The items of s between separators (only spaces when scope is set), the
 * first of equal ones kept. */
static list_t model_split(const char *s, int scope)
{
    list_t l = { mto_fuzz_palloc(NULL, (strlen(s) / 2 + 1) * sizeof(char *)), 0 };

    while (*s) {
        size_t n = 0;
        const char *item;

        while (s[n] && (scope ? s[n] != ' ' : !list_sep(s[n]))) {
            n++;
        }
        item = memdup(s, n);
        if (n > 0 && !in_list(&l, item)) {
            l.item[l.n++] = item;
        }
        s += n + (s[n] != '\0');
    }
    return l;
}

static int same_list(const apr_array_header_t *a, const list_t *l)
{
    int i;

    if (a->nelts != l->n) {
        return 0;
    }
    for (i = 0; i < l->n; i++) {
        if (strcmp(APR_ARRAY_IDX(a, i, const char *), l->item[i]) != 0) {
            return 0;
        }
    }
    return 1;
}

static apr_array_header_t *check_split(const char *s)
{
    list_t want = model_split(s, 0);
    apr_array_header_t *a = mto_list_split(pool, s), *again;
    int i;

    check(same_list(a, &want), "split: not the items between separators, first of equal ones kept");
    again = mto_list_split(pool, mto_list_join(pool, a));
    check(same_list(again, &want), "join: split again it is not the same list");
    for (i = 0; i < want.n; i++) {
        check(mto_list_contains(a, want.item[i]), "contains: misses an item");
        check(mto_list_contains(a, cat(want.item[i], "x"))
                  == in_list(&want, cat(want.item[i], "x")),
              "contains: matches what is not an item");
    }
    check(!mto_list_contains(a, ""), "contains: the empty string is never an item");
    return a;
}

/* RFC 6749 §3.3: 1*NQCHAR tokens, each after exactly one SP. */
static int model_scope_ok(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i, len = strlen(s);

    if (len == 0 || u[0] == ' ' || u[len - 1] == ' ') {
        return 0;
    }
    for (i = 0; i < len; i++) {
        if (u[i] == ' ' ? u[i + 1] == ' '
                        : !(u[i] == 0x21 || (u[i] >= 0x23 && u[i] <= 0x5B)
                            || (u[i] >= 0x5D && u[i] <= 0x7E))) {
            return 0;
        }
    }
    return 1;
}

/* A scope the syntax allows is read as its scope tokens, as a client
 * means it: a comma, which is NQCHAR, is part of a token. */
static void check_scope(const char *s)
{
    int ok = mto_scope_syntax_ok(s);

    check(ok == model_scope_ok(s), "scope: syntax differs from RFC 6749 §3.3");
    if (ok) {
        list_t want = model_split(s, 1);

        check(same_list(mto_scope_split(pool, s), &want), "scope: not read as its scope tokens");
    }
}

static void check_subset(const apr_array_header_t *a, const apr_array_header_t *b, const char *sa,
                         const char *sb)
{
    list_t la = model_split(sa, 0), lb = model_split(sb, 0);
    int i, want = 1;

    for (i = 0; i < la.n; i++) {
        want &= in_list(&lb, la.item[i]);
    }
    check(mto_list_subset(a, b) == want, "subset: not every item of one in the other");
    check(mto_list_subset(a, a) && mto_list_subset(b, mto_list_split(pool, cat(sa, ",", sb))),
          "subset: a list is not within itself, or within a longer one");
}

/* A client's redirect URIs, registered comma-separated: each matches
 * exactly, nothing that differs by a character or by case does. */
static void check_redirect_uris(const apr_array_header_t *uris)
{
    apr_array_header_t *l = mto_list_split(pool, apr_array_pstrcat(pool, uris, ','));
    list_t want = { (const char **)uris->elts, uris->nelts };
    int i;

    check(same_list(l, &want), "redirect URIs: comma-joined and split, not the same list");
    for (i = 0; i < want.n; i++) {
        const char *u = want.item[i], *shorter = memdup(u, strlen(u) - 1);

        check(mto_list_contains(l, u), "redirect URIs: a registered URI does not match");
        check(mto_list_contains(l, cat(u, "/")) == in_list(&want, cat(u, "/")),
              "redirect URIs: a longer URI matches");
        check(mto_list_contains(l, shorter) == in_list(&want, shorter),
              "redirect URIs: a prefix matches");
    }
}

/* The parameters from "name\nvalue…"; names non-empty and values UTF-8, as
 * a redirect carries them. */
static apr_table_t *params_of(const char **part, size_t n)
{
    apr_table_t *t = apr_table_make(pool, 4);
    size_t i;

    for (i = 0; i + 1 < n; i += 2) {
        const char *name = part[i], *val = part[i + 1];

        if (*name && mto_fuzz_utf8(name, strlen(name)) && mto_fuzz_utf8(val, strlen(val))) {
            apr_table_add(t, name, val);
        }
    }
    return t;
}

static int same_table(const apr_table_t *a, const apr_table_t *b)
{
    const apr_array_header_t *x = apr_table_elts(a), *y = apr_table_elts(b);
    const apr_table_entry_t *e = (const apr_table_entry_t *)x->elts,
                            *f = (const apr_table_entry_t *)y->elts;
    int i;

    if (x->nelts != y->nelts) {
        return 0;
    }
    for (i = 0; i < x->nelts; i++) {
        if (strcmp(e[i].key, f[i].key) != 0 || strcmp(e[i].val, f[i].val) != 0) {
            return 0;
        }
    }
    return 1;
}

/* url is base[?query][#fragment]: the result is base?query&added#fragment,
 * the '&' (or the '?') only where needed. */
static void check_url(const char *url, const apr_table_t *params)
{
    const char *out = mto_url_add_params(pool, url, params), *hash = strchr(url, '#'), *added;
    size_t blen = hash ? (size_t)(hash - url) : strlen(url), olen = strlen(out);
    size_t flen = hash ? strlen(hash) : 0, alen;
    const char *q = memchr(url, '?', blen);
    apr_table_t *got = NULL;
    const char *err;

    check(strncmp(out, url, blen) == 0 && olen >= blen + flen
              && strcmp(out + olen - flen, hash ? hash : "") == 0,
          "url: the URL before its fragment, or the fragment, is not kept");
    if (apr_is_empty_table(params)) {
        check(strcmp(out, url) == 0, "url: no parameters, yet the URL changed");
        return;
    }
    added = out + blen;
    if (!q) {
        check(*added++ == '?', "url: no '?' before the parameters of a URL without a query");
    }
    else if (url[blen - 1] != '?' && url[blen - 1] != '&') {
        check(*added++ == '&', "url: no '&' between the query and the parameters");
    }
    alen = olen - flen - (size_t)(added - out);
    check(!memchr(added, '#', alen) && !memchr(added, '?', alen),
          "url: a '#' or '?' among the parameters");
    check(alen > 0 && added[0] != '&' && added[alen - 1] != '&'
              && !strstr(memdup(added, alen), "&&"),
          "url: an empty pair among the parameters");
    check(mto_form_parse(pool, added, alen, MAX_PARAMS, &got, &err) == 0 && same_table(got, params),
          "url: the parameters do not parse back to those given");
}

void mto_fuzz_one(const uint8_t *data, size_t size)
{
    const char *part[3 + 2 * MAX_PARAMS], *a_s, *b_s;
    size_t n = mto_fuzz_parts(data, size, part, 3 + 2 * MAX_PARAMS);
    apr_array_header_t *a, *b;

    a_s = part[0];
    b_s = part[1] ? part[1] : "";
    a = check_split(a_s);
    b = check_split(b_s);
    check_subset(a, b, a_s, b_s);
    check_subset(b, a, b_s, a_s);
    check_scope(a_s);
    check_scope(b_s);
    check_scope(mto_list_join(pool, a));
    check_redirect_uris(a);
    check_url(part[2] ? part[2] : a_s, params_of(part + 3, n > 3 ? n - 3 : 0));
    check_url(cat("https://c.example/cb?", b_s, "#", a_s), params_of(part, n));
    check(mto_list_split(pool, NULL)->nelts == 0 && !mto_scope_syntax_ok(NULL)
              && !mto_list_contains(NULL, a_s) && mto_list_subset(NULL, a),
          "lists: NULL is the empty list");
}
