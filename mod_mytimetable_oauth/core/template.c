/*
 * template.c - the consent page template of mod_mytimetable_oauth:
 * {{name}} substitution and HTML escaping.
 *
 * The template comes from the admin (MyTimetableOAuthConsentTemplate), the
 * values partly from the client (client id, scope names): values are escaped
 * by the caller with mto_html_escape and are never expanded again, so a
 * client cannot smuggle a placeholder (or markup) into the page.
 */
#include <string.h>

#include <apr_escape.h>

#include "core/core.h"

/* Length of a well-formed placeholder "{{ name }}" at s (which starts with
 * "{{"), 0 if it is not one; *name and *nlen say where the name is. */
static apr_size_t mto_placeholder(const char *s, const char **name, apr_size_t *nlen)
{
    const char *q = s + 2;

    while (*q == ' ') {
        q++;
    }
    *name = q;
    while ((*q >= 'a' && *q <= 'z') || *q == '_') {
        q++;
    }
    *nlen = (apr_size_t)(q - *name);
    while (*q == ' ') {
        q++;
    }
    if (*nlen == 0 || q[0] != '}' || q[1] != '}') {
        return 0;
    }
    return (apr_size_t)(q + 2 - s);
}

static void mto_push(apr_array_header_t *parts, const char *s)
{
    APR_ARRAY_PUSH(parts, const char *) = s;
}

const char *mto_template_render(apr_pool_t *p, const char *tpl, const apr_table_t *vars)
{
    apr_array_header_t *parts = apr_array_make(p, 16, sizeof(const char *));
    const char *text = tpl, *s = tpl;

    if (!tpl) {
        return "";
    }
    while ((s = strstr(s, "{{")) != NULL) {
        const char *name, *val;
        apr_size_t nlen, plen = mto_placeholder(s, &name, &nlen);

        if (plen == 0) {
            s++; /* "{{{x}}": the placeholder may start one later */
            continue;
        }
        mto_push(parts, apr_pstrmemdup(p, text, (apr_size_t)(s - text)));
        val = vars ? apr_table_get(vars, apr_pstrmemdup(p, name, nlen)) : NULL;
        mto_push(parts, val ? val : "");
        s += plen;
        text = s;
    }
    mto_push(parts, text);
    return apr_array_pstrcat(p, parts, '\0');
}

/* APR's entities (apr_escape.h), but ' as &#39; rather than &apos;, which
 * HTML 4 does not know: the string is escaped piece by piece between the
 * single quotes. */
const char *mto_html_escape(apr_pool_t *p, const char *s)
{
    apr_array_header_t *parts;
    const char *q;

    if (!s) {
        return "";
    }
    parts = apr_array_make(p, 4, sizeof(const char *));
    while ((q = strchr(s, '\'')) != NULL) {
        mto_push(parts, apr_pescape_entity(p, apr_pstrmemdup(p, s, (apr_size_t)(q - s)), 0));
        mto_push(parts, "&#39;");
        s = q + 1;
    }
    mto_push(parts, apr_pescape_entity(p, s, 0));
    return apr_array_pstrcat(p, parts, '\0');
}
