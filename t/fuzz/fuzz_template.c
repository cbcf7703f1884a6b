/*
 * fuzz_template.c - libFuzzer target for the consent template renderer
 * (template.c): mto_template_render and mto_html_escape.
 *
 * The input is "template\nclient_id\nuser\nscope_items\nscope\naction\n
 * csrf_token": a template and the values consent.c fills in, escaped as it
 * escapes them.  The page must be the model's (each "{{" *SP name *SP "}}",
 * name [a-z_]+, replaced by its value or by "", left to right, values never
 * read again); with every name in the template defined, no placeholder may
 * be left in the page; and an escaped value must hold no markup character
 * and unescape to the value.
 */
#include "fuzz.h"

#define pool mto_fuzz_pool /* cleared after each input */

#define MARK "\x1f" /* a value no placeholder can run through */

static const char *const names[] = { "client_id", "user",   "scope_items",
                                     "scope",     "action", "csrf_token" };
#define NNAMES (sizeof(names) / sizeof(names[0]))

static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || c == '_';
}

/* A placeholder at s: its length, its name in *name; 0 if there is none. */
static size_t placeholder(const char *s, const char **name)
{
    size_t i = 2, start, end;

    if (strncmp(s, "{{", 2) != 0) {
        return 0;
    }
    i += strspn(s + i, " ");
    for (start = i; name_char(s[i]); i++) {
        ;
    }
    end = i;
    i += strspn(s + i, " ");
    if (end == start || strncmp(s + i, "}}", 2) != 0) {
        return 0;
    }
    *name = memdup(s + start, end - start);
    return i + 2;
}

static const char *model_render(const char *tpl, const apr_table_t *vars)
{
    size_t i = 0, text = 0, len = strlen(tpl), k = 0, total = 0;
    struct {
        const char *s;
        size_t n;
    } *piece = mto_fuzz_palloc(NULL, (len + 1) * sizeof(*piece));
    char *out, *o;

    while (i < len) {
        const char *name, *val;
        size_t n = placeholder(tpl + i, &name);

        if (n == 0) {
            i++;
            continue;
        }
        val = vars ? apr_table_get(vars, name) : NULL;
        val = val ? val : "";
        piece[k].s = tpl + text;
        piece[k++].n = i - text;
        piece[k].s = val;
        piece[k++].n = strlen(val);
        text = i += n;
    }
    piece[k].s = tpl + text;
    piece[k++].n = len - text;
    for (i = 0; i < k; i++) {
        total += piece[i].n;
    }
    o = out = mto_fuzz_palloc(NULL, total + 1);
    for (i = 0; i < k; i++) {
        memcpy(o, piece[i].s, piece[i].n);
        o += piece[i].n;
    }
    *o = '\0';
    return out;
}

/* No raw <>"', every '&' one of our entities, and it reads back as s. */
static const char *check_escape(const char *s)
{
    static const char *const entity[][2] = {
        { "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" }, { "&quot;", "\"" }, { "&#39;", "'" }
    };
    const char *e = mto_html_escape(pool, s), *q;
    char *plain = mto_fuzz_palloc(NULL, strlen(e) + 1), *o = plain;

    check(!strpbrk(e, "<>\"'"), "escape: a raw markup character is left");
    for (q = e; *q;) {
        size_t k = 0;

        if (*q != '&') {
            *o++ = *q++;
            continue;
        }
        while (k < 5 && strncmp(q, entity[k][0], strlen(entity[k][0])) != 0) {
            k++;
        }
        check(k < 5, "escape: an '&' that starts no entity");
        *o++ = entity[k][1][0];
        q += strlen(entity[k][0]);
    }
    *o = '\0';
    check(strcmp(plain, s) == 0, "escape: does not unescape to the value");
    return e;
}

/* Every [a-z_]+ run of the template defined as MARK: no placeholder can
 * then render to "" and join the text around it into a new one. */
static apr_table_t *every_name(const char *tpl)
{
    apr_table_t *vars = apr_table_make(pool, 8);
    const char *s = tpl;

    while (*s) {
        size_t n = 0;

        while (name_char(s[n])) {
            n++;
        }
        if (n) {
            apr_table_set(vars, memdup(s, n), MARK);
        }
        s += n ? n : 1;
    }
    return vars;
}

static void check_nothing_left(const char *tpl)
{
    const char *out = mto_template_render(pool, tpl, every_name(tpl)), *s, *name;

    if (strstr(tpl, MARK)) {
        return;
    }
    for (s = out; (s = strstr(s, "{{")) != NULL; s++) {
        check(!placeholder(s, &name), "render: a placeholder is left in the page");
    }
    check(!placeholder(tpl, &name) || strncmp(out, MARK, 1) == 0,
          "render: a leading placeholder is not replaced");
}

void mto_fuzz_one(const uint8_t *data, size_t size)
{
    const char *part[1 + NNAMES], *tpl, *page;
    apr_table_t *vars = apr_table_make(pool, NNAMES);
    size_t i;

    mto_fuzz_parts(data, size, part, 1 + NNAMES);
    tpl = part[0];
    for (i = 0; i < NNAMES; i++) {
        const char *v = check_escape(part[1 + i] ? part[1 + i] : "");

        apr_table_setn(vars, names[i], v);
        /* Values are never expanded again, whatever they hold. */
        check(strcmp(mto_template_render(pool, cat("{{", names[i], "}}"), vars), v) == 0
                  && strcmp(mto_template_render(pool, cat("{{ ", names[i], "  }}"), vars), v) == 0,
              "render: a placeholder alone is not exactly its value");
    }
    page = mto_template_render(pool, tpl, vars);
    check(strcmp(page, model_render(tpl, vars)) == 0, "render: not the model's page");
    check(strcmp(mto_template_render(pool, tpl, NULL), model_render(tpl, NULL)) == 0,
          "render: without values, not the model's page");
    check(strstr(tpl, "{{") || strcmp(page, tpl) == 0, "render: a template without \"{{\" changed");
    check_nothing_left(tpl);
    check(*mto_template_render(pool, NULL, vars) == '\0' && *mto_html_escape(pool, NULL) == '\0',
          "render: NULL is not \"\"");
}
