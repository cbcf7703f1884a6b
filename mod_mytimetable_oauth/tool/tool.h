/*
 * tool.h - the admin tool `mytimetable-oauth` (README "Admin tool reference").
 *
 * main.c parses the command line and dispatches; common.c has the helpers
 * every command shares (messages, secrets, numbers, listings); each cmd_*.c
 * is one family of commands; store/tool_db.c and store/tool_rows.c are the
 * only files that talk to apr_dbd, running the statements of
 * store/statements.c (shared with the module).  The protocol core
 * (core/core.h) supplies hashing and random values.
 */
#ifndef MTO_TOOL_H
#define MTO_TOOL_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_getopt.h>

#include "core/core.h"

#define TOOL_NAME "mytimetable-oauth"

/* Exit statuses. */
#define TOOL_OK      0
#define TOOL_FAIL    1 /* what was asked could not be done */
#define TOOL_USAGE   2 /* the command line is wrong */
#define TOOL_REFUSED 3 /* a destructive command not confirmed: no --yes, no "y" */

/* Longest secret, token or stdin line accepted. */
#define TOOL_LINE_MAX 4096

/* bcrypt cost when none is given (README "Admin tool reference": like htpasswd -B). */
#define TOOL_BCRYPT_COST 10

/* Random bytes of a generated client secret or API token. */
#define TOOL_SECRET_BYTES 32

/* Option codes every command understands (apr_getopt_option_t.optch);
 * commands number their own long-only options from TOOL_OPT_CMD. */
enum {
    TOOL_OPT_DRIVER = 256,
    TOOL_OPT_PARAMS,
    TOOL_OPT_VHOST,
    TOOL_OPT_SERVER_ROOT,
    TOOL_OPT_JSON,
    TOOL_OPT_CMD = 300
};

#define TOOL_COMMON_OPTIONS                                                                        \
    { "help", 'h', 0, "show the usage and exit" },                                                 \
        { "driver", TOOL_OPT_DRIVER, 1, "apr_dbd driver" },                                        \
        { "params", TOOL_OPT_PARAMS, 1, "apr_dbd connection string" },                             \
        { "config", 'f', 1, "httpd configuration file" },                                          \
        { "vhost", TOOL_OPT_VHOST, 1, "virtual host of the configuration" },                       \
        { "server-root", TOOL_OPT_SERVER_ROOT, 1, "ServerRoot of the configuration" },             \
    {                                                                                              \
        "yes", 'y', 0, "go ahead without asking"                                                   \
    }

/* --json, for the listings. */
#define TOOL_JSON_OPTION                                                                           \
    {                                                                                              \
        "json", TOOL_OPT_JSON, 0, "a JSON array of objects"                                        \
    }

/* The usage lines of the global options, for every command's --help. */
#define TOOL_USAGE_GLOBAL                                                                          \
    "Database options (before or after the command):\n"                                            \
    "  -f, --config FILE    read DBDriver and DBDParams from httpd's configuration\n"              \
    "                       (e.g. /etc/apache2/apache2.conf), following Includes\n"                \
    "  --vhost NAME[:PORT]  ... those of the <VirtualHost> with this ServerName or\n"              \
    "                       ServerAlias (default: the main server's)\n"                            \
    "  --server-root DIR    ServerRoot for relative Includes, unless FILE sets one\n"              \
    "                       (default: FILE's folder, or its parent if named conf)\n"               \
    "  --driver NAME        or: the apr_dbd driver, sqlite3 (default) or pgsql\n"                  \
    "  --params STRING      and its parameters: the sqlite3 database file, or\n"                   \
    "                       \"host=… dbname=… user=…\" (pgsql)\n"                            \
    "  -y, --yes            go ahead with a destructive command without asking\n"                  \
    "\n"                                                                                           \
    "Exit status: 0 done, 1 failed (the reason is on stderr), 2 wrong command line,\n"             \
    "3 a destructive command not confirmed (nothing changed).\n"

typedef struct tool_db_t tool_db_t;

typedef struct {
    apr_pool_t *pool;
    const char *driver;      /* apr_dbd driver name; NULL: not given (sqlite3) */
    const char *params;      /* its connection string; NULL: not given */
    const char *config;      /* -f: httpd's configuration, or NULL */
    const char *vhost;       /* --vhost NAME[:PORT], or NULL: the main server */
    const char *server_root; /* --server-root, or NULL */
    int yes;                 /* --yes: destructive commands go ahead */
    int chosen;              /* tool_database has run */
    tool_db_t *db;           /* open connection, or NULL */
} tool_ctx_t;

/* One command's option parser (main.c). */
typedef struct {
    apr_getopt_t *os;
    const char *cmd;   /* "client add": for messages */
    const char *usage; /* printed by --help */
    int status;        /* exit status when parsing returned -1 */
} tool_opts_t;

typedef int tool_cmd_fn(tool_ctx_t *ctx, int argc, const char *const *argv);

/* A command or subcommand by name. */
typedef struct {
    const char *name;
    tool_cmd_fn *run;
} tool_command_t;

/* One of a command's own options: TOOL_OK, or the status to exit with (the
 * message printed). */
typedef int tool_opt_fn(tool_opts_t *o, int ch, const char *arg, void *baton);

/* ------------------------------------------------------------------ main.c */

/* argv[0] is the command's last word; options may come anywhere. */
void tool_opts_init(tool_ctx_t *ctx, tool_opts_t *o, const char *cmd, const char *usage, int argc,
                    const char *const *argv);

/* Reads every option: --help, --driver and --params here, those of opts
 * (NULL: none other) handed to fn with baton.  0: go on (tool_nargs and
 * tool_arg give the arguments); -1: return o->status (--help was answered,
 * or the line is wrong and the message printed). */
int tool_opts_parse(tool_ctx_t *ctx, tool_opts_t *o, const apr_getopt_option_t *opts,
                    tool_opt_fn *fn, void *baton);

/* tool_opts_init and tool_opts_parse for a command with only the common
 * options and no argument; 0 or -1 as tool_opts_parse. */
int tool_opts_plain(tool_ctx_t *ctx, tool_opts_t *o, const char *cmd, const char *usage, int argc,
                    const char *const *argv);

int tool_nargs(const tool_opts_t *o);
const char *tool_arg(const tool_opts_t *o, int i);

/* An argument where none is expected: message and TOOL_USAGE. */
int tool_no_args(tool_opts_t *o);

/* Runs the subcommand argv[1] of a family (client, api-token, token).
 * None: the usage on stderr and TOOL_USAGE; --help or -h: on stdout. */
int tool_dispatch(tool_ctx_t *ctx, const char *family, const char *usage,
                  const tool_command_t *subs, int nsubs, int argc, const char *const *argv);

/* ---------------------------------------------------------------- common.c */

/* "mytimetable-oauth CMD: message" and a pointer to --help; TOOL_USAGE. */
int tool_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "mytimetable-oauth: message" on stderr: a remark that does not change
 * the exit status. */
void tool_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The same for what made the command fail; TOOL_FAIL. */
#define tool_fail(...) (tool_note(__VA_ARGS__), TOOL_FAIL)

/* One line from standard input (a prompt without echo when it is a
 * terminal), without its line end.  An empty line, a NUL byte or more than
 * TOOL_LINE_MAX bytes: message and TOOL_FAIL. */
int tool_read_secret(apr_pool_t *p, const char *what, const char **out);

/* A secret read from standard input (from_stdin) or generated: *shown is
 * the generated one, to print once it is stored, or NULL.  what names it
 * ("client secret"), noun too ("secret"). */
int tool_secret_obtain(apr_pool_t *p, int from_stdin, const char *what, const char *noun,
                       const char **secret, const char **shown);

/* Prints a freshly generated secret: its only appearance anywhere. */
int tool_print_secret(const char *secret, const char *what);

/* A decimal in [min, max] and nothing else. */
int tool_parse_int(const char *s, apr_int64_t min, apr_int64_t max, apr_int64_t *out);

/* Now, in epoch seconds. */
apr_int64_t tool_now(void);

/* Epoch seconds as 2024-05-01T12:00:00Z. */
const char *tool_format_time(apr_pool_t *p, apr_int64_t t);

/* Spring-format hash of a secret: "sha256" or "bcrypt" (cost). */
int tool_hash_secret(apr_pool_t *p, const char *secret, int bcrypt, int cost, const char **out);

/* A bcrypt cost, 4 to 31, given as option opt (--bcrypt-cost, --cost). */
int tool_parse_cost(const char *cmd, const char *opt, const char *arg, apr_int64_t *cost);

/* --hash sha256|bcrypt: 0 SHA-256, 1 bcrypt, -1 neither. */
int tool_parse_hash_name(const char *s);

/* -f: sets ctx->driver and ctx->params from httpd's configuration (once);
 * the defaults without -f.  TOOL_OK, or the status to exit with (the
 * message printed). */
int tool_database(tool_ctx_t *ctx);

/* ---------------------------------------------------------------- output.c */

struct json_t; /* jansson's, for the files that build JSON */

/* A string, or JSON null for NULL (bytes that are not UTF-8 as '?'). */
struct json_t *tool_json_str(const char *s);
/* A comma or space separated list as an array; null for NULL. */
struct json_t *tool_json_list(apr_pool_t *p, const char *s);

/* A listing: the rows of a fetcher (filter: its own), shown as a table with
 * a head line and aligned columns, or as a JSON array of objects. */
typedef int tool_fetch_fn(tool_db_t *db, const void *filter, apr_array_header_t **rows);
typedef struct {
    const char *const *heads; /* column titles */
    int ncols;
    const char *none; /* said on stderr when there is no row */
    /* The row's ncols cells (NULL or "": shown as "-"). */
    void (*cells)(apr_pool_t *p, const void *row, const char **cells);
    /* The row as a JSON object (a new reference). */
    struct json_t *(*json)(apr_pool_t *p, const void *row);
} tool_listing_t;

int tool_list(tool_ctx_t *ctx, tool_fetch_fn *fetch, const void *filter, const tool_listing_t *l,
              int json);

/* tool_opt_fn of TOOL_JSON_OPTION; baton: int, set to 1. */
int tool_json_option(tool_opts_t *o, int ch, const char *arg, void *baton);

/* A listing command with --json only (client list, api-token list). */
int tool_list_cmd(tool_ctx_t *ctx, const char *cmd, const char *usage, tool_fetch_fn *fetch,
                  const tool_listing_t *l, int argc, const char *const *argv);

/* The go-ahead of a destructive command (README "Admin tool reference"):
 * TOOL_OK with --yes or when "y" is typed at the prompt on a terminal;
 * otherwise the refusal printed and TOOL_REFUSED.  what: "remove client
 * 'x' with …", said in the question and the refusal. */
int tool_confirm(tool_ctx_t *ctx, const char *cmd, const char *what);

/* The commands. */
tool_cmd_fn tool_cmd_init;
tool_cmd_fn tool_cmd_client;
tool_cmd_fn tool_cmd_api_token;
tool_cmd_fn tool_cmd_token;
tool_cmd_fn tool_cmd_purge;
tool_cmd_fn tool_cmd_hash;
tool_cmd_fn tool_cmd_key;

/* ------------------------------------ cmd_client.c, for cmd_client_add.c */

extern const char tool_usage_client[];

/* The options of a new client secret (client add, client secret); client
 * add numbers its own from TOOL_OPT_CLIENT. */
enum { TOOL_OPT_SECRET_STDIN = TOOL_OPT_CMD, TOOL_OPT_HASH, TOOL_OPT_BCRYPT_COST, TOOL_OPT_CLIENT };

#define TOOL_SECRET_OPTIONS                                                                        \
    { "secret-stdin", TOOL_OPT_SECRET_STDIN, 0, "read the secret from stdin" },                    \
        { "hash", TOOL_OPT_HASH, 1, "sha256 or bcrypt" },                                          \
    {                                                                                              \
        "bcrypt-cost", TOOL_OPT_BCRYPT_COST, 1, "bcrypt cost"                                      \
    }

/* How the new secret comes and is stored. */
typedef struct {
    int from_stdin;
    int bcrypt; /* -1: not said (SHA-256) */
    apr_int64_t cost;
    int cost_given;
} tool_secret_opts_t;

#define TOOL_SECRET_OPTS_INIT                                                                      \
    {                                                                                              \
        0, -1, TOOL_BCRYPT_COST, 0                                                                 \
    }

/* tool_opt_fn for TOOL_SECRET_OPTIONS; baton: tool_secret_opts_t. */
int tool_secret_option(tool_opts_t *o, int ch, const char *arg, void *baton);
/* After the options: --bcrypt-cost needs --hash bcrypt. */
int tool_secret_check(const char *cmd, tool_secret_opts_t *s);
/* Reads or generates the secret, and hashes it; *shown as tool_secret_obtain. */
int tool_secret_make(apr_pool_t *p, const tool_secret_opts_t *s, const char **hash,
                     const char **shown);

/* The one argument of `client SUB ID`, checked. */
int tool_client_id_arg(tool_opts_t *o, const char **id);

/* cmd_client_add.c */
tool_cmd_fn tool_client_add;

/* ---------------------------------------------------- cmd_client_info.c */

/* The metadata options of client add and client update: members of
 * additional_information (docs/endpoints.md, "For app developers"). */
enum {
    TOOL_OPT_NAME = TOOL_OPT_CMD + 100,
    TOOL_OPT_LOGO_URI,
    TOOL_OPT_CLIENT_URI,
    TOOL_OPT_POLICY_URI,
    TOOL_OPT_TOS_URI,
    TOOL_OPT_ALLOWED_ORIGIN,
    TOOL_OPT_PUBLIC
};

#define TOOL_INFO_OPTIONS                                                                          \
    { "name", TOOL_OPT_NAME, 1, "client_name" },                                                   \
        { "logo-uri", TOOL_OPT_LOGO_URI, 1, "https logo" },                                        \
        { "client-uri", TOOL_OPT_CLIENT_URI, 1, "https home page" },                               \
        { "policy-uri", TOOL_OPT_POLICY_URI, 1, "https privacy policy" },                          \
        { "tos-uri", TOOL_OPT_TOS_URI, 1, "https terms of service" },                              \
        { "allowed-origin", TOOL_OPT_ALLOWED_ORIGIN, 1, "CORS origin" },                           \
    {                                                                                              \
        "public", TOOL_OPT_PUBLIC, 0, "public client"                                              \
    }

/* What the metadata options said; NULL / 0 / empty: not given. */
typedef struct {
    const char *name, *logo_uri, *client_uri, *policy_uri, *tos_uri;
    apr_array_header_t *origins; /* canonical */
    int public;
} tool_client_info_t;

void tool_client_info_init(apr_pool_t *p, tool_client_info_t *i);

/* 1 when ch is one of TOOL_INFO_OPTIONS: *rc is then TOOL_OK, or the
 * status of the usage error printed; 0 for any other option. */
int tool_client_info_option(tool_opts_t *o, int ch, const char *arg, tool_client_info_t *i,
                            int *rc);

/* additional_information: existing (NULL: none) with the options applied,
 * other members kept, into *out (NULL when there is nothing to store). */
int tool_client_info_json(apr_pool_t *p, const char *cmd, const tool_client_info_t *i,
                          const char *existing, const char **out);

tool_cmd_fn tool_client_update;

/* ----------------------------------------- store/tool_db.c, store/tool_rows.c */

/* Every function prints what went wrong (naming the driver and apr_dbd's
 * message) and returns TOOL_FAIL, or returns TOOL_OK. */

/* Opens ctx->db.  create: `init` may create a new SQLite file; any other
 * command refuses a file that does not exist rather than create it empty. */
int tool_db_open(tool_ctx_t *ctx, int create);
void tool_db_close(tool_ctx_t *ctx);

/* Runs the embedded schema of the database's SQL dialect, one statement at
 * a time.  *journal gets SQLite's journal mode after it ("wal"), or NULL. */
int tool_db_init(tool_db_t *db, int *nstatements, const char **journal);

/* The open database's SQL dialect: "sqlite3", "pgsql", "mysql", "tsql"
 * (store/dialect.h). */
const char *tool_db_dialect(const tool_db_t *db);

/* A row of oauth_client_details as text; NULL where the column is NULL. */
typedef struct {
    const char *client_id;
    const char *resource_ids;
    const char *client_secret;
    const char *scope;
    const char *authorized_grant_types;
    const char *web_server_redirect_uri;
    const char *authorities;
    const char *access_token_validity;
    const char *refresh_token_validity;
    const char *additional_information;
    const char *autoapprove;
} tool_client_row_t;

/* Rows removed or revoked, per table. */
typedef struct {
    int codes;
    int access;
    int refresh;
    int approvals;
} tool_counts_t;

/* *out is NULL when there is no such client. */
int tool_db_client_get(tool_db_t *db, const char *client_id, tool_client_row_t **out);
int tool_db_client_insert(tool_db_t *db, const tool_client_row_t *c);
/* tool_client_row_t *, ordered by client_id. */
int tool_db_client_list(tool_db_t *db, apr_array_header_t **rows);
int tool_db_client_set_secret(tool_db_t *db, const char *client_id, const char *hash, int *found);
int tool_db_client_set_info(tool_db_t *db, const char *client_id, const char *info, int *found);
/* The client and its codes, tokens and approvals, in one transaction. */
int tool_db_client_remove(tool_db_t *db, const char *client_id, int *found, tool_counts_t *removed);

typedef struct {
    const char *name;
    const char *token; /* as stored: clear or {SHA-256}hex */
    int is_elevated;
    int authentication_required;
} tool_api_token_row_t;

/* Rows named name; rows holding either form of one token. */
int tool_db_api_token_count_name(tool_db_t *db, const char *name, int *count);
int tool_db_api_token_count_token(tool_db_t *db, const char *clear, const char *hashed, int *count);
int tool_db_api_token_insert(tool_db_t *db, const tool_api_token_row_t *t);
/* tool_api_token_row_t *, ordered by name. */
int tool_db_api_token_list(tool_db_t *db, apr_array_header_t **rows);
int tool_db_api_token_remove(tool_db_t *db, const char *name, int *removed);

typedef struct {
    const char *kind; /* "access" or "refresh" */
    const char *hash; /* SHA-256 hex of the token */
    const char *client_id;
    const char *user;
    const char *scope;
    apr_int64_t issued;
    apr_int64_t expires; /* 0: never */
    int rotated;         /* a refresh token replaced by a newer one */
} tool_token_row_t;

/* Access and refresh tokens, either filter NULL for any. */
int tool_db_token_list(tool_db_t *db, const char *client_id, const char *user,
                       apr_array_header_t **rows);
/* Deletes the access and refresh tokens and unredeemed codes of a client
 * and/or user (at least one given), in one transaction. */
int tool_db_token_revoke(tool_db_t *db, const char *client_id, const char *user,
                         tool_counts_t *revoked);
/* Deletes the token with this SHA-256 hex: an access token, or a refresh
 * token with its whole grant (its rotated family and the access tokens
 * issued from it, as RFC 7009 §2.1 asks). */
int tool_db_token_revoke_hash(tool_db_t *db, const char *hash, tool_counts_t *revoked);

/* Deletes what expired before now (README "Admin tool reference" purge),
 * with the module's own purge statements (store/statements.c). */
int tool_db_purge(tool_db_t *db, apr_int64_t now, tool_counts_t *purged);

#endif /* MTO_TOOL_H */
