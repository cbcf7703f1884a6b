/*
 * template.h - the consent page template (template.c).
 */
#ifndef MTO_CORE_TEMPLATE_H
#define MTO_CORE_TEMPLATE_H

#include <apr_pools.h>
#include <apr_tables.h>

/* Replaces {{name}} in tpl by vars[name] (already escaped by the caller);
 * an unknown name becomes "". */
const char *mto_template_render(apr_pool_t *p, const char *tpl, const apr_table_t *vars);

/* HTML-escapes &<>"' for text and attribute values. */
const char *mto_html_escape(apr_pool_t *p, const char *s);

#endif /* MTO_CORE_TEMPLATE_H */
