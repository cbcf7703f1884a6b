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
#include <jansson.h>

#include "tool.h"

static const char tool_usage_api_token[] =
    "Usage: " TOOL_NAME " api-token add NAME [--elevated] [--auth-required] [--plain]\n"
    "                                    [--token-stdin]\n"
    "       " TOOL_NAME " api-token list [--json]\n"
    "       " TOOL_NAME " api-token remove NAME [--yes]\n"
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
    "list: a table, one line per token: name, elevated, auth-required, stored\n"
    "  hashed or plain (--json: a JSON array of objects).  Tokens themselves are\n"
    "  never shown.\n"
    "remove: deletes the token(s) named NAME, after asking (on a terminal) or with\n"
    "  --yes; otherwise exit 3 and nothing changes.\n"
    "\n"
    "Examples:\n"
    "  " TOOL_NAME " -f /etc/apache2/apache2.conf api-token add \"Portal app\"\n"
    "  printf 'legacy-token\\n' | " TOOL_NAME " -f /etc/apache2/apache2.conf \\\n"
    "      api-token add legacy --plain --token-stdin --elevated\n"
    "  " TOOL_NAME " -f /etc/apache2/apache2.conf api-token list\n"
    "  " TOOL_NAME " -f /etc/apache2/apache2.conf api-token list --json\n"
    "  " TOOL_NAME " -f /etc/apache2/apache2.conf api-token remove \"Portal app\" --yes\n"
    "\n" TOOL_USAGE_GLOBAL;

enum { OPT_ELEVATED = TOOL_OPT_CMD, OPT_AUTH_REQUIRED, OPT_PLAIN, OPT_TOKEN_STDIN };

#define TOOL_API_TOKEN_MAX 256 /* api_tokens.name and .token */

/* A name shows up in logs and in `list`: printable, one line. */
static int tool_api_token_name_ok(const char *name)
{
    const unsigned char *c;

    if (!*name || strlen(name) > TOOL_API_TOKEN_MAX) {
        return 0;
    }
    for (c = (const unsigned char *)name; *c; c++) {
        if (*c < 0x20 || *c == 0x7f) {
            return 0;
        }
    }
    return 1;
}

static int tool_name_arg(tool_opts_t *o, const char **name)
{
    if (tool_nargs(o) != 1) {
        return tool_usage_error(o->cmd, tool_nargs(o) ? "one name, please (quote a name "
                                                        "with spaces)"
                                                      : "which name?");
    }
    *name = tool_arg(o, 0);
    if (!tool_api_token_name_ok(*name)) {
        return tool_usage_error(o->cmd,
                                "bad name: 1 to %d characters, no control "
                                "characters",
                                TOOL_API_TOKEN_MAX);
    }
    return TOOL_OK;
}

/* What the command line says of the new token. */
typedef struct {
    tool_api_token_row_t row;
    int plain;
    int from_stdin;
} tool_new_api_token_t;

/* tool_opt_fn; baton: tool_new_api_token_t. */
static int tool_api_token_add_option(tool_opts_t *o, int ch, const char *arg, void *baton)
{
    tool_new_api_token_t *t = baton;

    (void)o, (void)arg;
    switch (ch) {
    case OPT_ELEVATED:
        t->row.is_elevated = 1;
        break;
    case OPT_AUTH_REQUIRED:
        t->row.authentication_required = 1;
        break;
    case OPT_PLAIN:
        t->plain = 1;
        break;
    case OPT_TOKEN_STDIN:
        t->from_stdin = 1;
        break;
    }
    return TOOL_OK;
}

/* Reads or generates the token; *hashed: its {SHA-256} form. */
static int tool_api_token_make(apr_pool_t *p, const tool_new_api_token_t *t, const char **token,
                               const char **hashed, const char **shown)
{
    int rc;

    if ((rc = tool_secret_obtain(p, t->from_stdin, "API token", "token", token, shown))
        != TOOL_OK) {
        return rc;
    }
    /* A generated token is far shorter. */
    if (t->plain && strlen(*token) > TOOL_API_TOKEN_MAX) {
        return tool_fail("the token is longer than the %d characters api_tokens.token "
                         "holds in clear (store it hashed, without --plain)",
                         TOOL_API_TOKEN_MAX);
    }
    if (!(*hashed = mto_secret_hash_sha256(p, *token))) {
        return tool_fail("could not hash the token");
    }
    return TOOL_OK;
}

static int tool_api_token_add(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    static const apr_getopt_option_t opts[] = {
        TOOL_COMMON_OPTIONS,
        { "elevated", OPT_ELEVATED, 0, "may act as any user" },
        { "auth-required", OPT_AUTH_REQUIRED, 0, "needs an OAuth token too" },
        { "plain", OPT_PLAIN, 0, "store in clear" },
        { "token-stdin", OPT_TOKEN_STDIN, 0, "read the token from stdin" },
        { NULL, 0, 0, NULL }
    };
    tool_new_api_token_t t;
    tool_api_token_row_t *row = &t.row;
    tool_opts_t o;
    const char *token, *hashed, *shown;
    int rc, count;

    memset(&t, 0, sizeof(t));
    tool_opts_init(ctx, &o, "api-token add", tool_usage_api_token, argc, argv);
    if (tool_opts_parse(ctx, &o, opts, tool_api_token_add_option, &t) < 0) {
        return o.status;
    }
    if ((rc = tool_name_arg(&o, &row->name)) != TOOL_OK) {
        return rc;
    }

    if ((rc = tool_db_open(ctx, 0)) != TOOL_OK
        || (rc = tool_db_api_token_count_name(ctx->db, row->name, &count)) != TOOL_OK) {
        return rc;
    }
    if (count) {
        return tool_fail("an API token named '%s' exists already (api-token remove "
                         "deletes it)",
                         row->name);
    }
    if ((rc = tool_api_token_make(ctx->pool, &t, &token, &hashed, &shown)) != TOOL_OK) {
        return rc;
    }

    /* The same token twice would make its name ambiguous in the logs. */
    if ((rc = tool_db_api_token_count_token(ctx->db, token, hashed, &count)) != TOOL_OK) {
        return rc;
    }
    if (count) {
        return tool_fail("this token is stored already, under another name");
    }

    row->token = t.plain ? token : hashed;
    if ((rc = tool_db_api_token_insert(ctx->db, row)) != TOOL_OK) {
        return rc;
    }
    if (shown && (rc = tool_print_secret(shown, "API token")) != TOOL_OK) {
        return rc;
    }
    tool_note("API token '%s' added (%s%s%s)%s", row->name,
              t.plain ? "stored in clear" : "stored hashed", row->is_elevated ? ", elevated" : "",
              row->authentication_required ? ", OAuth token required" : "",
              shown ? "; the token (above) is shown this once only" : "");
    return TOOL_OK;
}

static int tool_api_token_fetch(tool_db_t *db, const void *filter, apr_array_header_t **rows)
{
    (void)filter;
    return tool_db_api_token_list(db, rows);
}

static const char *tool_api_token_stored(const tool_api_token_row_t *t)
{
    return !strncmp(t->token, "{SHA-256}", 9) ? "hashed" : "plain";
}

static void tool_api_token_cells(apr_pool_t *p, const void *row, const char **cells)
{
    const tool_api_token_row_t *t = row;

    (void)p;
    cells[0] = t->name;
    cells[1] = t->is_elevated ? "yes" : "no";
    cells[2] = t->authentication_required ? "yes" : "no";
    cells[3] = tool_api_token_stored(t);
}

static json_t *tool_api_token_json(apr_pool_t *p, const void *row)
{
    const tool_api_token_row_t *t = row;

    (void)p;
    return json_pack("{s:o, s:b, s:b, s:s}", "name", tool_json_str(t->name), "is_elevated",
                     t->is_elevated, "authentication_required", t->authentication_required,
                     "stored", tool_api_token_stored(t));
}

static int tool_api_token_list(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    static const char *const heads[] = { "NAME", "ELEVATED", "AUTH-REQUIRED", "STORED" };
    static const tool_listing_t listing = { heads, 4, "no API tokens", tool_api_token_cells,
                                            tool_api_token_json };

    return tool_list_cmd(ctx, "api-token list", tool_usage_api_token, tool_api_token_fetch,
                         &listing, argc, argv);
}

static int tool_api_token_remove(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    tool_opts_t o;
    const char *name;
    int rc, n;

    tool_opts_init(ctx, &o, "api-token remove", tool_usage_api_token, argc, argv);
    if (tool_opts_parse(ctx, &o, NULL, NULL, NULL) < 0) {
        return o.status;
    }
    if ((rc = tool_name_arg(&o, &name)) != TOOL_OK) {
        return rc;
    }
    if ((rc = tool_db_open(ctx, 0)) != TOOL_OK
        || (rc = tool_db_api_token_count_name(ctx->db, name, &n)) != TOOL_OK) {
        return rc;
    }
    if (n == 0) {
        return tool_fail("no API token named '%s'", name);
    }
    if ((rc = tool_confirm(ctx, o.cmd,
                           apr_psprintf(ctx->pool,
                                        "remove %d API token(s) named '%s': requests "
                                        "with %s fail from then on",
                                        n, name, n == 1 ? "it" : "them")))
            != TOOL_OK
        || (rc = tool_db_api_token_remove(ctx->db, name, &n)) != TOOL_OK) {
        return rc;
    }
    if (n == 0) {
        return tool_fail("no API token named '%s' (removed meanwhile?)", name);
    }
    printf("removed %d API token(s) named %s\n", n, name);
    return TOOL_OK;
}

int tool_cmd_api_token(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    static const tool_command_t subs[] = {
        { "add", tool_api_token_add },
        { "list", tool_api_token_list },
        { "remove", tool_api_token_remove },
    };

    return tool_dispatch(ctx, "api-token", tool_usage_api_token, subs,
                         (int)(sizeof(subs) / sizeof(subs[0])), argc, argv);
}
