/*
 * lists.h - lists of names: the database's comma lists and the space
 * separated scope of RFC 6749 §3.3 (lists.c).
 */
#ifndef MTO_CORE_LISTS_H
#define MTO_CORE_LISTS_H

#include <apr_pools.h>
#include <apr_tables.h>

/* Splits a list on commas and/or white space, trims, drops empty items and
 * duplicates.  NULL or "" gives an empty array. */
apr_array_header_t *mto_list_split(apr_pool_t *p, const char *s);

/* Item is in list (exact, case-sensitive). */
int mto_list_contains(const apr_array_header_t *list, const char *item);

/* Every item of sub is in super. */
int mto_list_subset(const apr_array_header_t *sub, const apr_array_header_t *super);

/* Items joined with one space. */
const char *mto_list_join(apr_pool_t *p, const apr_array_header_t *list);

/* The scope tokens of a requested scope, split on SP only (a comma is part
 * of a token), duplicates dropped.  Not for the database's comma lists. */
apr_array_header_t *mto_scope_split(apr_pool_t *p, const char *scope);

#endif /* MTO_CORE_LISTS_H */
