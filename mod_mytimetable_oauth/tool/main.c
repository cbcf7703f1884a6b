/*
 * main.c - `mytimetable-oauth`: global options, command and subcommand
 * dispatch, and the option parsing every command shares.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "tool.h"

static const char tool_usage_main[] =
    "Usage: " TOOL_NAME " -f HTTPD_CONF [--vhost NAME] COMMAND [ARGS]\n"
    "       " TOOL_NAME " [--driver NAME] --params STRING COMMAND [ARGS]\n"
    "\n"
    "Administers the database of mod_mytimetable_oauth (the tables MyTimetable\n"
    "itself reads, oauth_client_details and api_tokens, and the module's own).\n"
    "\n"
    "Commands:\n"
    "  init                         create the tables that are missing\n"
    "  client add|list|show|remove|secret\n"
    "                               OAuth clients (oauth_client_details)\n"
    "  api-token add|list|remove    MyTimetable API tokens (api_tokens)\n"
    "  token list|revoke            issued access and refresh tokens\n"
    "  purge                        delete expired codes, tokens and approvals\n"
    "  hash                         Spring-format hash of a secret read from stdin\n"
    "  key generate FILE            a new MyTimetableOAuthSecretKeyFile\n"
    "  help [COMMAND]               this text, or a command's\n"
    "\n" TOOL_USAGE_GLOBAL "\n"
    "`" TOOL_NAME " COMMAND --help` describes a command, with examples.\n"
    "\n"
    "Examples:\n"
    "  " TOOL_NAME " -f /etc/apache2/apache2.conf init\n"
    "  " TOOL_NAME " -f /etc/apache2/apache2.conf --vhost timetable.example.org \\\n"
    "      client add webapp --redirect-uri https://app.example.org/cb\n"
    "  " TOOL_NAME " --params /var/lib/mytimetable-oauth/oauth.db client list --json\n"
    "  " TOOL_NAME " --driver pgsql --params \"host=db dbname=mto user=mto\" purge\n";

static const tool_command_t tool_commands[] = {
    { "init", tool_cmd_init },   { "client", tool_cmd_client }, { "api-token", tool_cmd_api_token },
    { "token", tool_cmd_token }, { "purge", tool_cmd_purge },   { "hash", tool_cmd_hash },
    { "key", tool_cmd_key },
};

#define TOOL_NCOMMANDS ((int)(sizeof(tool_commands) / sizeof(tool_commands[0])))

/* ----------------------------------------------------------------- options */

void tool_opts_init(tool_ctx_t *ctx, tool_opts_t *o, const char *cmd, const char *usage, int argc,
                    const char *const *argv)
{
    const char **av = apr_pcalloc(ctx->pool, sizeof(*av) * (argc + 1));
    int i;

    /* apr_getopt names argv[0] in its messages: make it the whole command. */
    av[0] = apr_pstrcat(ctx->pool, TOOL_NAME " ", cmd, NULL);
    for (i = 1; i < argc; i++) {
        av[i] = argv[i];
    }
    apr_getopt_init(&o->os, ctx->pool, argc, av);
    o->os->interleave = 1; /* `client add ID --scope …` */
    o->cmd = cmd;
    o->usage = usage;
    o->status = TOOL_OK;
}

/* The options of TOOL_COMMON_OPTIONS but --help: 1, or 0 for another. */
static int tool_common_option(tool_ctx_t *ctx, int ch, const char *arg)
{
    switch (ch) {
    case TOOL_OPT_DRIVER:
        ctx->driver = arg;
        return 1;
    case TOOL_OPT_PARAMS:
        ctx->params = arg;
        return 1;
    case 'f':
        ctx->config = arg;
        return 1;
    case TOOL_OPT_VHOST:
        ctx->vhost = arg;
        return 1;
    case TOOL_OPT_SERVER_ROOT:
        ctx->server_root = arg;
        return 1;
    case 'y':
        ctx->yes = 1;
        return 1;
    }
    return 0;
}

/* 1: *ch and *arg hold one of the command's own options; 0: no more
 * options; -1: return o->status. */
static int tool_opt_next(tool_ctx_t *ctx, tool_opts_t *o, const apr_getopt_option_t *opts, int *ch,
                         const char **arg)
{
    for (;;) {
        apr_status_t rv = apr_getopt_long(o->os, opts, ch, arg);

        if (rv == APR_EOF) {
            return 0;
        }
        if (rv != APR_SUCCESS) {
            /* apr_getopt has said which option and why. */
            fprintf(stderr, "Try '%s %s --help'.\n", TOOL_NAME, o->cmd);
            o->status = TOOL_USAGE;
            return -1;
        }
        if (*ch == 'h') {
            fputs(o->usage, stdout);
            o->status = TOOL_OK;
            return -1;
        }
        if (!tool_common_option(ctx, *ch, *arg)) {
            return 1;
        }
    }
}

int tool_opts_parse(tool_ctx_t *ctx, tool_opts_t *o, const apr_getopt_option_t *opts,
                    tool_opt_fn *fn, void *baton)
{
    static const apr_getopt_option_t common[] = { TOOL_COMMON_OPTIONS, { NULL, 0, 0, NULL } };
    const char *arg;
    int ch, rc;

    while ((rc = tool_opt_next(ctx, o, opts ? opts : common, &ch, &arg)) > 0) {
        if ((o->status = fn(o, ch, arg, baton)) != TOOL_OK) {
            return -1;
        }
    }
    return rc;
}

int tool_opts_plain(tool_ctx_t *ctx, tool_opts_t *o, const char *cmd, const char *usage, int argc,
                    const char *const *argv)
{
    tool_opts_init(ctx, o, cmd, usage, argc, argv);
    if (tool_opts_parse(ctx, o, NULL, NULL, NULL) < 0) {
        return -1;
    }
    if ((o->status = tool_no_args(o)) != TOOL_OK) {
        return -1;
    }
    return 0;
}

int tool_no_args(tool_opts_t *o)
{
    if (tool_nargs(o) > 0) {
        return tool_usage_error(o->cmd, "unexpected argument '%s'", tool_arg(o, 0));
    }
    return TOOL_OK;
}

int tool_nargs(const tool_opts_t *o)
{
    return o->os->argc - o->os->ind;
}

const char *tool_arg(const tool_opts_t *o, int i)
{
    return o->os->argv[o->os->ind + i];
}

/* -------------------------------------------------------------------- main */

static tool_cmd_fn *tool_find_command(const tool_command_t *cmds, int n, const char *name)
{
    int i;

    for (i = 0; i < n; i++) {
        if (!strcmp(cmds[i].name, name)) {
            return cmds[i].run;
        }
    }
    return NULL;
}

int tool_dispatch(tool_ctx_t *ctx, const char *family, const char *usage,
                  const tool_command_t *subs, int nsubs, int argc, const char *const *argv)
{
    const char *names = "";
    tool_cmd_fn *run;
    int i;

    if (argc < 2) {
        fputs(usage, stderr);
        return TOOL_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage, stdout);
        return TOOL_OK;
    }
    if ((run = tool_find_command(subs, nsubs, argv[1]))) {
        return run(ctx, argc - 1, argv + 1);
    }
    /* "(add, list or remove)" */
    for (i = 0; i < nsubs; i++) {
        names = apr_pstrcat(ctx->pool, names,
                            !i              ? ""
                            : i < nsubs - 1 ? ", "
                                            : " or ",
                            subs[i].name, NULL);
    }
    return tool_usage_error(family, "unknown subcommand '%s' (%s)", argv[1], names);
}

/* `help [COMMAND]`: the same text as `COMMAND --help`. */
static int tool_help(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    const char *av[3];
    tool_cmd_fn *run;

    if (argc < 2) {
        fputs(tool_usage_main, stdout);
        return TOOL_OK;
    }
    if (!(run = tool_find_command(tool_commands, TOOL_NCOMMANDS, argv[1]))) {
        return tool_usage_error("help", "unknown command '%s'", argv[1]);
    }
    av[0] = argv[1];
    av[1] = "--help";
    av[2] = NULL;
    return run(ctx, 2, av);
}

int main(int argc, char *argv_in[])
{
    const char *const *argv = (const char *const *)argv_in;
    static const apr_getopt_option_t opts[] = { TOOL_COMMON_OPTIONS, { NULL, 0, 0, NULL } };
    tool_ctx_t ctx;
    apr_getopt_t *os;
    apr_pool_t *pool;
    apr_status_t rv;
    const char *arg, *cmd;
    tool_cmd_fn *run;
    int ch, status;

    if (apr_app_initialize(&argc, &argv, NULL) != APR_SUCCESS) {
        fprintf(stderr, "%s: could not initialise APR\n", TOOL_NAME);
        return TOOL_FAIL;
    }
    atexit(apr_terminate);
    if (apr_pool_create(&pool, NULL) != APR_SUCCESS) {
        fprintf(stderr, "%s: out of memory\n", TOOL_NAME);
        return TOOL_FAIL;
    }

    memset(&ctx, 0, sizeof(ctx));
    ctx.pool = pool;

    /* Global options end at the command (interleave stays off). */
    apr_getopt_init(&os, pool, argc, argv);
    while ((rv = apr_getopt_long(os, opts, &ch, &arg)) == APR_SUCCESS) {
        if (ch == 'h') {
            fputs(tool_usage_main, stdout);
            return TOOL_OK;
        }
        tool_common_option(&ctx, ch, arg);
    }
    if (rv != APR_EOF) {
        fprintf(stderr, "Try '%s --help'.\n", TOOL_NAME);
        return TOOL_USAGE;
    }
    if (os->ind >= argc) {
        fprintf(stderr, "%s: no command given\n\n%s", TOOL_NAME, tool_usage_main);
        return TOOL_USAGE;
    }

    cmd = os->argv[os->ind];
    if (!strcmp(cmd, "help")) {
        run = tool_help;
    }
    else if (!(run = tool_find_command(tool_commands, TOOL_NCOMMANDS, cmd))) {
        fprintf(stderr, "%s: unknown command '%s'\nTry '%s --help'.\n", TOOL_NAME, cmd, TOOL_NAME);
        return TOOL_USAGE;
    }

    status = run(&ctx, argc - os->ind, os->argv + os->ind);

    tool_db_close(&ctx);
    if (fflush(stdout) != 0 && status == TOOL_OK) {
        status = tool_fail("could not write to standard output: %s", strerror(errno));
    }
    apr_pool_destroy(pool);
    return status;
}
