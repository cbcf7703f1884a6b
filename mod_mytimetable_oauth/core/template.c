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

#include "core/core.h"

/* Length of a well-formed placeholder "{{ name }}" at s (which starts with
 * "{{"), 0 if it is not one; *name and *nlen say where the name is. */
static apr_size_t mto_placeholder(const char *s, const char **name, apr_size_t *nlen)
{
    const char *q = s + 2;

    while (*q == ' ')
        q++;
    *name = q;
    while ((*q >= 'a' && *q <= 'z') || *q == '_')
        q++;
    *nlen = (apr_size_t)(q - *name);
    while (*q == ' ')
        q++;
    if (*nlen == 0 || q[0] != '}' || q[1] != '}')
        return 0;
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

    if (!tpl)
        return "";
    while ((s = strstr(s, "{{")) != NULL) {
        const char *name, *val;
        apr_size_t nlen, plen = mto_placeholder(s, &name, &nlen);

        if (plen == 0) {
            s++;                /* "{{{x}}": the placeholder may start one later */
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

/* The entity for a character that needs one, else NULL. */
static const char *mto_html_entity(char c)
{
    switch (c) {
    case '&':  return "&amp;";
    case '<':  return "&lt;";
    case '>':  return "&gt;";
    case '"':  return "&quot;";
    case '\'': return "&#39;";
    default:   return NULL;
    }
}

const char *mto_html_escape(apr_pool_t *p, const char *s)
{
    apr_size_t n = 0, o = 0;
    const char *q, *ent;
    char *out;

    if (!s)
        return "";
    for (q = s; *q; q++) {
        ent = mto_html_entity(*q);
        n += ent ? strlen(ent) : 1;
    }
    out = apr_palloc(p, n + 1);
    for (q = s; *q; q++) {
        ent = mto_html_entity(*q);
        if (ent) {
            memcpy(out + o, ent, strlen(ent));
            o += strlen(ent);
        } else {
            out[o++] = *q;
        }
    }
    out[o] = '\0';
    return out;
}
