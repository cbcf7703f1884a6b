/*
 * cmd_client.c - client add|list|show|remove|secret: the rows of
 * oauth_client_details, in Spring Security OAuth's format (README "Using an existing MyTimetable database").
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "tool.h"

static const char tool_usage_client[] =
    "Usage: " TOOL_NAME " client add ID --redirect-uri URI[,URI…] [options]\n"
    "       " TOOL_NAME " client list\n"
    "       " TOOL_NAME " client show ID\n"
    "       " TOOL_NAME " client remove ID\n"
    "       " TOOL_NAME " client secret ID [--secret-stdin] [--hash sha256|bcrypt]\n"
    "                                 [--bcrypt-cost N]\n"
    "\n"
    "add: registers an OAuth client (ID: letters, digits, '.', '_', '-').  Unless\n"
    "  --secret-stdin, a random secret is generated and printed once on standard\n"
    "  output; only its hash is stored.\n"
    "  --redirect-uri URI[,URI…]   where codes may be sent; exact match (required,\n"
    "                              may be repeated)\n"
    "  --scope a,b,…               allowed scopes (default: username, user_read,\n"
    "                              profile_read, profile_write, alltimetables,\n"
    "                              messages_read)\n"
    "  --grant-types authorization_code[,refresh_token]\n"
    "                              (default: authorization_code; refresh_token:\n"
    "                              refresh tokens come with the access tokens)\n"
    "  --autoapprove true|a,b,…    scopes granted without the consent page\n"
    "  --access-validity SECONDS|default\n"
    "                              access token lifetime; 0 = never expires;\n"
    "                              default = MyTimetableOAuthTokenLifetime\n"
    "  --refresh-validity SECONDS|default\n"
    "                              how long a grant's refresh tokens last, from\n"
    "                              the authorization; 0 = never; default = 30 days\n"
    "  --secret-stdin              read the secret (one line) from standard input\n"
    "  --hash sha256|bcrypt        how to store it (default sha256, fit for random\n"
    "                              secrets; bcrypt for ones people choose)\n"
    "  --bcrypt-cost N             4..31 (default 10)\n"
    "list: one line per client, tab separated: id, scopes, redirect URIs, grant types.\n"
    "show: every column of the client; of the secret only its format.\n"
    "remove: deletes the client with its codes, tokens and approvals.\n"
    "secret: sets a new secret (printed once unless --secret-stdin).  Tokens\n"
    "  issued already stay valid: `token revoke --client ID` ends them.\n"
    "\n" TOOL_USAGE_GLOBAL;

/* README "Directive reference": the six built-in scopes. */
static const char *const tool_builtin_scopes[] = {
    "username", "user_read", "profile_read", "profile_write", "alltimetables",
    "messages_read", NULL
};

enum {
    OPT_SECRET_STDIN = TOOL_OPT_CMD,
    OPT_HASH,
    OPT_BCRYPT_COST,
    OPT_REDIRECT_URI,
    OPT_SCOPE,
    OPT_GRANT_TYPES,
    OPT_AUTOAPPROVE,
    OPT_ACCESS_VALIDITY,
    OPT_REFRESH_VALIDITY
};

/* Column sizes of oauth_client_details (the schema files). */
#define TOOL_ID_MAX        256
#define TOOL_LIST_MAX      256
#define TOOL_REDIRECT_MAX  2048
#define TOOL_VALIDITY_MAX  2147483647   /* INTEGER */

/* How the new secret comes and is stored. */
typedef struct {
    int from_stdin;
    int bcrypt;                     /* -1: not said (SHA-256) */
    apr_int64_t cost;
    int cost_given;
} tool_secret_opts_t;

/* ---------------------------------------------------------------- checks */

/* MyTimetable asks for [A-Za-z0-9]; '.', '_' and '-' are as safe in every
 * place a client id appears (URLs, logs, the consent page). */
static int tool_client_id_ok(const char *id)
{
    const char *c;

    if (!*id || strlen(id) > TOOL_ID_MAX)
        return 0;
    for (c = id; *c; c++)
        if (!apr_isalnum(*c) && *c != '.' && *c != '_' && *c != '-')
            return 0;
    return 1;
}

static int tool_check_id(const char *cmd, const char *id)
{
    if (!tool_client_id_ok(id))
        return tool_usage_error(cmd, "bad client id '%s': use 1 to %d letters, digits, "
                                "'.', '_' or '-'", id, TOOL_ID_MAX);
    return TOOL_OK;
}

/* RFC 6749 §3.1.2: an absolute URI without a fragment.  A scheme of one's
 * own (com.example.app:/cb) is fine for a native client. */
static const char *tool_redirect_uri_problem(const char *uri)
{
    const char *c = uri;

    if (!apr_isalpha(*c))
        return "it does not start with a scheme (https://…)";
    while (apr_isalnum(*c) || *c == '+' || *c == '-' || *c == '.')
        c++;
    if (*c != ':' || c[1] == '\0')
        return "it is not an absolute URI (https://…)";
    if (strchr(uri, '#'))
        return "a redirect URI must not have a fragment (#…)";
    for (c = uri; *c; c++)
        if ((unsigned char)*c < 0x21 || *c == 0x7f || *c == '"' || *c == '<' || *c == '>')
            return "it contains a character a URI may not hold unencoded";
    return NULL;
}

/* Adds the items of a comma/space separated value, once each. */
static void tool_list_add(apr_pool_t *p, apr_array_header_t *list, const char *value)
{
    apr_array_header_t *items = mto_list_split(p, value);
    int i;

    for (i = 0; i < items->nelts; i++) {
        const char *item = APR_ARRAY_IDX(items, i, const char *);

        if (!mto_list_contains(list, item))
            APR_ARRAY_PUSH(list, const char *) = item;
    }
}

/* Spring's format: comma separated. */
static const char *tool_list_store(apr_pool_t *p, const apr_array_header_t *list)
{
    return apr_array_pstrcat(p, list, ',');
}

static int tool_parse_validity(const char *cmd, const char *opt, const char *arg,
                               apr_pool_t *p, const char **out)
{
    apr_int64_t v;

    if (!strcasecmp(arg, "default")) {
        *out = NULL;
        return TOOL_OK;
    }
    if (!tool_parse_int(arg, 0, TOOL_VALIDITY_MAX, &v))
        return tool_usage_error(cmd, "%s wants seconds (0 = never expires) or "
                                "'default', not '%s'", opt, arg);
    *out = apr_psprintf(p, "%" APR_INT64_T_FMT, v);
    return TOOL_OK;
}

/* The options of a secret, shared by add and secret: 1 taken, 0 not ours,
 * -1 wrong (message printed, *status set). */
static int tool_secret_option(const char *cmd, tool_secret_opts_t *s, int ch,
                              const char *arg, int *status)
{
    switch (ch) {
    case OPT_SECRET_STDIN:
        s->from_stdin = 1;
        return 1;
    case OPT_HASH:
        if ((s->bcrypt = tool_parse_hash_name(arg)) < 0) {
            *status = tool_usage_error(cmd, "--hash is sha256 or bcrypt, not '%s'", arg);
            return -1;
        }
        return 1;
    case OPT_BCRYPT_COST:
        if (!tool_parse_int(arg, 4, 31, &s->cost)) {
            *status = tool_usage_error(cmd, "--bcrypt-cost wants a number from 4 to 31, "
                                       "not '%s'", arg);
            return -1;
        }
        s->cost_given = 1;
        return 1;
    }
    return 0;
}

static int tool_secret_check(const char *cmd, tool_secret_opts_t *s)
{
    if (s->cost_given && s->bcrypt != 1)
        return tool_usage_error(cmd, "--bcrypt-cost needs --hash bcrypt");
    if (s->bcrypt < 0)
        s->bcrypt = 0;
    return TOOL_OK;
}

/* Reads or generates the secret, and hashes it.  *shown: the generated
 * secret to print once the row is written, or NULL. */
static int tool_secret_make(apr_pool_t *p, const tool_secret_opts_t *s,
                            const char **hash, const char **shown)
{
    const char *secret;
    int rc;

    *shown = NULL;
    if (s->from_stdin) {
        if ((rc = tool_read_secret(p, "client secret", &secret)) != TOOL_OK)
            return rc;
    }
    else {
        if (!(secret = mto_random_b64url(p, TOOL_SECRET_BYTES)))
            return tool_fail("the random number generator failed: no secret made");
        *shown = secret;
    }
    return tool_hash_secret(p, secret, s->bcrypt, (int)s->cost, hash);
}

/* The format of a stored secret, never the secret or its hash. */
static const char *tool_secret_format(apr_pool_t *p, const char *stored)
{
    const char *end;

    if (!stored || !*stored)
        return "(none: the client cannot authenticate)";
    if (stored[0] != '{' || !(end = strchr(stored, '}')))
        return "(no {format} prefix: the client cannot authenticate)";
    if (!strncmp(stored, "{SHA-256}{", 10))
        return "{SHA-256} (salted)";
    return apr_pstrmemdup(p, stored, (apr_size_t)(end - stored + 1));
}

/* ------------------------------------------------------------------- add */

static int tool_client_add(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    static const apr_getopt_option_t opts[] = {
        TOOL_COMMON_OPTIONS,
        { "secret-stdin",     OPT_SECRET_STDIN,     0, "read the secret from stdin" },
        { "hash",             OPT_HASH,             1, "sha256 or bcrypt" },
        { "bcrypt-cost",      OPT_BCRYPT_COST,      1, "bcrypt cost" },
        { "redirect-uri",     OPT_REDIRECT_URI,     1, "redirect URIs" },
        { "scope",            OPT_SCOPE,            1, "allowed scopes" },
        { "grant-types",      OPT_GRANT_TYPES,      1, "grant types" },
        { "autoapprove",      OPT_AUTOAPPROVE,      1, "true or scopes" },
        { "access-validity",  OPT_ACCESS_VALIDITY,  1, "seconds or default" },
        { "refresh-validity", OPT_REFRESH_VALIDITY, 1, "seconds or default" },
        { NULL, 0, 0, NULL }
    };
    apr_pool_t *p = ctx->pool;
    apr_array_header_t *uris = apr_array_make(p, 2, sizeof(const char *));
    apr_array_header_t *scopes = apr_array_make(p, 6, sizeof(const char *));
    apr_array_header_t *grants = apr_array_make(p, 2, sizeof(const char *));
    apr_array_header_t *auto_list = NULL;
    tool_secret_opts_t sec = { 0, -1, TOOL_BCRYPT_COST, 0 };
    tool_client_row_t row, *existing;
    tool_opts_t o;
    const char *arg, *autoapprove = NULL, *shown, *cmd = "client add";
    int ch, rc, i, scope_given = 0;

    memset(&row, 0, sizeof(row));
    tool_opts_init(ctx, &o, cmd, tool_usage_client, argc, argv);
    while ((rc = tool_opt_next(ctx, &o, opts, &ch, &arg)) > 0) {
        int status = TOOL_OK, taken = tool_secret_option(cmd, &sec, ch, arg, &status);

        if (taken < 0)
            return status;
        if (taken)
            continue;
        switch (ch) {
        case OPT_REDIRECT_URI:
            tool_list_add(p, uris, arg);
            break;
        case OPT_SCOPE:
            tool_list_add(p, scopes, arg);
            scope_given = 1;
            break;
        case OPT_GRANT_TYPES:
            tool_list_add(p, grants, arg);
            break;
        case OPT_AUTOAPPROVE:
            autoapprove = arg;
            break;
        case OPT_ACCESS_VALIDITY:
            if ((rc = tool_parse_validity(cmd, "--access-validity", arg, p,
                                          &row.access_token_validity)) != TOOL_OK)
                return rc;
            break;
        case OPT_REFRESH_VALIDITY:
            if ((rc = tool_parse_validity(cmd, "--refresh-validity", arg, p,
                                          &row.refresh_token_validity)) != TOOL_OK)
                return rc;
            break;
        }
    }
    if (rc < 0)
        return o.status;
    if (tool_nargs(&o) != 1)
        return tool_usage_error(cmd, tool_nargs(&o) ? "one client id, please"
                                                    : "which client id?");
    row.client_id = tool_arg(&o, 0);
    if ((rc = tool_check_id(cmd, row.client_id)) != TOOL_OK
        || (rc = tool_secret_check(cmd, &sec)) != TOOL_OK)
        return rc;

    /* Redirect URIs. */
    if (uris->nelts == 0)
        return tool_usage_error(cmd, "--redirect-uri is required");
    for (i = 0; i < uris->nelts; i++) {
        const char *uri = APR_ARRAY_IDX(uris, i, const char *), *why;

        if ((why = tool_redirect_uri_problem(uri)))
            return tool_usage_error(cmd, "bad redirect URI '%s': %s", uri, why);
    }
    row.web_server_redirect_uri = tool_list_store(p, uris);
    if (strlen(row.web_server_redirect_uri) > TOOL_REDIRECT_MAX)
        return tool_usage_error(cmd, "the redirect URIs take more than the %d characters "
                                "web_server_redirect_uri holds", TOOL_REDIRECT_MAX);

    /* Scopes. */
    if (scope_given && scopes->nelts == 0)
        return tool_usage_error(cmd, "--scope names no scope");
    if (!scope_given)
        for (i = 0; tool_builtin_scopes[i]; i++)
            APR_ARRAY_PUSH(scopes, const char *) = tool_builtin_scopes[i];
    for (i = 0; i < scopes->nelts; i++) {
        const char *s = APR_ARRAY_IDX(scopes, i, const char *);
        int j, builtin = 0;

        if (!mto_scope_syntax_ok(s))
            return tool_usage_error(cmd, "bad scope '%s' (RFC 6749 §3.3: printable "
                                    "ASCII without space, '\"' or '\\')", s);
        for (j = 0; tool_builtin_scopes[j]; j++)
            builtin |= !strcmp(s, tool_builtin_scopes[j]);
        if (!builtin)
            tool_note("note: '%s' is no built-in scope: declare it with "
                      "MyTimetableOAuthScope", s);
    }
    row.scope = tool_list_store(p, scopes);
    if (strlen(row.scope) > TOOL_LIST_MAX)
        return tool_usage_error(cmd, "the scopes take more than the %d characters the "
                                "scope column holds", TOOL_LIST_MAX);

    /* Grant types: what the module implements. */
    if (grants->nelts == 0)
        APR_ARRAY_PUSH(grants, const char *) = "authorization_code";
    for (i = 0; i < grants->nelts; i++) {
        const char *g = APR_ARRAY_IDX(grants, i, const char *);

        if (strcmp(g, "authorization_code") && strcmp(g, "refresh_token"))
            return tool_usage_error(cmd, "unsupported grant type '%s' (authorization_code "
                                    "and refresh_token are)", g);
    }
    if (!mto_list_contains(grants, "authorization_code"))
        tool_note("note: without authorization_code the client gets unauthorized_client "
                  "from the authorize endpoint (and so never a token)");
    row.authorized_grant_types = tool_list_store(p, grants);

    /* Autoapprove: "true", "false" (Spring's word for none), or scopes. */
    if (autoapprove) {
        if (!strcasecmp(autoapprove, "true") || !strcasecmp(autoapprove, "false")) {
            row.autoapprove = !strcasecmp(autoapprove, "true") ? "true" : "false";
        }
        else {
            auto_list = mto_list_split(p, autoapprove);
            if (auto_list->nelts == 0)
                return tool_usage_error(cmd, "--autoapprove names no scope");
            for (i = 0; i < auto_list->nelts; i++) {
                const char *s = APR_ARRAY_IDX(auto_list, i, const char *);

                if (!mto_list_contains(scopes, s))
                    return tool_usage_error(cmd, "--autoapprove: '%s' is not one of the "
                                            "client's scopes (%s)", s, row.scope);
            }
            row.autoapprove = tool_list_store(p, auto_list);
        }
    }

    if ((rc = tool_db_open(ctx, 0)) != TOOL_OK
        || (rc = tool_db_client_get(ctx->db, row.client_id, &existing)) != TOOL_OK)
        return rc;
    if (existing)
        return tool_fail("a client '%s' exists already (`client secret %s` sets a new "
                         "secret, `client remove %s` deletes it)",
                         row.client_id, row.client_id, row.client_id);

    if ((rc = tool_secret_make(p, &sec, &row.client_secret, &shown)) != TOOL_OK
        || (rc = tool_db_client_insert(ctx->db, &row)) != TOOL_OK)
        return rc;
    if (shown) {
        if ((rc = tool_print_secret(shown, "client secret")) != TOOL_OK)
            return rc;
        tool_note("client '%s' added; its secret (above) is shown this once only",
                  row.client_id);
    }
    else {
        tool_note("client '%s' added", row.client_id);
    }
    return TOOL_OK;
}

/* ------------------------------------------------------------------ list */

static const char *tool_or_empty(const char *s)
{
    return s ? s : "";
}

static int tool_client_list(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    static const apr_getopt_option_t opts[] = { TOOL_COMMON_OPTIONS, { NULL, 0, 0, NULL } };
    apr_array_header_t *rows;
    tool_opts_t o;
    const char *arg;
    int ch, rc, i;

    tool_opts_init(ctx, &o, "client list", tool_usage_client, argc, argv);
    while ((rc = tool_opt_next(ctx, &o, opts, &ch, &arg)) > 0)
        ;
    if (rc < 0)
        return o.status;
    if (tool_nargs(&o) > 0)
        return tool_usage_error(o.cmd, "unexpected argument '%s'", tool_arg(&o, 0));
    if ((rc = tool_db_open(ctx, 0)) != TOOL_OK
        || (rc = tool_db_client_list(ctx->db, &rows)) != TOOL_OK)
        return rc;
    for (i = 0; i < rows->nelts; i++) {
        const tool_client_row_t *c = APR_ARRAY_IDX(rows, i, const tool_client_row_t *);

        printf("%s\t%s\t%s\t%s\n", c->client_id, tool_or_empty(c->scope),
               tool_or_empty(c->web_server_redirect_uri),
               tool_or_empty(c->authorized_grant_types));
    }
    return TOOL_OK;
}

/* -------------------------------------------------- show, remove, secret */

/* Parses `client SUB ID` with only the common options. */
static int tool_client_id_arg(tool_ctx_t *ctx, tool_opts_t *o, const char *cmd,
                              const apr_getopt_option_t *opts, tool_secret_opts_t *sec,
                              int argc, const char *const *argv, const char **id)
{
    const char *arg;
    int ch, rc;

    tool_opts_init(ctx, o, cmd, tool_usage_client, argc, argv);
    while ((rc = tool_opt_next(ctx, o, opts, &ch, &arg)) > 0) {
        int status = TOOL_OK;

        if (sec && tool_secret_option(cmd, sec, ch, arg, &status) < 0)
            return status;
    }
    if (rc < 0)
        return o->status;
    if (tool_nargs(o) != 1)
        return tool_usage_error(cmd, tool_nargs(o) ? "one client id, please"
                                                   : "which client id?");
    *id = tool_arg(o, 0);
    return tool_check_id(cmd, *id);
}

static const char *tool_validity_text(apr_pool_t *p, const char *v, const char *dflt)
{
    if (!v)
        return dflt;
    if (!strcmp(v, "0"))
        return "0 (never expires)";
    return apr_pstrcat(p, v, " seconds", NULL);
}

static int tool_client_show(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    static const apr_getopt_option_t opts[] = { TOOL_COMMON_OPTIONS, { NULL, 0, 0, NULL } };
    tool_client_row_t *c;
    tool_opts_t o;
    const char *id;
    int rc;

    if ((rc = tool_client_id_arg(ctx, &o, "client show", opts, NULL, argc, argv, &id))
        != TOOL_OK)
        return rc;
    if ((rc = tool_db_open(ctx, 0)) != TOOL_OK
        || (rc = tool_db_client_get(ctx->db, id, &c)) != TOOL_OK)
        return rc;
    if (!c)
        return tool_fail("no client '%s'", id);

#define NUL_(s) ((s) ? (s) : "NULL")
    printf("client_id:               %s\n", c->client_id);
    printf("client_secret:           %s\n", tool_secret_format(ctx->pool, c->client_secret));
    printf("scope:                   %s\n", NUL_(c->scope));
    printf("authorized_grant_types:  %s\n", NUL_(c->authorized_grant_types));
    printf("web_server_redirect_uri: %s\n", NUL_(c->web_server_redirect_uri));
    printf("autoapprove:             %s\n", NUL_(c->autoapprove));
    printf("access_token_validity:   %s\n",
           tool_validity_text(ctx->pool, c->access_token_validity,
                              "default (MyTimetableOAuthTokenLifetime)"));
    printf("refresh_token_validity:  %s\n",
           tool_validity_text(ctx->pool, c->refresh_token_validity,
                              "default (30 days)"));
    printf("resource_ids:            %s\n", NUL_(c->resource_ids));
    printf("authorities:             %s\n", NUL_(c->authorities));
    printf("additional_information:  %s\n", NUL_(c->additional_information));
#undef NUL_
    return TOOL_OK;
}

static int tool_client_remove(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    static const apr_getopt_option_t opts[] = { TOOL_COMMON_OPTIONS, { NULL, 0, 0, NULL } };
    tool_counts_t n;
    tool_opts_t o;
    const char *id;
    int rc, found;

    if ((rc = tool_client_id_arg(ctx, &o, "client remove", opts, NULL, argc, argv, &id))
        != TOOL_OK)
        return rc;
    if ((rc = tool_db_open(ctx, 0)) != TOOL_OK
        || (rc = tool_db_client_remove(ctx->db, id, &found, &n)) != TOOL_OK)
        return rc;
    if (!found)
        return tool_fail("no client '%s'", id);
    printf("removed client %s with %d authorization code(s), %d access token(s), "
           "%d refresh token(s), %d approval(s)\n",
           id, n.codes, n.access, n.refresh, n.approvals);
    return TOOL_OK;
}

static int tool_client_secret(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    static const apr_getopt_option_t opts[] = {
        TOOL_COMMON_OPTIONS,
        { "secret-stdin", OPT_SECRET_STDIN, 0, "read the secret from stdin" },
        { "hash",         OPT_HASH,         1, "sha256 or bcrypt" },
        { "bcrypt-cost",  OPT_BCRYPT_COST,  1, "bcrypt cost" },
        { NULL, 0, 0, NULL }
    };
    tool_secret_opts_t sec = { 0, -1, TOOL_BCRYPT_COST, 0 };
    tool_client_row_t *c;
    tool_opts_t o;
    const char *id, *hash, *shown;
    int rc, found;

    if ((rc = tool_client_id_arg(ctx, &o, "client secret", opts, &sec, argc, argv, &id))
        != TOOL_OK
        || (rc = tool_secret_check(o.cmd, &sec)) != TOOL_OK)
        return rc;
    if ((rc = tool_db_open(ctx, 0)) != TOOL_OK
        || (rc = tool_db_client_get(ctx->db, id, &c)) != TOOL_OK)
        return rc;
    if (!c)
        return tool_fail("no client '%s'", id);
    if ((rc = tool_secret_make(ctx->pool, &sec, &hash, &shown)) != TOOL_OK
        || (rc = tool_db_client_set_secret(ctx->db, id, hash, &found)) != TOOL_OK)
        return rc;
    if (!found)
        return tool_fail("no client '%s' (removed meanwhile?)", id);
    if (shown && (rc = tool_print_secret(shown, "client secret")) != TOOL_OK)
        return rc;
    tool_note("new secret set for client '%s'%s; tokens issued already stay valid "
              "(token revoke --client %s ends them)", id,
              shown ? " (above, shown this once only)" : "", id);
    return TOOL_OK;
}

/* ------------------------------------------------------------- dispatch */

int tool_cmd_client(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    static const struct {
        const char *name;
        tool_cmd_fn *run;
    } subs[] = {
        { "add",    tool_client_add },
        { "list",   tool_client_list },
        { "show",   tool_client_show },
        { "remove", tool_client_remove },
        { "secret", tool_client_secret },
    };
    apr_size_t i;

    if (argc < 2) {
        fputs(tool_usage_client, stderr);
        return TOOL_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(tool_usage_client, stdout);
        return TOOL_OK;
    }
    for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
        if (!strcmp(argv[1], subs[i].name))
            return subs[i].run(ctx, argc - 1, argv + 1);
    return tool_usage_error("client", "unknown subcommand '%s' (add, list, show, remove "
                            "or secret)", argv[1]);
}
