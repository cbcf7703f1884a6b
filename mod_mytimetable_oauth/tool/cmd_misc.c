/*
 * cmd_misc.c - init, hash, token list|revoke, purge.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <apr_strings.h>

#include "tool.h"

static int tool_no_args(tool_opts_t *o)
{
    if (tool_nargs(o) > 0)
        return tool_usage_error(o->cmd, "unexpected argument '%s'", tool_arg(o, 0));
    return TOOL_OK;
}

/* -------------------------------------------------------------------- init */

static const char tool_usage_init[] =
    "Usage: " TOOL_NAME " [--driver NAME] --params STRING init\n"
    "\n"
    "Creates the tables that are missing: MyTimetable's oauth_client_details and\n"
    "api_tokens (an existing database keeps its rows) and the module's own\n"
    "mto_code, mto_access_token, mto_refresh_token and mto_approval.\n"
    "Running it again changes nothing.  The schema is built\n"
    "in (sqlite3 and pgsql); for sqlite3 it also switches the file to WAL mode.\n"
    "Run it before httpd starts: never change the schema under a running httpd.\n"
    "\n" TOOL_USAGE_GLOBAL;

int tool_cmd_init(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    static const apr_getopt_option_t opts[] = { TOOL_COMMON_OPTIONS, { NULL, 0, 0, NULL } };
    tool_opts_t o;
    const char *arg, *journal = NULL;
    int ch, rc, n = 0;

    tool_opts_init(ctx, &o, "init", tool_usage_init, argc, argv);
    while ((rc = tool_opt_next(ctx, &o, opts, &ch, &arg)) > 0)
        ;
    if (rc < 0)
        return o.status;
    if ((rc = tool_no_args(&o)) != TOOL_OK)
        return rc;
    if (strcmp(ctx->driver, "sqlite3") && strcmp(ctx->driver, "pgsql"))
        return tool_fail("init: no schema for the driver '%s' (there is one for sqlite3 "
                         "and one for pgsql)", ctx->driver);

    if ((rc = tool_db_open(ctx, 1)) != TOOL_OK)
        return rc;
    if ((rc = tool_db_init(ctx->db, &n, &journal)) != TOOL_OK)
        return rc;

    if (!strcmp(ctx->driver, "sqlite3")) {
        printf("initialised the sqlite3 database %s (%d statements, journal_mode=%s)\n",
               ctx->params, n, journal ? journal : "unknown");
        if (!journal || strcasecmp(journal, "wal"))
            tool_note("warning: the database is not in WAL mode: httpd's children "
                      "will see \"database is locked\" under load");
    }
    else {
        printf("initialised the %s database (%d statements)\n", ctx->driver, n);
    }
    return TOOL_OK;
}

/* -------------------------------------------------------------------- hash */

static const char tool_usage_hash[] =
    "Usage: " TOOL_NAME " hash [--bcrypt | --sha256] [--cost N]\n"
    "\n"
    "Reads a secret (one line) from standard input and prints its Spring Security\n"
    "hash, as oauth_client_details.client_secret holds it:\n"
    "  --bcrypt    {bcrypt}$2y$… (the default)\n"
    "  --sha256    {SHA-256}<hex>: only for long random secrets\n"
    "  --cost N    bcrypt cost, 4..31 (default 10)\n";

enum { OPT_HASH_BCRYPT = TOOL_OPT_CMD, OPT_HASH_SHA256, OPT_HASH_COST };

int tool_cmd_hash(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    static const apr_getopt_option_t opts[] = {
        TOOL_COMMON_OPTIONS,
        { "bcrypt", OPT_HASH_BCRYPT, 0, "bcrypt hash" },
        { "sha256", OPT_HASH_SHA256, 0, "SHA-256 hash" },
        { "cost",   OPT_HASH_COST,   1, "bcrypt cost" },
        { NULL, 0, 0, NULL }
    };
    tool_opts_t o;
    const char *arg, *secret, *hash;
    apr_int64_t cost = TOOL_BCRYPT_COST;
    int ch, rc, bcrypt = -1, cost_given = 0;

    tool_opts_init(ctx, &o, "hash", tool_usage_hash, argc, argv);
    while ((rc = tool_opt_next(ctx, &o, opts, &ch, &arg)) > 0) {
        switch (ch) {
        case OPT_HASH_BCRYPT:
        case OPT_HASH_SHA256:
            if (bcrypt >= 0 && bcrypt != (ch == OPT_HASH_BCRYPT))
                return tool_usage_error(o.cmd, "--bcrypt and --sha256 exclude each other");
            bcrypt = ch == OPT_HASH_BCRYPT;
            break;
        case OPT_HASH_COST:
            if (!tool_parse_int(arg, 4, 31, &cost))
                return tool_usage_error(o.cmd, "--cost wants a number from 4 to 31, "
                                        "not '%s'", arg);
            cost_given = 1;
            break;
        }
    }
    if (rc < 0)
        return o.status;
    if ((rc = tool_no_args(&o)) != TOOL_OK)
        return rc;
    if (bcrypt < 0)
        bcrypt = 1;
    if (cost_given && !bcrypt)
        return tool_usage_error(o.cmd, "--cost applies to bcrypt only");

    if ((rc = tool_read_secret(ctx->pool, "secret", &secret)) != TOOL_OK)
        return rc;
    if ((rc = tool_hash_secret(ctx->pool, secret, bcrypt, (int)cost, &hash)) != TOOL_OK)
        return rc;
    printf("%s\n", hash);
    return TOOL_OK;
}

/* ------------------------------------------------------------------- token */

static const char tool_usage_token[] =
    "Usage: " TOOL_NAME " token list [--client ID] [--user USER]\n"
    "       " TOOL_NAME " token revoke (--client ID | --user USER | --token-stdin)\n"
    "\n"
    "list: one line per issued token, tab separated: kind (access, refresh, or\n"
    "  refresh-rotated for a refresh token already exchanged for a newer one),\n"
    "  the first 12 hex digits of its SHA-256 (tokens are stored only hashed),\n"
    "  client, user, scope, issued, expires (UTC, or \"never\").\n"
    "revoke: deletes the access and refresh tokens (and the authorization codes\n"
    "  not yet redeemed) of a client, of a user, or of that user with that client.\n"
    "  --token-stdin reads one token from standard input and deletes it; a\n"
    "  refresh token takes its grant's other refresh and access tokens along.\n"
    "  A running httpd may keep accepting a revoked token until its cache entry\n"
    "  expires (MyTimetableOAuthCacheTTL).\n"
    "\n" TOOL_USAGE_GLOBAL;

enum { OPT_TOKEN_CLIENT = TOOL_OPT_CMD, OPT_TOKEN_USER, OPT_TOKEN_STDIN };

static int tool_token_list(tool_ctx_t *ctx, const char *client, const char *user)
{
    apr_array_header_t *rows;
    int i, rc;

    if ((rc = tool_db_open(ctx, 0)) != TOOL_OK
        || (rc = tool_db_token_list(ctx->db, client, user, &rows)) != TOOL_OK)
        return rc;
    for (i = 0; i < rows->nelts; i++) {
        const tool_token_row_t *t = APR_ARRAY_IDX(rows, i, const tool_token_row_t *);

        printf("%s\t%.12s\t%s\t%s\t%s\t%s\t%s\n",
               t->rotated ? "refresh-rotated" : t->kind, t->hash, t->client_id, t->user,
               t->scope, tool_format_time(ctx->pool, t->issued),
               t->expires ? tool_format_time(ctx->pool, t->expires) : "never");
    }
    return TOOL_OK;
}

static int tool_token_revoke(tool_ctx_t *ctx, const char *client, const char *user,
                             int from_stdin)
{
    tool_counts_t n;
    const char *token, *hash;
    int rc;

    if ((rc = tool_db_open(ctx, 0)) != TOOL_OK)
        return rc;
    if (from_stdin) {
        if ((rc = tool_read_secret(ctx->pool, "token", &token)) != TOOL_OK)
            return rc;
        if (!(hash = mto_sha256_hex(ctx->pool, token, strlen(token))))
            return tool_fail("could not hash the token");
        if ((rc = tool_db_token_revoke_hash(ctx->db, hash, &n)) != TOOL_OK)
            return rc;
        if (n.access + n.refresh == 0)
            return tool_fail("no access or refresh token matches the token read "
                             "(expired and purged, revoked already, or mistyped)");
        printf("revoked %d access token(s), %d refresh token(s)\n", n.access, n.refresh);
        return TOOL_OK;
    }
    if ((rc = tool_db_token_revoke(ctx->db, client, user, &n)) != TOOL_OK)
        return rc;
    printf("revoked %d access token(s), %d refresh token(s), %d authorization code(s)\n",
           n.access, n.refresh, n.codes);
    return TOOL_OK;
}

int tool_cmd_token(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    static const apr_getopt_option_t opts[] = {
        TOOL_COMMON_OPTIONS,
        { "client",      OPT_TOKEN_CLIENT, 1, "client id" },
        { "user",        OPT_TOKEN_USER,   1, "user name" },
        { "token-stdin", OPT_TOKEN_STDIN,  0, "read the token from stdin" },
        { NULL, 0, 0, NULL }
    };
    const char *arg, *client = NULL, *user = NULL, *cmd;
    tool_opts_t o;
    int ch, rc, from_stdin = 0, revoke;

    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        if (argc < 2) {
            fputs(tool_usage_token, stderr);
            return TOOL_USAGE;
        }
        fputs(tool_usage_token, stdout);
        return TOOL_OK;
    }
    if (!strcmp(argv[1], "list"))
        revoke = 0, cmd = "token list";
    else if (!strcmp(argv[1], "revoke"))
        revoke = 1, cmd = "token revoke";
    else
        return tool_usage_error("token", "unknown subcommand '%s' (list or revoke)",
                                argv[1]);

    tool_opts_init(ctx, &o, cmd, tool_usage_token, argc - 1, argv + 1);
    while ((rc = tool_opt_next(ctx, &o, opts, &ch, &arg)) > 0) {
        switch (ch) {
        case OPT_TOKEN_CLIENT:
            client = arg;
            break;
        case OPT_TOKEN_USER:
            user = arg;
            break;
        case OPT_TOKEN_STDIN:
            from_stdin = 1;
            break;
        }
    }
    if (rc < 0)
        return o.status;
    if ((rc = tool_no_args(&o)) != TOOL_OK)
        return rc;
    if ((client && !*client) || (user && !*user))
        return tool_usage_error(o.cmd, "--client and --user want a non-empty value");

    if (!revoke) {
        if (from_stdin)
            return tool_usage_error(o.cmd, "--token-stdin is for revoke");
        return tool_token_list(ctx, client, user);
    }
    if (from_stdin && (client || user))
        return tool_usage_error(o.cmd, "--token-stdin goes alone, without --client "
                                "or --user");
    if (!from_stdin && !client && !user)
        return tool_usage_error(o.cmd, "say what to revoke: --client ID, --user USER "
                                "or --token-stdin");
    return tool_token_revoke(ctx, client, user, from_stdin);
}

/* ------------------------------------------------------------------- purge */

static const char tool_usage_purge[] =
    "Usage: " TOOL_NAME " purge\n"
    "\n"
    "Deletes what has expired: authorization codes, access and refresh tokens\n"
    "(those that never expire stay) and remembered approvals.  Prints the counts.\n"
    "Safe while httpd runs, e.g. daily from cron.\n"
    "\n" TOOL_USAGE_GLOBAL;

int tool_cmd_purge(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    static const apr_getopt_option_t opts[] = { TOOL_COMMON_OPTIONS, { NULL, 0, 0, NULL } };
    tool_opts_t o;
    tool_counts_t n;
    const char *arg;
    int ch, rc;

    tool_opts_init(ctx, &o, "purge", tool_usage_purge, argc, argv);
    while ((rc = tool_opt_next(ctx, &o, opts, &ch, &arg)) > 0)
        ;
    if (rc < 0)
        return o.status;
    if ((rc = tool_no_args(&o)) != TOOL_OK)
        return rc;
    if ((rc = tool_db_open(ctx, 0)) != TOOL_OK
        || (rc = tool_db_purge(ctx->db, tool_now(), &n)) != TOOL_OK)
        return rc;
    printf("purged %d authorization code(s), %d access token(s), %d refresh token(s), "
           "%d approval(s)\n", n.codes, n.access, n.refresh, n.approvals);
    return TOOL_OK;
}
