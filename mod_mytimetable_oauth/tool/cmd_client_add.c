/*
 * cmd_client_add.c - client add: checks a new client's settings as
 * MyTimetable and RFC 6749 want them, and writes its oauth_client_details
 * row in Spring Security OAuth's format (README "Using an existing
 * MyTimetable database").
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "core/scopes.h"
#include "tool.h"

enum {
    OPT_REDIRECT_URI = TOOL_OPT_CLIENT,
    OPT_SCOPE,
    OPT_GRANT_TYPES,
    OPT_AUTOAPPROVE,
    OPT_ACCESS_VALIDITY,
    OPT_REFRESH_VALIDITY,
    OPT_RESOURCE_SERVER
};

/* Column sizes of oauth_client_details (the schema files). */
#define TOOL_LIST_MAX     256
#define TOOL_REDIRECT_MAX 2048
#define TOOL_VALIDITY_MAX 2147483647 /* INTEGER */

/* What the command line says of the new client. */
typedef struct {
    apr_pool_t *p;
    tool_client_row_t row;
    tool_secret_opts_t sec;
    apr_array_header_t *uris;
    apr_array_header_t *scopes;
    apr_array_header_t *grants;
    const char *autoapprove;
    int scope_given;
    int resource_server;      /* --resource-server */
    const char *token_option; /* an option about codes and tokens, for the message */
    tool_client_info_t info; /* additional_information (cmd_client_info.c) */
} tool_new_client_t;

/* ---------------------------------------------------------------- options */

/* Adds the items of a comma/space separated value, once each. */
static void tool_list_add(apr_pool_t *p, apr_array_header_t *list, const char *value)
{
    apr_array_header_t *items = mto_list_split(p, value);
    int i;

    for (i = 0; i < items->nelts; i++) {
        const char *item = APR_ARRAY_IDX(items, i, const char *);

        if (!mto_list_contains(list, item)) {
            APR_ARRAY_PUSH(list, const char *) = item;
        }
    }
}

/* Spring's format: comma separated. */
static const char *tool_list_store(apr_pool_t *p, const apr_array_header_t *list)
{
    return apr_array_pstrcat(p, list, ',');
}

static int tool_parse_validity(const char *cmd, const char *opt, const char *arg, apr_pool_t *p,
                               const char **out)
{
    apr_int64_t v;

    if (!strcasecmp(arg, "default")) {
        *out = NULL;
        return TOOL_OK;
    }
    if (!tool_parse_int(arg, 0, TOOL_VALIDITY_MAX, &v)) {
        return tool_usage_error(cmd,
                                "%s wants seconds (0 = never expires) or "
                                "'default', not '%s'",
                                opt, arg);
    }
    *out = apr_psprintf(p, "%" APR_INT64_T_FMT, v);
    return TOOL_OK;
}

/* tool_opt_fn; baton: tool_new_client_t. */
static int tool_client_add_option(tool_opts_t *o, int ch, const char *arg, void *baton)
{
    tool_new_client_t *c = baton;
    int rc;

    static const char *const token_options[] = { "--redirect-uri",    "--scope",
                                                 "--grant-types",     "--autoapprove",
                                                 "--access-validity", "--refresh-validity" };

    if (tool_client_info_option(o, ch, arg, &c->info, &rc)) {
        return rc;
    }
    if (ch >= OPT_REDIRECT_URI && ch <= OPT_REFRESH_VALIDITY) {
        c->token_option = token_options[ch - OPT_REDIRECT_URI];
    }
    switch (ch) {
    case OPT_RESOURCE_SERVER:
        c->resource_server = 1;
        return TOOL_OK;
    case OPT_REDIRECT_URI:
        tool_list_add(c->p, c->uris, arg);
        return TOOL_OK;
    case OPT_SCOPE:
        tool_list_add(c->p, c->scopes, arg);
        c->scope_given = 1;
        return TOOL_OK;
    case OPT_GRANT_TYPES:
        tool_list_add(c->p, c->grants, arg);
        return TOOL_OK;
    case OPT_AUTOAPPROVE:
        c->autoapprove = arg;
        return TOOL_OK;
    case OPT_ACCESS_VALIDITY:
        return tool_parse_validity(o->cmd, "--access-validity", arg, c->p,
                                   &c->row.access_token_validity);
    case OPT_REFRESH_VALIDITY:
        return tool_parse_validity(o->cmd, "--refresh-validity", arg, c->p,
                                   &c->row.refresh_token_validity);
    }
    return tool_secret_option(o, ch, arg, &c->sec);
}

/* ----------------------------------------------------------------- checks */

/* RFC 6749 §3.1.2: an absolute URI without a fragment.  A scheme of one's
 * own (com.example.app:/cb) is fine for a native client. */
static const char *tool_redirect_uri_problem(const char *uri)
{
    const char *c = uri;

    if (!apr_isalpha(*c)) {
        return "it does not start with a scheme (https://…)";
    }
    while (apr_isalnum(*c) || *c == '+' || *c == '-' || *c == '.') {
        c++;
    }
    if (*c != ':' || c[1] == '\0') {
        return "it is not an absolute URI (https://…)";
    }
    if (strchr(uri, '#')) {
        return "a redirect URI must not have a fragment (#…)";
    }
    for (c = uri; *c; c++) {
        if ((unsigned char)*c < 0x21 || *c == 0x7f || *c == '"' || *c == '<' || *c == '>') {
            return "it contains a character a URI may not hold unencoded";
        }
    }
    return NULL;
}

static int tool_client_add_uris(const char *cmd, tool_new_client_t *c)
{
    int i;

    if (c->uris->nelts == 0) {
        return tool_usage_error(cmd, "--redirect-uri is required");
    }
    for (i = 0; i < c->uris->nelts; i++) {
        const char *uri = APR_ARRAY_IDX(c->uris, i, const char *), *why;

        if ((why = tool_redirect_uri_problem(uri))) {
            return tool_usage_error(cmd, "bad redirect URI '%s': %s", uri, why);
        }
    }
    c->row.web_server_redirect_uri = tool_list_store(c->p, c->uris);
    if (strlen(c->row.web_server_redirect_uri) > TOOL_REDIRECT_MAX) {
        return tool_usage_error(cmd,
                                "the redirect URIs take more than the %d characters "
                                "web_server_redirect_uri holds",
                                TOOL_REDIRECT_MAX);
    }
    return TOOL_OK;
}

static int tool_builtin_scope(const char *s)
{
    int i;

    for (i = 0; i < MTO_BUILTIN_SCOPE_COUNT; i++) {
        if (!strcmp(s, mto_builtin_scopes[i].name)) {
            return 1;
        }
    }
    return 0;
}

/* No --scope: the built-in ones (README "Directive reference"). */
static int tool_client_add_scopes(const char *cmd, tool_new_client_t *c)
{
    int i;

    if (c->scope_given && c->scopes->nelts == 0) {
        return tool_usage_error(cmd, "--scope names no scope");
    }
    if (!c->scope_given) {
        for (i = 0; i < MTO_BUILTIN_SCOPE_COUNT; i++) {
            APR_ARRAY_PUSH(c->scopes, const char *) = mto_builtin_scopes[i].name;
        }
    }
    for (i = 0; i < c->scopes->nelts; i++) {
        const char *s = APR_ARRAY_IDX(c->scopes, i, const char *);

        if (!mto_scope_syntax_ok(s)) {
            return tool_usage_error(cmd,
                                    "bad scope '%s' (RFC 6749 §3.3: printable "
                                    "ASCII without space, '\"' or '\\')",
                                    s);
        }
        if (!tool_builtin_scope(s)) {
            tool_note("note: '%s' is no built-in scope: declare it with "
                      "MyTimetableOAuthScope",
                      s);
        }
    }
    c->row.scope = tool_list_store(c->p, c->scopes);
    if (strlen(c->row.scope) > TOOL_LIST_MAX) {
        return tool_usage_error(cmd,
                                "the scopes take more than the %d characters the "
                                "scope column holds",
                                TOOL_LIST_MAX);
    }
    return TOOL_OK;
}

/* Grant types: what the module implements. */
static int tool_client_add_grants(const char *cmd, tool_new_client_t *c)
{
    int i;

    if (c->grants->nelts == 0) {
        APR_ARRAY_PUSH(c->grants, const char *) = "authorization_code";
    }
    for (i = 0; i < c->grants->nelts; i++) {
        const char *g = APR_ARRAY_IDX(c->grants, i, const char *);

        if (strcmp(g, "authorization_code") && strcmp(g, "refresh_token")) {
            return tool_usage_error(cmd,
                                    "unsupported grant type '%s' (authorization_code "
                                    "and refresh_token are)",
                                    g);
        }
    }
    if (!mto_list_contains(c->grants, "authorization_code")) {
        tool_note("note: without authorization_code the client gets unauthorized_client "
                  "from the authorize endpoint (and so never a token)");
    }
    c->row.authorized_grant_types = tool_list_store(c->p, c->grants);
    return TOOL_OK;
}

/* Autoapprove: "true", "false" (Spring's word for none), or scopes. */
static int tool_client_add_autoapprove(const char *cmd, tool_new_client_t *c)
{
    apr_array_header_t *list;
    int i;

    if (!c->autoapprove) {
        return TOOL_OK;
    }
    if (!strcasecmp(c->autoapprove, "true") || !strcasecmp(c->autoapprove, "false")) {
        c->row.autoapprove = !strcasecmp(c->autoapprove, "true") ? "true" : "false";
        return TOOL_OK;
    }
    list = mto_list_split(c->p, c->autoapprove);
    if (list->nelts == 0) {
        return tool_usage_error(cmd, "--autoapprove names no scope");
    }
    for (i = 0; i < list->nelts; i++) {
        const char *s = APR_ARRAY_IDX(list, i, const char *);

        if (!mto_list_contains(c->scopes, s)) {
            return tool_usage_error(cmd,
                                    "--autoapprove: '%s' is not one of the "
                                    "client's scopes (%s)",
                                    s, c->row.scope);
        }
    }
    c->row.autoapprove = tool_list_store(c->p, list);
    return TOOL_OK;
}

/* RFC 7662 §4: a resource server only introspects, so it has no redirect
 * URI, grant type, scope or token lifetime; Spring's authorities column
 * says what it is. */
static int tool_client_add_resource_server(const char *cmd, tool_new_client_t *c)
{
    if (c->token_option) {
        return tool_usage_error(cmd,
                                "%s does not go with --resource-server (a resource server "
                                "gets no codes or tokens)",
                                c->token_option);
    }
    c->row.authorities = "ROLE_RESOURCE_SERVER";
    return TOOL_OK;
}

/* ------------------------------------------------------------------ store */

static int tool_client_add_store(tool_ctx_t *ctx, tool_new_client_t *c)
{
    tool_client_row_t *existing;
    const char *id = c->row.client_id, *shown;
    int rc;

    if ((rc = tool_db_open(ctx, 0)) != TOOL_OK
        || (rc = tool_db_client_get(ctx->db, id, &existing)) != TOOL_OK) {
        return rc;
    }
    if (existing) {
        return tool_fail("a client '%s' exists already (`client secret %s` sets a new "
                         "secret, `client remove %s` deletes it)",
                         id, id, id);
    }

    shown = NULL; /* a public client has no secret */
    if ((!c->info.public
         && (rc = tool_secret_make(c->p, &c->sec, &c->row.client_secret, &shown)) != TOOL_OK)
        || (rc = tool_db_client_insert(ctx->db, &c->row)) != TOOL_OK) {
        return rc;
    }
    if (shown) {
        if ((rc = tool_print_secret(shown, "client secret")) != TOOL_OK) {
            return rc;
        }
        tool_note("client '%s' added; its secret (above) is shown this once only", id);
    }
    else {
        tool_note("client '%s' added", id);
    }
    return TOOL_OK;
}

int tool_client_add(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    static const apr_getopt_option_t opts[] = {
        TOOL_COMMON_OPTIONS,
        TOOL_SECRET_OPTIONS,
        { "redirect-uri", OPT_REDIRECT_URI, 1, "redirect URIs" },
        { "scope", OPT_SCOPE, 1, "allowed scopes" },
        { "grant-types", OPT_GRANT_TYPES, 1, "grant types" },
        { "autoapprove", OPT_AUTOAPPROVE, 1, "true or scopes" },
        { "access-validity", OPT_ACCESS_VALIDITY, 1, "seconds or default" },
        { "refresh-validity", OPT_REFRESH_VALIDITY, 1, "seconds or default" },
        { "resource-server", OPT_RESOURCE_SERVER, 0, "may only introspect" },
        TOOL_INFO_OPTIONS,
        { NULL, 0, 0, NULL }
    };
    static const tool_secret_opts_t sec = TOOL_SECRET_OPTS_INIT;
    tool_new_client_t c;
    tool_opts_t o;
    int rc;

    memset(&c, 0, sizeof(c));
    c.p = ctx->pool;
    c.sec = sec;
    c.uris = apr_array_make(c.p, 2, sizeof(const char *));
    c.scopes = apr_array_make(c.p, 6, sizeof(const char *));
    c.grants = apr_array_make(c.p, 2, sizeof(const char *));
    tool_client_info_init(c.p, &c.info);

    tool_opts_init(ctx, &o, "client add", tool_usage_client, argc, argv);
    if (tool_opts_parse(ctx, &o, opts, tool_client_add_option, &c) < 0) {
        return o.status;
    }
    if ((rc = tool_client_id_arg(&o, &c.row.client_id)) != TOOL_OK
        || (rc = tool_secret_check(o.cmd, &c.sec)) != TOOL_OK) {
        return rc;
    }
    if (c.resource_server) {
        rc = tool_client_add_resource_server(o.cmd, &c);
        return rc != TOOL_OK ? rc : tool_client_add_store(ctx, &c);
    }
    if ((rc = tool_client_add_uris(o.cmd, &c)) != TOOL_OK
        || (rc = tool_client_add_scopes(o.cmd, &c)) != TOOL_OK
        || (rc = tool_client_add_grants(o.cmd, &c)) != TOOL_OK
        || (rc = tool_client_add_autoapprove(o.cmd, &c)) != TOOL_OK
        || (rc = tool_client_info_json(c.p, o.cmd, &c.info, NULL, &c.row.additional_information))
               != TOOL_OK) {
        return rc;
    }
    if (c.info.public && (c.sec.from_stdin || c.sec.bcrypt == 1 || c.sec.cost_given)) {
        return tool_usage_error(o.cmd, "a --public client has no secret: leave out "
                                       "--secret-stdin, --hash and --bcrypt-cost");
    }
    return tool_client_add_store(ctx, &c);
}
