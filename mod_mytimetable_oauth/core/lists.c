/*
 * lists.c - lists of names: the comma lists of the database and the
 * space-separated scope of RFC 6749 §3.3.  A list may be a hostile scope:
 * duplicate removal stays linear.
 */
#include <string.h>

#include <apr_hash.h>

#include "core/core.h"

static int mto_is_list_sep(char c)
{
    return c == ',' || c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
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

        while (*s && is_sep(*s)) {
            s++;
        }
        start = s;
        while (*s && !is_sep(*s)) {
            s++;
        }
        n = (apr_size_t)(s - start);
        if (n == 0 || apr_hash_get(seen, start, (apr_ssize_t)n)) {
            continue;
        }
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

    if (!list || !item) {
        return 0;
    }
    for (i = 0; i < list->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(list, i, const char *), item) == 0) {
            return 1;
        }
    }
    return 0;
}

int mto_list_subset(const apr_array_header_t *sub, const apr_array_header_t *super)
{
    int i;

    if (!sub) {
        return 1;
    }
    for (i = 0; i < sub->nelts; i++) {
        if (!mto_list_contains(super, APR_ARRAY_IDX(sub, i, const char *))) {
            return 0;
        }
    }
    return 1;
}

const char *mto_list_join(apr_pool_t *p, const apr_array_header_t *list)
{
    if (!list || list->nelts == 0) {
        return "";
    }
    return apr_array_pstrcat(p, list, ' ');
}
