/*
 * common.c - what every command of `mytimetable-oauth` shares: messages,
 * reading or generating a secret, numbers and times, listings.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include <apr_strings.h>
#include <apr_time.h>

#include "tool.h"
#include "tool/httpd_conf.h"

/* ---------------------------------------------------------------- messages */

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

void tool_note(const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fputs(TOOL_NAME ": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
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
        if (c == '\0') {
            bad = 1;
        }
        if (n < sizeof(buf) - 1) {
            buf[n] = (char)c;
        }
        n++;
    }
    if (echo_off) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    }
    if (tty) {
        fputc('\n', stderr);
    }

    if (n > TOOL_LINE_MAX) {
        memset(buf, 0, sizeof(buf));
        return tool_fail("the %s read from standard input is longer than %d bytes", what,
                         TOOL_LINE_MAX);
    }
    if (n > 0 && buf[n - 1] == '\r') { /* a line from Windows */
        n--;
    }
    buf[n] = '\0';
    if (bad) {
        memset(buf, 0, sizeof(buf));
        return tool_fail("the %s read from standard input contains a NUL byte", what);
    }
    if (n == 0) {
        return tool_fail("no %s on standard input (an empty line is refused)", what);
    }
    *out = apr_pstrmemdup(p, buf, n);
    memset(buf, 0, sizeof(buf));
    return TOOL_OK;
}

int tool_secret_obtain(apr_pool_t *p, int from_stdin, const char *what, const char *noun,
                       const char **secret, const char **shown)
{
    *shown = NULL;
    if (from_stdin) {
        return tool_read_secret(p, what, secret);
    }
    if (!(*secret = mto_random_b64url(p, TOOL_SECRET_BYTES))) {
        return tool_fail("the random number generator failed: no %s made", noun);
    }
    *shown = *secret;
    return TOOL_OK;
}

int tool_print_secret(const char *secret, const char *what)
{
    if (printf("%s\n", secret) < 0 || fflush(stdout) != 0) {
        return tool_fail("could not write the new %s to standard output (%s): it is "
                         "stored, but lost; set a new one",
                         what, strerror(errno));
    }
    return TOOL_OK;
}

int tool_parse_int(const char *s, apr_int64_t min, apr_int64_t max, apr_int64_t *out)
{
    apr_int64_t v = 0;
    const char *c;

    if (!s || !*s) {
        return 0;
    }
    for (c = s; *c; c++) {
        if (*c < '0' || *c > '9') {
            return 0;
        }
        if (v > (max - (*c - '0')) / 10) {
            return 0; /* larger than max, and no overflow */
        }
        v = v * 10 + (*c - '0');
    }
    if (v < min) {
        return 0;
    }
    *out = v;
    return 1;
}

/* ----------------------------------------------------------------- values */

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
        || apr_strftime(buf, &len, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) != APR_SUCCESS) {
        return apr_psprintf(p, "%" APR_INT64_T_FMT, t);
    }
    return apr_pstrmemdup(p, buf, len);
}

int tool_parse_cost(const char *cmd, const char *opt, const char *arg, apr_int64_t *cost)
{
    if (!tool_parse_int(arg, 4, 31, cost)) {
        return tool_usage_error(cmd, "%s wants a number from 4 to 31, not '%s'", opt, arg);
    }
    return TOOL_OK;
}

int tool_parse_hash_name(const char *s)
{
    if (!strcasecmp(s, "sha256") || !strcasecmp(s, "sha-256")) {
        return 0;
    }
    if (!strcasecmp(s, "bcrypt")) {
        return 1;
    }
    return -1;
}

int tool_hash_secret(apr_pool_t *p, const char *secret, int bcrypt, int cost, const char **out)
{
    *out = bcrypt ? mto_secret_hash_bcrypt(p, secret, cost) : mto_secret_hash_sha256(p, secret);
    if (!*out) {
        return tool_fail("could not compute the %s hash of the secret",
                         bcrypt ? "{bcrypt}" : "{SHA-256}");
    }
    return TOOL_OK;
}

/* --------------------------------------------------------------- database */

int tool_database(tool_ctx_t *ctx)
{
    tool_httpd_dbd_t dbd;
    const char *err;

    if (ctx->chosen) {
        return TOOL_OK;
    }
    ctx->chosen = 1;
    if (!ctx->config) {
        if (ctx->vhost || ctx->server_root) {
            fprintf(stderr, "%s: --vhost and --server-root go with -f HTTPD_CONF\n", TOOL_NAME);
            return TOOL_USAGE;
        }
        if (!ctx->driver) {
            ctx->driver = "sqlite3";
        }
        return TOOL_OK;
    }
    if (ctx->driver || ctx->params) {
        fprintf(stderr, "%s: -f HTTPD_CONF and --driver/--params exclude each other\n", TOOL_NAME);
        return TOOL_USAGE;
    }
    if ((err = tool_httpd_conf_dbd(ctx->pool, ctx->config, ctx->server_root, ctx->vhost, &dbd))) {
        return tool_fail("%s", err);
    }
    ctx->driver = dbd.driver;
    ctx->params = dbd.params;
    return TOOL_OK;
}
