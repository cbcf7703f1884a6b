/*
 * cmd_misc.c - init, hash, token list|revoke, purge.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <apr_strings.h>
#include <jansson.h>

#include "tool.h"

/* -------------------------------------------------------------------- init */

static const char tool_usage_init[] =
    "Usage: " TOOL_NAME " -f HTTPD_CONF [--vhost NAME] init\n"
    "       " TOOL_NAME " [--driver NAME] --params STRING init\n"
    "\n"
    "Creates the tables that are missing: MyTimetable's oauth_client_details and\n"
    "api_tokens (an existing database keeps its rows) and the module's own\n"
    "mto_code, mto_access_token, mto_refresh_token and mto_approval.\n"
    "Running it again changes nothing.  The schema is built in (SQLite,\n"
    "PostgreSQL, MariaDB/MySQL, and SQL Server or PostgreSQL through odbc); for\n"
    "sqlite3 it also switches the file to WAL mode.\n"
    "Run it before httpd starts: never change the schema under a running httpd.\n"
    "\n"
    "Examples:\n"
    "  " TOOL_NAME " -f /etc/apache2/apache2.conf init\n"
    "  " TOOL_NAME " --params /var/lib/mytimetable-oauth/oauth.db init\n"
    "\n" TOOL_USAGE_GLOBAL;

int tool_cmd_init(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    tool_opts_t o;
    const char *journal = NULL;
    int rc, n = 0;

    if (tool_opts_plain(ctx, &o, "init", tool_usage_init, argc, argv) < 0) {
        return o.status;
    }
    if ((rc = tool_db_open(ctx, 1)) != TOOL_OK) {
        return rc;
    }
    if ((rc = tool_db_init(ctx->db, &n, &journal)) != TOOL_OK) {
        return rc;
    }

    if (!strcmp(ctx->driver, "sqlite3")) {
        printf("initialised the sqlite3 database %s (%d statements, journal_mode=%s)\n",
               ctx->params, n, journal ? journal : "unknown");
        if (!journal || strcasecmp(journal, "wal")) {
            tool_note("warning: the database is not in WAL mode: httpd's children "
                      "will see \"database is locked\" under load");
        }
    }
    else {
        printf("initialised the %s database (%s, %d statements)\n", ctx->driver,
               tool_db_dialect(ctx->db), n);
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
    "  --cost N    bcrypt cost, 4..31 (default 10)\n"
    "It does not use the database.\n"
    "\n"
    "Examples:\n"
    "  printf 'correct horse\\n' | " TOOL_NAME " hash\n"
    "  " TOOL_NAME " hash --sha256 < secret.txt\n";

enum { OPT_HASH_BCRYPT = TOOL_OPT_CMD, OPT_HASH_SHA256, OPT_HASH_COST };

/* What the command line asks of `hash`. */
typedef struct {
    int bcrypt; /* -1: not said (bcrypt) */
    apr_int64_t cost;
    int cost_given;
} tool_hash_opts_t;

/* tool_opt_fn; baton: tool_hash_opts_t. */
static int tool_hash_option(tool_opts_t *o, int ch, const char *arg, void *baton)
{
    tool_hash_opts_t *h = baton;

    switch (ch) {
    case OPT_HASH_BCRYPT:
    case OPT_HASH_SHA256:
        if (h->bcrypt >= 0 && h->bcrypt != (ch == OPT_HASH_BCRYPT)) {
            return tool_usage_error(o->cmd, "--bcrypt and --sha256 exclude each other");
        }
        h->bcrypt = ch == OPT_HASH_BCRYPT;
        break;
    case OPT_HASH_COST:
        h->cost_given = 1;
        return tool_parse_cost(o->cmd, "--cost", arg, &h->cost);
    }
    return TOOL_OK;
}

int tool_cmd_hash(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    static const apr_getopt_option_t opts[] = { TOOL_COMMON_OPTIONS,
                                                { "bcrypt", OPT_HASH_BCRYPT, 0, "bcrypt hash" },
                                                { "sha256", OPT_HASH_SHA256, 0, "SHA-256 hash" },
                                                { "cost", OPT_HASH_COST, 1, "bcrypt cost" },
                                                { NULL, 0, 0, NULL } };
    tool_hash_opts_t h = { -1, TOOL_BCRYPT_COST, 0 };
    tool_opts_t o;
    const char *secret, *hash;
    int rc;

    tool_opts_init(ctx, &o, "hash", tool_usage_hash, argc, argv);
    if (tool_opts_parse(ctx, &o, opts, tool_hash_option, &h) < 0) {
        return o.status;
    }
    if ((rc = tool_no_args(&o)) != TOOL_OK) {
        return rc;
    }
    if (h.bcrypt < 0) {
        h.bcrypt = 1;
    }
    if (h.cost_given && !h.bcrypt) {
        return tool_usage_error(o.cmd, "--cost applies to bcrypt only");
    }

    if ((rc = tool_read_secret(ctx->pool, "secret", &secret)) != TOOL_OK) {
        return rc;
    }
    if ((rc = tool_hash_secret(ctx->pool, secret, h.bcrypt, (int)h.cost, &hash)) != TOOL_OK) {
        return rc;
    }
    printf("%s\n", hash);
    return TOOL_OK;
}

/* ------------------------------------------------------------------- token */

static const char tool_usage_token[] =
    "Usage: " TOOL_NAME " token list [--client ID] [--user USER] [--json]\n"
    "       " TOOL_NAME " token revoke (--client ID | --user USER) [--yes]\n"
    "       " TOOL_NAME " token revoke --token-stdin\n"
    "\n"
    "list: a table, one line per issued token: kind (access, refresh, or\n"
    "  refresh-rotated for a refresh token already exchanged for a newer one),\n"
    "  the first 12 hex digits of its SHA-256 (tokens are stored only hashed),\n"
    "  client, user, scope, issued, expires (UTC, or \"never\"); --json: a JSON\n"
    "  array of objects.\n"
    "revoke: deletes the access and refresh tokens (and the authorization codes\n"
    "  not yet redeemed) of a client, of a user, or of that user with that client,\n"
    "  after asking (on a terminal) or with --yes; otherwise exit 3 and nothing\n"
    "  changes.  --token-stdin reads one token from standard input and deletes it\n"
    "  without asking; a refresh token takes its grant's other refresh and access\n"
    "  tokens along.  A running httpd stops accepting a revoked token within about\n"
    "  a second, also where its cache holds it (the change bumps mto_generation).\n"
    "\n"
    "Examples:\n"
    "  " TOOL_NAME " -f /etc/apache2/apache2.conf token list --user jdoe\n"
    "  " TOOL_NAME " -f /etc/apache2/apache2.conf token list --client webapp --json\n"
    "  " TOOL_NAME " -f /etc/apache2/apache2.conf token revoke --user jdoe --yes\n"
    "  printf '%s\\n' \"$TOKEN\" | " TOOL_NAME " -f /etc/apache2/apache2.conf \\\n"
    "      token revoke --token-stdin\n"
    "\n" TOOL_USAGE_GLOBAL;

enum { OPT_TOKEN_CLIENT = TOOL_OPT_CMD, OPT_TOKEN_USER, OPT_TOKEN_STDIN };

/* Whose tokens: either NULL for any; from_stdin: the one token read. */
typedef struct {
    const char *client;
    const char *user;
    int from_stdin;
    int json;
} tool_token_filter_t;

/* tool_opt_fn; baton: tool_token_filter_t. */
static int tool_token_option(tool_opts_t *o, int ch, const char *arg, void *baton)
{
    tool_token_filter_t *f = baton;

    (void)o;
    switch (ch) {
    case OPT_TOKEN_CLIENT:
        f->client = arg;
        break;
    case OPT_TOKEN_USER:
        f->user = arg;
        break;
    case OPT_TOKEN_STDIN:
        f->from_stdin = 1;
        break;
    case TOOL_OPT_JSON:
        f->json = 1;
        break;
    }
    return TOOL_OK;
}

/* The options list and revoke share; 0 or -1 as tool_opts_parse. */
static int tool_token_opts(tool_ctx_t *ctx, tool_opts_t *o, const char *cmd, int argc,
                           const char *const *argv, tool_token_filter_t *f)
{
    static const apr_getopt_option_t opts[] = { TOOL_COMMON_OPTIONS,
                                                { "client", OPT_TOKEN_CLIENT, 1, "client id" },
                                                { "user", OPT_TOKEN_USER, 1, "user name" },
                                                { "token-stdin", OPT_TOKEN_STDIN, 0,
                                                  "read the token from stdin" },
                                                TOOL_JSON_OPTION,
                                                { NULL, 0, 0, NULL } };

    memset(f, 0, sizeof(*f));
    tool_opts_init(ctx, o, cmd, tool_usage_token, argc, argv);
    if (tool_opts_parse(ctx, o, opts, tool_token_option, f) < 0) {
        return -1;
    }
    if ((o->status = tool_no_args(o)) != TOOL_OK) {
        return -1;
    }
    if ((f->client && !*f->client) || (f->user && !*f->user)) {
        o->status = tool_usage_error(o->cmd, "--client and --user want a non-empty value");
        return -1;
    }
    return 0;
}

static int tool_token_fetch(tool_db_t *db, const void *filter, apr_array_header_t **rows)
{
    const tool_token_filter_t *f = filter;

    return tool_db_token_list(db, f->client, f->user, rows);
}

static void tool_token_cells(apr_pool_t *p, const void *row, const char **cells)
{
    const tool_token_row_t *t = row;

    cells[0] = t->rotated ? "refresh-rotated" : t->kind;
    cells[1] = apr_pstrndup(p, t->hash, 12);
    cells[2] = t->client_id;
    cells[3] = t->user;
    cells[4] = t->scope;
    cells[5] = tool_format_time(p, t->issued);
    cells[6] = t->expires ? tool_format_time(p, t->expires) : "never";
}

static json_t *tool_token_json(apr_pool_t *p, const void *row)
{
    const tool_token_row_t *t = row;

    return json_pack("{s:s, s:b, s:s, s:o, s:o, s:o, s:s, s:o}", "kind", t->kind, "rotated",
                     t->rotated, "token_hash_prefix", apr_pstrndup(p, t->hash, 12), "client_id",
                     tool_json_str(t->client_id), "user_name", tool_json_str(t->user), "scope",
                     tool_json_list(p, t->scope), "issued", tool_format_time(p, t->issued),
                     "expires",
                     t->expires ? json_string(tool_format_time(p, t->expires)) : json_null());
}

static const char *const tool_token_heads[] = { "KIND",  "HASH",   "CLIENT_ID", "USER",
                                                "SCOPE", "ISSUED", "EXPIRES" };
static const tool_listing_t tool_token_listing = { tool_token_heads, 7, "no tokens",
                                                   tool_token_cells, tool_token_json };

static int tool_token_list(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    tool_token_filter_t f;
    tool_opts_t o;

    if (tool_token_opts(ctx, &o, "token list", argc, argv, &f) < 0) {
        return o.status;
    }
    if (f.from_stdin) {
        return tool_usage_error(o.cmd, "--token-stdin is for revoke");
    }
    return tool_list(ctx, tool_token_fetch, &f, &tool_token_listing, f.json);
}

/* --token-stdin: the token read, with its grant when it is a refresh token. */
static int tool_token_revoke_one(tool_ctx_t *ctx)
{
    tool_counts_t n;
    const char *token, *hash;
    int rc;

    if ((rc = tool_read_secret(ctx->pool, "token", &token)) != TOOL_OK) {
        return rc;
    }
    if (!(hash = mto_sha256_hex(ctx->pool, token, strlen(token)))) {
        return tool_fail("could not hash the token");
    }
    if ((rc = tool_db_token_revoke_hash(ctx->db, hash, &n)) != TOOL_OK) {
        return rc;
    }
    if (n.access + n.refresh == 0) {
        return tool_fail("no access or refresh token matches the token read "
                         "(expired and purged, revoked already, or mistyped)");
    }
    printf("revoked %d access token(s), %d refresh token(s)\n", n.access, n.refresh);
    return TOOL_OK;
}

/* --client/--user: every token of a client or user goes, which the admin
 * has not named one by one: asked first, with how many there are. */
static int tool_token_confirm(tool_ctx_t *ctx, const char *cmd, const tool_token_filter_t *f)
{
    apr_array_header_t *rows;
    int i, access = 0, refresh = 0, rc;

    if ((rc = tool_db_token_list(ctx->db, f->client, f->user, &rows)) != TOOL_OK) {
        return rc;
    }
    for (i = 0; i < rows->nelts; i++) {
        const tool_token_row_t *t = APR_ARRAY_IDX(rows, i, const tool_token_row_t *);

        *(strcmp(t->kind, "access") ? &refresh : &access) += 1;
    }
    return tool_confirm(ctx, cmd,
                        apr_psprintf(ctx->pool,
                                     "revoke %d access token(s), %d refresh token(s) and the unredeemed "
                                     "codes of %s%s%s%s%s%s",
                                     access, refresh, f->user ? "user '" : "",
                                     f->user ? f->user : "", f->user ? "'" : "",
                                     f->client && f->user ? " with " : "",
                                     f->client ? "client '" : "",
                                     f->client ? apr_pstrcat(ctx->pool, f->client, "'", NULL)
                                               : ""));
}

static int tool_token_revoke(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    tool_token_filter_t f;
    tool_counts_t n;
    tool_opts_t o;
    int rc;

    if (tool_token_opts(ctx, &o, "token revoke", argc, argv, &f) < 0) {
        return o.status;
    }
    if (f.json) {
        return tool_usage_error(o.cmd, "--json is for list");
    }
    if (f.from_stdin && (f.client || f.user)) {
        return tool_usage_error(o.cmd, "--token-stdin goes alone, without --client "
                                       "or --user");
    }
    if (!f.from_stdin && !f.client && !f.user) {
        return tool_usage_error(o.cmd, "say what to revoke: --client ID, --user USER "
                                       "or --token-stdin");
    }
    if ((rc = tool_db_open(ctx, 0)) != TOOL_OK) {
        return rc;
    }
    if (f.from_stdin) {
        return tool_token_revoke_one(ctx);
    }
    if ((rc = tool_token_confirm(ctx, o.cmd, &f)) != TOOL_OK
        || (rc = tool_db_token_revoke(ctx->db, f.client, f.user, &n)) != TOOL_OK) {
        return rc;
    }
    printf("revoked %d access token(s), %d refresh token(s), %d authorization code(s)\n", n.access,
           n.refresh, n.codes);
    return TOOL_OK;
}

int tool_cmd_token(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    static const tool_command_t subs[] = {
        { "list", tool_token_list },
        { "revoke", tool_token_revoke },
    };

    return tool_dispatch(ctx, "token", tool_usage_token, subs,
                         (int)(sizeof(subs) / sizeof(subs[0])), argc, argv);
}

/* ------------------------------------------------------------------- purge */

static const char tool_usage_purge[] =
    "Usage: " TOOL_NAME " purge\n"
    "\n"
    "Deletes what has expired: authorization codes, access and refresh tokens\n"
    "(those that never expire stay) and remembered approvals.  Prints the counts.\n"
    "Safe while httpd runs, e.g. daily from cron; it deletes only what is of no\n"
    "use any more, so it does not ask first.\n"
    "\n"
    "Examples:\n"
    "  " TOOL_NAME " -f /etc/apache2/apache2.conf purge\n"
    "  # /etc/cron.d/mytimetable-oauth:\n"
    "  17 3 * * * root " TOOL_NAME " -f /etc/apache2/apache2.conf purge >/dev/null\n"
    "\n" TOOL_USAGE_GLOBAL;

int tool_cmd_purge(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    tool_opts_t o;
    tool_counts_t n;
    int rc;

    if (tool_opts_plain(ctx, &o, "purge", tool_usage_purge, argc, argv) < 0) {
        return o.status;
    }
    if ((rc = tool_db_open(ctx, 0)) != TOOL_OK
        || (rc = tool_db_purge(ctx->db, tool_now(), &n)) != TOOL_OK) {
        return rc;
    }
    printf("purged %d authorization code(s), %d access token(s), %d refresh token(s), "
           "%d approval(s)\n",
           n.codes, n.access, n.refresh, n.approvals);
    return TOOL_OK;
}
