/*
 * cmd_api_token.c - api-token add|list|remove: MyTimetable's api_tokens
 * (README "Using an existing MyTimetable database", "The gate").  A token is stored as {SHA-256}<hex>, which the module
 * accepts, unless --plain keeps it in clear for a database MyTimetable
 * itself still reads.
 */
#include <stdio.h>
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "tool.h"

static const char tool_usage_api_token[] =
    "Usage: " TOOL_NAME " api-token add NAME [--elevated] [--auth-required] [--plain]\n"
    "                                    [--token-stdin]\n"
    "       " TOOL_NAME " api-token list\n"
    "       " TOOL_NAME " api-token remove NAME\n"
    "\n"
    "add: stores an API token (the apiToken request header) under NAME, a\n"
    "  description used in logs.  Unless --token-stdin, a random token is\n"
    "  generated and printed once on standard output.\n"
    "  --elevated        the token may act as any user (requestedAuth header):\n"
    "                    for fully trusted applications only\n"
    "  --auth-required   requests with this token need an OAuth token too\n"
    "  --plain           store the token in clear (MyTimetable itself reads the\n"
    "                    same table); default: only its {SHA-256} hash\n"
    "  --token-stdin     read the token (one line) from standard input\n"
    "list: one line per token, tab separated: name, elevated, auth-required,\n"
    "  hashed or plain.  Tokens themselves are never shown.\n"
    "remove: deletes the token(s) named NAME.\n"
    "\n" TOOL_USAGE_GLOBAL;

enum {
    OPT_ELEVATED = TOOL_OPT_CMD,
    OPT_AUTH_REQUIRED,
    OPT_PLAIN,
    OPT_TOKEN_STDIN
};

#define TOOL_API_TOKEN_MAX 256          /* api_tokens.name and .token */

/* A name shows up in logs and in `list`: printable, one line. */
static int tool_api_token_name_ok(const char *name)
{
    const unsigned char *c;

    if (!*name || strlen(name) > TOOL_API_TOKEN_MAX)
        return 0;
    for (c = (const unsigned char *)name; *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            return 0;
    return 1;
}

static int tool_name_arg(tool_opts_t *o, const char **name)
{
    if (tool_nargs(o) != 1)
        return tool_usage_error(o->cmd, tool_nargs(o) ? "one name, please (quote a name "
                                "with spaces)" : "which name?");
    *name = tool_arg(o, 0);
    if (!tool_api_token_name_ok(*name))
        return tool_usage_error(o->cmd, "bad name: 1 to %d characters, no control "
                                "characters", TOOL_API_TOKEN_MAX);
    return TOOL_OK;
}

static int tool_api_token_add(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    static const apr_getopt_option_t opts[] = {
        TOOL_COMMON_OPTIONS,
        { "elevated",      OPT_ELEVATED,      0, "may act as any user" },
        { "auth-required", OPT_AUTH_REQUIRED, 0, "needs an OAuth token too" },
        { "plain",         OPT_PLAIN,         0, "store in clear" },
        { "token-stdin",   OPT_TOKEN_STDIN,   0, "read the token from stdin" },
        { NULL, 0, 0, NULL }
    };
    tool_api_token_row_t row;
    tool_opts_t o;
    const char *arg, *token, *hashed, *shown = NULL;
    int ch, rc, plain = 0, from_stdin = 0, count;

    memset(&row, 0, sizeof(row));
    tool_opts_init(ctx, &o, "api-token add", tool_usage_api_token, argc, argv);
    while ((rc = tool_opt_next(ctx, &o, opts, &ch, &arg)) > 0) {
        switch (ch) {
        case OPT_ELEVATED:
            row.is_elevated = 1;
            break;
        case OPT_AUTH_REQUIRED:
            row.authentication_required = 1;
            break;
        case OPT_PLAIN:
            plain = 1;
            break;
        case OPT_TOKEN_STDIN:
            from_stdin = 1;
            break;
        }
    }
    if (rc < 0)
        return o.status;
    if ((rc = tool_name_arg(&o, &row.name)) != TOOL_OK)
        return rc;

    if ((rc = tool_db_open(ctx, 0)) != TOOL_OK
        || (rc = tool_db_api_token_count_name(ctx->db, row.name, &count)) != TOOL_OK)
        return rc;
    if (count)
        return tool_fail("an API token named '%s' exists already (api-token remove "
                         "deletes it)", row.name);

    if (from_stdin) {
        if ((rc = tool_read_secret(ctx->pool, "API token", &token)) != TOOL_OK)
            return rc;
        if (plain && strlen(token) > TOOL_API_TOKEN_MAX)
            return tool_fail("the token is longer than the %d characters api_tokens.token "
                             "holds in clear (store it hashed, without --plain)",
                             TOOL_API_TOKEN_MAX);
    }
    else if (!(token = shown = mto_random_b64url(ctx->pool, TOOL_SECRET_BYTES))) {
        return tool_fail("the random number generator failed: no token made");
    }
    if (!(hashed = mto_secret_hash_sha256(ctx->pool, token)))
        return tool_fail("could not hash the token");

    /* The same token twice would make its name ambiguous in the logs. */
    if ((rc = tool_db_api_token_count_token(ctx->db, token, hashed, &count)) != TOOL_OK)
        return rc;
    if (count)
        return tool_fail("this token is stored already, under another name");

    row.token = plain ? token : hashed;
    if ((rc = tool_db_api_token_insert(ctx->db, &row)) != TOOL_OK)
        return rc;
    if (shown && (rc = tool_print_secret(shown, "API token")) != TOOL_OK)
        return rc;
    tool_note("API token '%s' added (%s%s%s)%s", row.name, plain ? "stored in clear"
              : "stored hashed", row.is_elevated ? ", elevated" : "",
              row.authentication_required ? ", OAuth token required" : "",
              shown ? "; the token (above) is shown this once only" : "");
    return TOOL_OK;
}

static int tool_api_token_list(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    static const apr_getopt_option_t opts[] = { TOOL_COMMON_OPTIONS, { NULL, 0, 0, NULL } };
    apr_array_header_t *rows;
    tool_opts_t o;
    const char *arg;
    int ch, rc, i;

    tool_opts_init(ctx, &o, "api-token list", tool_usage_api_token, argc, argv);
    while ((rc = tool_opt_next(ctx, &o, opts, &ch, &arg)) > 0)
        ;
    if (rc < 0)
        return o.status;
    if (tool_nargs(&o) > 0)
        return tool_usage_error(o.cmd, "unexpected argument '%s'", tool_arg(&o, 0));
    if ((rc = tool_db_open(ctx, 0)) != TOOL_OK
        || (rc = tool_db_api_token_list(ctx->db, &rows)) != TOOL_OK)
        return rc;
    for (i = 0; i < rows->nelts; i++) {
        const tool_api_token_row_t *t = APR_ARRAY_IDX(rows, i, const tool_api_token_row_t *);

        printf("%s\t%s\t%s\t%s\n", t->name,
               t->is_elevated ? "elevated" : "-",
               t->authentication_required ? "auth-required" : "-",
               !strncmp(t->token, "{SHA-256}", 9) ? "hashed" : "plain");
    }
    return TOOL_OK;
}

static int tool_api_token_remove(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    static const apr_getopt_option_t opts[] = { TOOL_COMMON_OPTIONS, { NULL, 0, 0, NULL } };
    tool_opts_t o;
    const char *arg, *name;
    int ch, rc, n;

    tool_opts_init(ctx, &o, "api-token remove", tool_usage_api_token, argc, argv);
    while ((rc = tool_opt_next(ctx, &o, opts, &ch, &arg)) > 0)
        ;
    if (rc < 0)
        return o.status;
    if ((rc = tool_name_arg(&o, &name)) != TOOL_OK)
        return rc;
    if ((rc = tool_db_open(ctx, 0)) != TOOL_OK
        || (rc = tool_db_api_token_remove(ctx->db, name, &n)) != TOOL_OK)
        return rc;
    if (n == 0)
        return tool_fail("no API token named '%s'", name);
    printf("removed %d API token(s) named %s\n", n, name);
    return TOOL_OK;
}

int tool_cmd_api_token(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    if (argc < 2) {
        fputs(tool_usage_api_token, stderr);
        return TOOL_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(tool_usage_api_token, stdout);
        return TOOL_OK;
    }
    if (!strcmp(argv[1], "add"))
        return tool_api_token_add(ctx, argc - 1, argv + 1);
    if (!strcmp(argv[1], "list"))
        return tool_api_token_list(ctx, argc - 1, argv + 1);
    if (!strcmp(argv[1], "remove"))
        return tool_api_token_remove(ctx, argc - 1, argv + 1);
    return tool_usage_error("api-token", "unknown subcommand '%s' (add, list or remove)",
                            argv[1]);
}
