/*
 * main.c - `mytimetable-oauth`: global options, command dispatch, and the
 * small helpers every command shares (messages, reading a secret, numbers).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <apr_time.h>

#include "tool.h"

static const char tool_usage_main[] =
    "Usage: " TOOL_NAME " [--driver NAME] [--params STRING] COMMAND [ARGS]\n"
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
    "  help [COMMAND]               this text, or a command's\n"
    "\n"
    TOOL_USAGE_GLOBAL
    "\n"
    "`" TOOL_NAME " COMMAND --help` describes a command.  Exit status: 0 done,\n"
    "1 failed (the reason is on stderr), 2 wrong command line.\n";

static const struct {
    const char *name;
    tool_cmd_fn *run;
} tool_commands[] = {
    { "init",      tool_cmd_init },
    { "client",    tool_cmd_client },
    { "api-token", tool_cmd_api_token },
    { "token",     tool_cmd_token },
    { "purge",     tool_cmd_purge },
    { "hash",      tool_cmd_hash },
};

#define TOOL_NCOMMANDS (sizeof(tool_commands) / sizeof(tool_commands[0]))

/* ---------------------------------------------------------------- messages */

static void tool_vmsg(const char *prefix, const char *fmt, va_list ap)
{
    fflush(stdout);
    fputs(prefix, stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int tool_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fprintf(stderr, "%s %s: ", TOOL_NAME, cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s %s --help'.\n", TOOL_NAME, cmd);
    return TOOL_USAGE;
}

int tool_fail(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    tool_vmsg(TOOL_NAME ": ", fmt, ap);
    va_end(ap);
    return TOOL_FAIL;
}

void tool_note(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    tool_vmsg(TOOL_NAME ": ", fmt, ap);
    va_end(ap);
}

/* ----------------------------------------------------------------- options */

void tool_opts_init(tool_ctx_t *ctx, tool_opts_t *o, const char *cmd, const char *usage,
                    int argc, const char *const *argv)
{
    const char **av = apr_pcalloc(ctx->pool, sizeof(*av) * (argc + 1));
    int i;

    /* apr_getopt names argv[0] in its messages: make it the whole command. */
    av[0] = apr_pstrcat(ctx->pool, TOOL_NAME " ", cmd, NULL);
    for (i = 1; i < argc; i++)
        av[i] = argv[i];
    apr_getopt_init(&o->os, ctx->pool, argc, av);
    o->os->interleave = 1;          /* `client add ID --scope …` */
    o->cmd = cmd;
    o->usage = usage;
    o->status = TOOL_OK;
}

int tool_opt_next(tool_ctx_t *ctx, tool_opts_t *o, const apr_getopt_option_t *opts,
                  int *ch, const char **arg)
{
    for (;;) {
        apr_status_t rv = apr_getopt_long(o->os, opts, ch, arg);

        if (rv == APR_EOF)
            return 0;
        if (rv != APR_SUCCESS) {
            /* apr_getopt has said which option and why. */
            fprintf(stderr, "Try '%s %s --help'.\n", TOOL_NAME, o->cmd);
            o->status = TOOL_USAGE;
            return -1;
        }
        switch (*ch) {
        case 'h':
            fputs(o->usage, stdout);
            o->status = TOOL_OK;
            return -1;
        case TOOL_OPT_DRIVER:
            ctx->driver = *arg;
            break;
        case TOOL_OPT_PARAMS:
            ctx->params = *arg;
            break;
        default:
            return 1;
        }
    }
}

int tool_nargs(const tool_opts_t *o)
{
    return o->os->argc - o->os->ind;
}

const char *tool_arg(const tool_opts_t *o, int i)
{
    return o->os->argv[o->os->ind + i];
}

/* ------------------------------------------------------------------- input */

int tool_read_secret(apr_pool_t *p, const char *what, const char **out)
{
    char buf[TOOL_LINE_MAX + 1];
    struct termios saved, quiet;
    int tty = isatty(STDIN_FILENO), echo_off = 0;
    apr_size_t n = 0;
    int c, bad = 0;

    if (tty) {
        fprintf(stderr, "%s: ", what);
        fflush(stderr);
        if (tcgetattr(STDIN_FILENO, &saved) == 0) {
            quiet = saved;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            echo_off = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        }
    }
    while ((c = getchar()) != EOF && c != '\n') {
        if (c == '\0')
            bad = 1;
        if (n < sizeof(buf) - 1)
            buf[n] = (char)c;
        n++;
    }
    if (echo_off)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    if (tty)
        fputc('\n', stderr);

    if (n > TOOL_LINE_MAX) {
        memset(buf, 0, sizeof(buf));
        return tool_fail("the %s read from standard input is longer than %d bytes",
                         what, TOOL_LINE_MAX);
    }
    if (n > 0 && buf[n - 1] == '\r')        /* a line from Windows */
        n--;
    buf[n] = '\0';
    if (bad) {
        memset(buf, 0, sizeof(buf));
        return tool_fail("the %s read from standard input contains a NUL byte", what);
    }
    if (n == 0)
        return tool_fail("no %s on standard input (an empty line is refused)", what);
    *out = apr_pstrmemdup(p, buf, n);
    memset(buf, 0, sizeof(buf));
    return TOOL_OK;
}

int tool_print_secret(const char *secret, const char *what)
{
    if (printf("%s\n", secret) < 0 || fflush(stdout) != 0)
        return tool_fail("could not write the new %s to standard output (%s): it is "
                         "stored, but lost; set a new one", what, strerror(errno));
    return TOOL_OK;
}

int tool_parse_int(const char *s, apr_int64_t min, apr_int64_t max, apr_int64_t *out)
{
    apr_int64_t v = 0;
    const char *c;

    if (!s || !*s)
        return 0;
    for (c = s; *c; c++) {
        if (*c < '0' || *c > '9')
            return 0;
        if (v > (max - (*c - '0')) / 10)
            return 0;               /* larger than max, and no overflow */
        v = v * 10 + (*c - '0');
    }
    if (v < min)
        return 0;
    *out = v;
    return 1;
}

apr_int64_t tool_now(void)
{
    return (apr_int64_t)apr_time_sec(apr_time_now());
}

const char *tool_format_time(apr_pool_t *p, apr_int64_t t)
{
    apr_time_exp_t tm;
    char buf[64];
    apr_size_t len;

    if (apr_time_exp_gmt(&tm, apr_time_from_sec(t)) != APR_SUCCESS
        || apr_strftime(buf, &len, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) != APR_SUCCESS)
        return apr_psprintf(p, "%" APR_INT64_T_FMT, t);
    return apr_pstrmemdup(p, buf, len);
}

int tool_parse_hash_name(const char *s)
{
    if (!strcasecmp(s, "sha256") || !strcasecmp(s, "sha-256"))
        return 0;
    if (!strcasecmp(s, "bcrypt"))
        return 1;
    return -1;
}

int tool_hash_secret(apr_pool_t *p, const char *secret, int bcrypt, int cost,
                     const char **out)
{
    *out = bcrypt ? mto_secret_hash_bcrypt(p, secret, cost)
                  : mto_secret_hash_sha256(p, secret);
    if (!*out)
        return tool_fail("could not compute the %s hash of the secret",
                         bcrypt ? "{bcrypt}" : "{SHA-256}");
    return TOOL_OK;
}

/* -------------------------------------------------------------------- main */

static tool_cmd_fn *tool_find_command(const char *name)
{
    apr_size_t i;

    for (i = 0; i < TOOL_NCOMMANDS; i++)
        if (!strcmp(tool_commands[i].name, name))
            return tool_commands[i].run;
    return NULL;
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
    if (!(run = tool_find_command(argv[1])))
        return tool_usage_error("help", "unknown command '%s'", argv[1]);
    av[0] = argv[1];
    av[1] = "--help";
    av[2] = NULL;
    return run(ctx, 2, av);
}

int main(int argc, char *argv_in[])
{
    const char *const *argv = (const char *const *)argv_in;
    static const apr_getopt_option_t opts[] = {
        TOOL_COMMON_OPTIONS,
        { NULL, 0, 0, NULL }
    };
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
    ctx.driver = "sqlite3";

    /* Global options end at the command (interleave stays off). */
    apr_getopt_init(&os, pool, argc, argv);
    while ((rv = apr_getopt_long(os, opts, &ch, &arg)) == APR_SUCCESS) {
        switch (ch) {
        case 'h':
            fputs(tool_usage_main, stdout);
            return TOOL_OK;
        case TOOL_OPT_DRIVER:
            ctx.driver = arg;
            break;
        case TOOL_OPT_PARAMS:
            ctx.params = arg;
            break;
        }
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
    if (!strcmp(cmd, "help"))
        run = tool_help;
    else if (!(run = tool_find_command(cmd))) {
        fprintf(stderr, "%s: unknown command '%s'\nTry '%s --help'.\n",
                TOOL_NAME, cmd, TOOL_NAME);
        return TOOL_USAGE;
    }

    status = run(&ctx, argc - os->ind, os->argv + os->ind);

    tool_db_close(&ctx);
    if (fflush(stdout) != 0 && status == TOOL_OK)
        status = tool_fail("could not write to standard output: %s", strerror(errno));
    apr_pool_destroy(pool);
    return status;
}
