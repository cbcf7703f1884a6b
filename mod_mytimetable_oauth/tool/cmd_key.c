/*
 * cmd_key.c - key generate: a new file for MyTimetableOAuthSecretKeyFile
 * (README "Several servers").
 *
 * The key goes to a temporary file of mode 0600 beside FILE, then takes
 * FILE's name in one step: link(2), which fails when FILE exists, or with
 * --force rename(2), which replaces it.  A server that reads FILE meanwhile
 * (a graceful restart) sees the old key or the new one, never half a key.
 */
#include <stdio.h>
#include <string.h>

#include <apr_file_io.h>
#include <apr_strings.h>

#include "tool.h"

static const char tool_usage_key[] =
    "Usage: " TOOL_NAME " key generate FILE [--force]\n"
    "\n"
    "generate: writes a new random key (256 bits from OpenSSL's RAND_bytes, as 64\n"
    "  hex digits and a line end) to FILE, mode 0600, owned by whoever runs the\n"
    "  command: run it as root, whose httpd parent reads the file at start, before\n"
    "  the children drop their privileges.  Give every server the same file\n"
    "  (MyTimetableOAuthSecretKeyFile FILE) and a consent page fetched at one is\n"
    "  accepted by the others, also across a graceful restart.  The key is never\n"
    "  printed.\n"
    "  --force    replace FILE if it exists (consent pages open at that moment\n"
    "             are refused once the servers restart with the new key)\n"
    "It does not use the database.\n"
    "\n"
    "Examples:\n"
    "  " TOOL_NAME " key generate /etc/apache2/mytimetable-oauth.key\n"
    "  " TOOL_NAME " key generate /etc/apache2/mytimetable-oauth.key --force\n";

enum { OPT_KEY_FORCE = TOOL_OPT_CMD };

static int tool_key_option(tool_opts_t *o, int ch, const char *arg, void *baton)
{
    (void)o;
    (void)arg;
    if (ch == OPT_KEY_FORCE) {
        *(int *)baton = 1;
    }
    return TOOL_OK;
}

static const char *tool_key_error(apr_pool_t *p, apr_status_t rv)
{
    char buf[256];

    return apr_pstrdup(p, apr_strerror(rv, buf, sizeof(buf)));
}

/* The key into a new temporary file beside path; its name in *tmp. */
static int tool_key_write_temp(apr_pool_t *p, const char *path, const char *hex, char **tmp)
{
    const char *line = apr_pstrcat(p, hex, "\n", NULL);
    apr_file_t *f;
    apr_status_t rv;
    apr_size_t n;

    *tmp = apr_pstrcat(p, path, ".XXXXXX", NULL);
    /* mkstemp(3): a name of its own, created with mode 0600 whatever the umask. */
    rv = apr_file_mktemp(&f, *tmp,
                         APR_FOPEN_CREATE | APR_FOPEN_READ | APR_FOPEN_WRITE | APR_FOPEN_EXCL, p);
    if (rv != APR_SUCCESS) {
        return tool_fail("key generate: cannot create a file beside '%s': %s", path,
                         tool_key_error(p, rv));
    }
    rv = apr_file_perms_set(*tmp, APR_FPROT_UREAD | APR_FPROT_UWRITE);
    if (rv == APR_SUCCESS || rv == APR_INCOMPLETE || rv == APR_ENOTIMPL) {
        rv = apr_file_write_full(f, line, strlen(line), &n);
    }
    if (rv == APR_SUCCESS) {
        rv = apr_file_sync(f);
    }
    apr_file_close(f);
    if (rv != APR_SUCCESS) {
        apr_file_remove(*tmp, p);
        return tool_fail("key generate: cannot write '%s': %s", *tmp, tool_key_error(p, rv));
    }
    return TOOL_OK;
}

static int tool_key_generate(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    static const apr_getopt_option_t opts[] = { TOOL_COMMON_OPTIONS,
                                                { "force", OPT_KEY_FORCE, 0, "replace FILE" },
                                                { NULL, 0, 0, NULL } };
    const char *path, *hex;
    char *tmp;
    tool_opts_t o;
    apr_status_t rv;
    int rc, force = 0;

    tool_opts_init(ctx, &o, "key generate", tool_usage_key, argc, argv);
    if (tool_opts_parse(ctx, &o, opts, tool_key_option, &force) < 0) {
        return o.status;
    }
    if (tool_nargs(&o) != 1) {
        return tool_usage_error(o.cmd, tool_nargs(&o) ? "one FILE, please" : "which FILE?");
    }
    path = tool_arg(&o, 0);
    if (!(hex = mto_random_hex(ctx->pool, MTO_KEY_BYTES))) {
        return tool_fail("key generate: the random generator failed; no key written");
    }
    if ((rc = tool_key_write_temp(ctx->pool, path, hex, &tmp)) != TOOL_OK) {
        return rc;
    }
    rv = force ? apr_file_rename(tmp, path, ctx->pool) : apr_file_link(tmp, path);
    if (!force) {
        apr_file_remove(tmp, ctx->pool);
    }
    if (rv != APR_SUCCESS) {
        if (force) {
            apr_file_remove(tmp, ctx->pool);
        }
        if (APR_STATUS_IS_EEXIST(rv)) {
            return tool_fail("key generate: '%s' exists already (--force replaces it)", path);
        }
        return tool_fail("key generate: cannot write '%s': %s", path,
                         tool_key_error(ctx->pool, rv));
    }
    tool_note("new key written to %s (mode 0600): copy this file to every server, "
              "as MyTimetableOAuthSecretKeyFile",
              path);
    return TOOL_OK;
}

int tool_cmd_key(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    static const tool_command_t subs[] = { { "generate", tool_key_generate } };

    return tool_dispatch(ctx, "key", tool_usage_key, subs, 1, argc, argv);
}
