/*
 * cmd_client.c - client list|show|remove|secret and what client add
 * (cmd_client_add.c) shares with them: the rows of oauth_client_details, in
 * Spring Security OAuth's format (README "Using an existing MyTimetable
 * database").
 */
#include <stdio.h>
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>
#include <jansson.h>

#include "tool.h"

const char tool_usage_client[] =
    "Usage: " TOOL_NAME " client add ID --redirect-uri URI[,URI…] [options]\n"
    "       " TOOL_NAME " client add ID --resource-server [--secret-stdin] [--hash …]\n"
    "       " TOOL_NAME " client update ID [--name NAME] [--logo-uri URI] …\n"
    "       " TOOL_NAME " client list [--json]\n"
    "       " TOOL_NAME " client show ID\n"
    "       " TOOL_NAME " client remove ID [--yes]\n"
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
    "  --resource-server           a resource server (RFC 7662 §4): it may introspect\n"
    "                              every client's access tokens and gets no codes or\n"
    "                              tokens (authorities ROLE_RESOURCE_SERVER; no\n"
    "                              redirect URI, scope or grant type)\n"
    "  --public                    a native or browser app: no secret, PKCE S256\n"
    "                              required, client_id alone at the token endpoint\n"
    "  --name NAME                 shown on the consent page instead of the id\n"
    "  --logo-uri, --client-uri, --policy-uri, --tos-uri URI\n"
    "                              https only: the logo and links of the consent page\n"
    "  --allowed-origin ORIGIN     scheme://host[:port] of a browser app that may\n"
    "                              call the token endpoint (CORS; may be repeated)\n"
    "update: sets those metadata options (and --public, which removes the secret)\n"
    "  on an existing client; other keys of additional_information are kept.\n"
    "list: a table, one line per client: id, scopes, redirect URIs, grant types,\n"
    "  authorities; with --json, a JSON array of objects (lists as arrays, and the\n"
    "  autoapprove and validity columns too).\n"
    "show: every column of the client; of the secret only its format.\n"
    "remove: deletes the client with its codes, tokens and approvals, after asking\n"
    "  (on a terminal) or with --yes; otherwise exit 3 and nothing changes.\n"
    "secret: sets a new secret (printed once unless --secret-stdin).  Tokens\n"
    "  issued already stay valid: `token revoke --client ID` ends them.\n"
    "\n"
    "Examples:\n"
    "  " TOOL_NAME " -f /etc/apache2/apache2.conf client add webapp \\\n"
    "      --redirect-uri https://app.example.org/cb --scope profile_read,alltimetables\n"
    "  " TOOL_NAME " -f /etc/apache2/apache2.conf client add rs-api --resource-server\n"
    "  " TOOL_NAME " -f /etc/apache2/apache2.conf client list\n"
    "  " TOOL_NAME " -f /etc/apache2/apache2.conf client list --json\n"
    "  " TOOL_NAME " -f /etc/apache2/apache2.conf client show webapp\n"
    "  " TOOL_NAME " -f /etc/apache2/apache2.conf client remove webapp --yes\n"
    "  printf '%s\\n' \"$SECRET\" | " TOOL_NAME " -f /etc/apache2/apache2.conf \\\n"
    "      client secret webapp --secret-stdin --hash bcrypt\n"
    "\n" TOOL_USAGE_GLOBAL;

/* oauth_client_details.client_id (the schema files). */
#define TOOL_ID_MAX 256

/* ---------------------------------------------------------------- checks */

/* MyTimetable asks for [A-Za-z0-9]; '.', '_' and '-' are as safe in every
 * place a client id appears (URLs, logs, the consent page). */
static int tool_client_id_ok(const char *id)
{
    const char *c;

    if (!*id || strlen(id) > TOOL_ID_MAX) {
        return 0;
    }
    for (c = id; *c; c++) {
        if (!apr_isalnum(*c) && *c != '.' && *c != '_' && *c != '-') {
            return 0;
        }
    }
    return 1;
}

static int tool_check_id(const char *cmd, const char *id)
{
    if (!tool_client_id_ok(id)) {
        return tool_usage_error(cmd,
                                "bad client id '%s': use 1 to %d letters, digits, "
                                "'.', '_' or '-'",
                                id, TOOL_ID_MAX);
    }
    return TOOL_OK;
}

int tool_secret_option(tool_opts_t *o, int ch, const char *arg, void *baton)
{
    tool_secret_opts_t *s = baton;

    switch (ch) {
    case TOOL_OPT_SECRET_STDIN:
        s->from_stdin = 1;
        break;
    case TOOL_OPT_HASH:
        if ((s->bcrypt = tool_parse_hash_name(arg)) < 0) {
            return tool_usage_error(o->cmd, "--hash is sha256 or bcrypt, not '%s'", arg);
        }
        break;
    case TOOL_OPT_BCRYPT_COST:
        s->cost_given = 1;
        return tool_parse_cost(o->cmd, "--bcrypt-cost", arg, &s->cost);
    }
    return TOOL_OK;
}

int tool_secret_check(const char *cmd, tool_secret_opts_t *s)
{
    if (s->cost_given && s->bcrypt != 1) {
        return tool_usage_error(cmd, "--bcrypt-cost needs --hash bcrypt");
    }
    if (s->bcrypt < 0) {
        s->bcrypt = 0;
    }
    return TOOL_OK;
}

int tool_secret_make(apr_pool_t *p, const tool_secret_opts_t *s, const char **hash,
                     const char **shown)
{
    const char *secret;
    int rc;

    if ((rc = tool_secret_obtain(p, s->from_stdin, "client secret", "secret", &secret, shown))
        != TOOL_OK) {
        return rc;
    }
    return tool_hash_secret(p, secret, s->bcrypt, (int)s->cost, hash);
}

/* The format of a stored secret, never the secret or its hash. */
static const char *tool_secret_format(apr_pool_t *p, const char *stored)
{
    const char *end;

    if (!stored || !*stored) {
        return "(none: the client cannot authenticate)";
    }
    if (stored[0] != '{' || !(end = strchr(stored, '}'))) {
        return "(no {format} prefix: the client cannot authenticate)";
    }
    if (!strncmp(stored, "{SHA-256}{", 10)) {
        return "{SHA-256} (salted)";
    }
    return apr_pstrmemdup(p, stored, (apr_size_t)(end - stored + 1));
}

/* ------------------------------------------------------------------ list */

static int tool_client_fetch(tool_db_t *db, const void *filter, apr_array_header_t **rows)
{
    (void)filter;
    return tool_db_client_list(db, rows);
}

static void tool_client_cells(apr_pool_t *p, const void *row, const char **cells)
{
    const tool_client_row_t *c = row;

    (void)p;
    cells[0] = c->client_id;
    cells[1] = c->scope;
    cells[2] = c->web_server_redirect_uri;
    cells[3] = c->authorized_grant_types;
    cells[4] = c->authorities;
}

static json_t *tool_json_int(const char *v)
{
    return v ? json_integer(apr_atoi64(v)) : json_null();
}

static json_t *tool_client_json(apr_pool_t *p, const void *row)
{
    const tool_client_row_t *c = row;

    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "client_id",
                     tool_json_str(c->client_id), "scope", tool_json_list(p, c->scope),
                     "web_server_redirect_uri", tool_json_list(p, c->web_server_redirect_uri),
                     "authorized_grant_types", tool_json_list(p, c->authorized_grant_types),
                     "authorities", tool_json_list(p, c->authorities), "autoapprove",
                     tool_json_str(c->autoapprove), "access_token_validity",
                     tool_json_int(c->access_token_validity), "refresh_token_validity",
                     tool_json_int(c->refresh_token_validity));
}

static int tool_client_list(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    static const char *const heads[] = { "CLIENT_ID", "SCOPE", "REDIRECT_URI", "GRANT_TYPES",
                                         "AUTHORITIES" };
    static const tool_listing_t listing = { heads, 5, "no clients", tool_client_cells,
                                            tool_client_json };

    return tool_list_cmd(ctx, "client list", tool_usage_client, tool_client_fetch, &listing, argc,
                         argv);
}

/* -------------------------------------------------- show, remove, secret */

int tool_client_id_arg(tool_opts_t *o, const char **id)
{
    if (tool_nargs(o) != 1) {
        return tool_usage_error(o->cmd,
                                tool_nargs(o) ? "one client id, please" : "which client id?");
    }
    *id = tool_arg(o, 0);
    return tool_check_id(o->cmd, *id);
}

/* `client SUB ID` with only the common options; 0 or -1 as tool_opts_parse. */
static int tool_client_plain_id(tool_ctx_t *ctx, tool_opts_t *o, const char *cmd, int argc,
                                const char *const *argv, const char **id)
{
    tool_opts_init(ctx, o, cmd, tool_usage_client, argc, argv);
    if (tool_opts_parse(ctx, o, NULL, NULL, NULL) < 0) {
        return -1;
    }
    if ((o->status = tool_client_id_arg(o, id)) != TOOL_OK) {
        return -1;
    }
    return 0;
}

static const char *tool_validity_text(apr_pool_t *p, const char *v, const char *dflt)
{
    if (!v) {
        return dflt;
    }
    if (!strcmp(v, "0")) {
        return "0 (never expires)";
    }
    return apr_pstrcat(p, v, " seconds", NULL);
}

static int tool_client_show(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    tool_client_row_t *c;
    tool_opts_t o;
    const char *id;
    int rc;

    if (tool_client_plain_id(ctx, &o, "client show", argc, argv, &id) < 0) {
        return o.status;
    }
    if ((rc = tool_db_open(ctx, 0)) != TOOL_OK
        || (rc = tool_db_client_get(ctx->db, id, &c)) != TOOL_OK) {
        return rc;
    }
    if (!c) {
        return tool_fail("no client '%s'", id);
    }

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
           tool_validity_text(ctx->pool, c->refresh_token_validity, "default (30 days)"));
    printf("resource_ids:            %s\n", NUL_(c->resource_ids));
    printf("authorities:             %s\n", NUL_(c->authorities));
    printf("additional_information:  %s\n", NUL_(c->additional_information));
#undef NUL_
    return TOOL_OK;
}

static int tool_client_remove(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    tool_client_row_t *c;
    tool_counts_t n;
    tool_opts_t o;
    const char *id;
    int rc, found;

    if (tool_client_plain_id(ctx, &o, "client remove", argc, argv, &id) < 0) {
        return o.status;
    }
    if ((rc = tool_db_open(ctx, 0)) != TOOL_OK
        || (rc = tool_db_client_get(ctx->db, id, &c)) != TOOL_OK) {
        return rc;
    }
    if (!c) {
        return tool_fail("no client '%s'", id);
    }
    if ((rc = tool_confirm(ctx, o.cmd,
                           apr_psprintf(ctx->pool,
                                        "remove client '%s' with all its authorization "
                                        "codes, access and refresh tokens and approvals",
                                        id)))
            != TOOL_OK
        || (rc = tool_db_client_remove(ctx->db, id, &found, &n)) != TOOL_OK) {
        return rc;
    }
    if (!found) {
        return tool_fail("no client '%s' (removed meanwhile?)", id);
    }
    printf("removed client %s with %d authorization code(s), %d access token(s), "
           "%d refresh token(s), %d approval(s)\n",
           id, n.codes, n.access, n.refresh, n.approvals);
    return TOOL_OK;
}

static int tool_client_secret(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    static const apr_getopt_option_t opts[] = { TOOL_COMMON_OPTIONS,
                                                TOOL_SECRET_OPTIONS,
                                                { NULL, 0, 0, NULL } };
    tool_secret_opts_t sec = TOOL_SECRET_OPTS_INIT;
    tool_client_row_t *c;
    tool_opts_t o;
    const char *id, *hash, *shown;
    int rc, found;

    tool_opts_init(ctx, &o, "client secret", tool_usage_client, argc, argv);
    if (tool_opts_parse(ctx, &o, opts, tool_secret_option, &sec) < 0) {
        return o.status;
    }
    if ((rc = tool_client_id_arg(&o, &id)) != TOOL_OK
        || (rc = tool_secret_check(o.cmd, &sec)) != TOOL_OK) {
        return rc;
    }
    if ((rc = tool_db_open(ctx, 0)) != TOOL_OK
        || (rc = tool_db_client_get(ctx->db, id, &c)) != TOOL_OK) {
        return rc;
    }
    if (!c) {
        return tool_fail("no client '%s'", id);
    }
    if ((rc = tool_secret_make(ctx->pool, &sec, &hash, &shown)) != TOOL_OK
        || (rc = tool_db_client_set_secret(ctx->db, id, hash, &found)) != TOOL_OK) {
        return rc;
    }
    if (!found) {
        return tool_fail("no client '%s' (removed meanwhile?)", id);
    }
    if (shown && (rc = tool_print_secret(shown, "client secret")) != TOOL_OK) {
        return rc;
    }
    tool_note("new secret set for client '%s'%s; tokens issued already stay valid "
              "(token revoke --client %s ends them)",
              id, shown ? " (above, shown this once only)" : "", id);
    return TOOL_OK;
}

/* ------------------------------------------------------------- dispatch */

int tool_cmd_client(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    static const tool_command_t subs[] = {
        { "add", tool_client_add },       { "list", tool_client_list },
        { "show", tool_client_show },     { "remove", tool_client_remove },
        { "secret", tool_client_secret }, { "update", tool_client_update },
    };

    return tool_dispatch(ctx, "client", tool_usage_client, subs,
                         (int)(sizeof(subs) / sizeof(subs[0])), argc, argv);
}
