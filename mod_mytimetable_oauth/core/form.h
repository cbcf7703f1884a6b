/*
 * form.h - application/x-www-form-urlencoded input and strict UTF-8
 * (form.c).  Every input may come straight from a hostile client.
 */
#ifndef MTO_CORE_FORM_H
#define MTO_CORE_FORM_H

#include <apr_pools.h>
#include <apr_tables.h>

/* application/x-www-form-urlencoded (a request body or a query string).
 * Keeps repeated names (so duplicates are visible) in order.  Fails
 * (returns non-zero, *err says why) on a bad %-escape, an encoded NUL, a name
 * or value that is not valid UTF-8, or more than max_params pairs. */
int mto_form_parse(apr_pool_t *p, const char *data, apr_size_t len, int max_params,
                   apr_table_t **out, const char **err);

/* Decodes one form-urlencoded component ('+' is a space).  NULL on a bad
 * escape, an encoded NUL or invalid UTF-8. */
char *mto_form_unescape(apr_pool_t *p, const char *in, apr_size_t len);

/* Looks a parameter up: 0 absent, 1 present once (*val set), -1 given twice. */
int mto_param(const apr_table_t *params, const char *name, const char **val);

/* Strict UTF-8 (no overlongs, no surrogates, no NUL). */
int mto_utf8_ok(const char *s, apr_size_t len);

#endif /* MTO_CORE_FORM_H */
