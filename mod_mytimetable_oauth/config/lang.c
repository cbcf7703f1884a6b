/*
 * lang.c - the directives with a language (README, "Directive reference"
 * and "Languages"): MyTimetableOAuthScope NAME "text" [LANG] and
 * MyTimetableOAuthConsentTemplate FILE [LANG], and what a page in one
 * language reads of them.
 */
#include "log.h"
#include "config/config.h"

#include <apr_file_io.h>
#include <apr_lib.h>
#include <http_core.h>

#define MTO_MAX_TEMPLATE_SIZE (256 * 1024)
#define MTO_MAX_LANG_LEN      35 /* RFC 5646 §4.4.1: a tag of 35 characters is enough */

static const char *const mto_builtin_langs[] = { "en", "nl" };

/* A language tag's syntax (RFC 5646 §2.1, loosely: letters first, then
 * letters, digits and hyphens), lowercased; NULL when it is not one. */
static const char *mto_lang_arg(apr_pool_t *p, const char *lang)
{
    char *l;
    apr_size_t i;

    if (!lang || !apr_isalpha(*lang) || strlen(lang) > MTO_MAX_LANG_LEN
        || lang[strlen(lang) - 1] == '-') {
        return NULL;
    }
    l = apr_pstrdup(p, lang);
    for (i = 0; l[i]; i++) {
        if (!apr_isalnum(l[i]) && l[i] != '-') {
            return NULL;
        }
        l[i] = (char)apr_tolower(l[i]);
    }
    return l;
}

static void mto_add_lang(apr_array_header_t *langs, const char *lang)
{
    int i;

    for (i = 0; i < langs->nelts; i++) {
        if (!strcmp(APR_ARRAY_IDX(langs, i, const char *), lang)) {
            return;
        }
    }
    APR_ARRAY_PUSH(langs, const char *) = lang;
}

const char *const *mto_conf_langs(apr_pool_t *p, const mto_server_conf_t *c, int *n)
{
    apr_array_header_t *langs = apr_array_make(p, 4, sizeof(const char *));
    const apr_array_header_t *arr;
    apr_size_t i;
    int k;

    for (i = 0; i < sizeof(mto_builtin_langs) / sizeof(mto_builtin_langs[0]); i++) {
        APR_ARRAY_PUSH(langs, const char *) = mto_builtin_langs[i];
    }
    if (c->scope_texts) {
        arr = apr_table_elts(c->scope_texts);
        for (k = 0; k < arr->nelts; k++) {
            const char *key = APR_ARRAY_IDX(arr, k, apr_table_entry_t).key;
            mto_add_lang(langs, apr_pstrmemdup(p, key, strcspn(key, " ")));
        }
    }
    if (c->consent_templates) {
        arr = apr_table_elts(c->consent_templates);
        for (k = 0; k < arr->nelts; k++) {
            mto_add_lang(langs, APR_ARRAY_IDX(arr, k, apr_table_entry_t).key);
        }
    }
    *n = langs->nelts;
    return (const char *const *)langs->elts;
}

const char *mto_conf_scope_description(const mto_server_conf_t *c, const char *scope,
                                       const char *lang)
{
    const apr_array_header_t *scopes = mto_conf_scopes(c);
    const char *dflt = NULL, *t;
    int i;

    for (i = 0; i < scopes->nelts && !dflt; i++) {
        const mto_scope_def_t *d = &APR_ARRAY_IDX(scopes, i, mto_scope_def_t);
        if (!strcmp(d->name, scope)) {
            dflt = d->description;
        }
    }
    if (!dflt || !lang) {
        return dflt;
    }
    if (c->scope_texts) {
        char key[MTO_MAX_LANG_LEN + 1 + 256];
        apr_snprintf(key, sizeof(key), "%s %s", lang, scope);
        if ((t = apr_table_get(c->scope_texts, key))) {
            return t;
        }
    }
    if (!strcmp(mto_texts(lang)->lang, "nl") && (t = mto_builtin_scope_text_nl(scope))) {
        return t;
    }
    return dflt;
}

const char *mto_conf_consent_template(const mto_server_conf_t *c, const char *lang)
{
    const char *t = c->consent_templates && lang ? apr_table_get(c->consent_templates, lang) : NULL;

    return t ? t : c->consent_template;
}

/* ------------------------------------------------------------ directive handlers */

/* With LANG only the text of that language: the scope itself is one of
 * the built-in six or has a line without LANG. */
const char *mto_add_scope(cmd_parms *cmd, void *dc, const char *name, const char *desc,
                          const char *lang)
{
    mto_server_conf_t *c = mto_server_conf(cmd->server);
    const char *err = mto_server_only(cmd);
    mto_scope_def_t *d;
    int i;

    if (err) {
        return err;
    }
    if (!mto_scope_syntax_ok(name) || strchr(name, ' ') || strlen(name) > 200) {
        return apr_psprintf(cmd->pool,
                            "MyTimetableOAuthScope: '%s' is not a valid scope "
                            "name (RFC 6749 section 3.3)",
                            name);
    }
    if (lang) {
        const char *l = mto_lang_arg(cmd->pool, lang);
        if (!l) {
            return apr_psprintf(cmd->pool,
                                "MyTimetableOAuthScope: '%s' is not a language tag "
                                "(RFC 5646, e.g. nl or de-AT)",
                                lang);
        }
        if (!c->scope_texts) {
            c->scope_texts = apr_table_make(cmd->pool, 8);
        }
        apr_table_setn(c->scope_texts, apr_pstrcat(cmd->pool, l, " ", name, NULL), desc);
        return NULL;
    }
    if (!c->scopes) {
        c->scopes = apr_array_make(cmd->pool, 8, sizeof(mto_scope_def_t));
    }
    for (i = 0; i < c->scopes->nelts; i++) {
        d = &APR_ARRAY_IDX(c->scopes, i, mto_scope_def_t);
        if (!strcmp(d->name, name)) {
            d->description = desc;
            return NULL;
        }
    }
    d = apr_array_push(c->scopes);
    d->name = name;
    d->description = desc;
    return NULL;
}

/* The file's contents, or an error message. */
static const char *mto_read_template(cmd_parms *cmd, const char *path, char **out)
{
    apr_file_t *f;
    apr_finfo_t fi;
    char *buf = NULL;
    apr_size_t n;
    apr_status_t rv;

    rv = apr_file_open(&f, path, APR_FOPEN_READ, APR_OS_DEFAULT, cmd->temp_pool);
    if (rv == APR_SUCCESS) {
        rv = apr_file_info_get(&fi, APR_FINFO_SIZE, f);
    }
    if (rv != APR_SUCCESS) {
        return apr_psprintf(cmd->pool, "MyTimetableOAuthConsentTemplate: cannot read '%s': %pm",
                            path, &rv);
    }
    if (fi.size > MTO_MAX_TEMPLATE_SIZE) {
        return apr_psprintf(cmd->pool,
                            "MyTimetableOAuthConsentTemplate: '%s' is larger than "
                            "%d bytes",
                            path, MTO_MAX_TEMPLATE_SIZE);
    }
    n = (apr_size_t)fi.size;
    buf = apr_palloc(cmd->pool, n + 1);
    rv = apr_file_read_full(f, buf, n, &n);
    apr_file_close(f);
    if (rv != APR_SUCCESS && rv != APR_EOF) {
        return apr_psprintf(cmd->pool, "MyTimetableOAuthConsentTemplate: cannot read '%s': %pm",
                            path, &rv);
    }
    buf[n] = '\0';
    *out = buf;
    return NULL;
}

const char *mto_set_consent_template(cmd_parms *cmd, void *dc, const char *arg, const char *lang)
{
    mto_server_conf_t *c = mto_server_conf(cmd->server);
    const char *err = mto_server_only(cmd);
    const char *path = ap_server_root_relative(cmd->pool, arg);
    const char *l = lang ? mto_lang_arg(cmd->pool, lang) : NULL;
    char *buf = NULL;

    if (err) {
        return err;
    }
    if (!path) {
        return apr_psprintf(cmd->pool, "MyTimetableOAuthConsentTemplate: bad path '%s'", arg);
    }
    if (lang && !l) {
        return apr_psprintf(cmd->pool,
                            "MyTimetableOAuthConsentTemplate: '%s' is not a language tag "
                            "(RFC 5646, e.g. nl or de-AT)",
                            lang);
    }
    if ((err = mto_read_template(cmd, path, &buf))) {
        return err;
    }
    /* Without the CSRF token the form can never be accepted. */
    if (!strstr(buf, "{{csrf_token}}")) {
        return apr_psprintf(cmd->pool,
                            "MyTimetableOAuthConsentTemplate: '%s' has no "
                            "{{csrf_token}} placeholder (see docs/endpoints.md, \"The consent template\")",
                            path);
    }
    if (!l) {
        c->consent_template = buf;
        return NULL;
    }
    if (!c->consent_templates) {
        c->consent_templates = apr_table_make(cmd->pool, 4);
    }
    apr_table_setn(c->consent_templates, l, buf);
    return NULL;
}
