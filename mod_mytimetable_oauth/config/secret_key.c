/*
 * secret_key.c - MyTimetableOAuthSecretKeyFile (README "Directive
 * reference", "Several front-ends"): the key behind consent CSRF tokens and
 * other values the server makes and later checks.
 *
 * Without the directive the key is random per start (per graceful restart
 * too): enough for one server.  With it, every server that reads the same
 * file checks what any of them made, before and after a restart.  The file
 * is read while the configuration is read, by httpd's parent (root on a
 * normal install) before the children fork: it may be root's, mode 0600.
 */
#include "log.h"
#include "config/config.h"

#include <apr_file_io.h>
#include <http_core.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

/* Room for the longest key, white space and a CRLF; more is refused unread. */
#define MTO_KEY_FILE_MAX (MTO_KEY_MAX_HEX + 64)

static unsigned char mto_random_bytes[MTO_KEY_BYTES];
static mto_secret_key_t mto_random_key;

void mto_secret_key_init_random(void)
{
    if (RAND_bytes(mto_random_bytes, sizeof(mto_random_bytes)) == 1) {
        mto_random_key.bytes = mto_random_bytes;
        mto_random_key.len = sizeof(mto_random_bytes);
    }
    else {
        /* No key: everything it would sign is refused (consent.c). */
        mto_random_key.bytes = NULL;
        mto_random_key.len = 0;
    }
}

const mto_secret_key_t *mto_conf_secret_key(const mto_server_conf_t *c)
{
    if (c->secret_key) {
        return c->secret_key;
    }
    return mto_random_key.bytes ? &mto_random_key : NULL;
}

/* The file's text into buf (NUL-terminated), if it is a regular file that
 * only its owner and group may read; else why not. */
static const char *mto_key_file_read(cmd_parms *cmd, const char *path, char *buf, apr_size_t *len)
{
    apr_file_t *f;
    apr_finfo_t fi;
    apr_status_t rv;
    const char *why = NULL;

    rv = apr_file_open(&f, path, APR_FOPEN_READ, APR_OS_DEFAULT, cmd->temp_pool);
    if (rv != APR_SUCCESS) {
        return apr_psprintf(cmd->pool, "cannot read '%s': %pm", path, &rv);
    }
    /* Checked on the open file: what is read is what was checked. */
    rv = apr_file_info_get(&fi, APR_FINFO_TYPE | APR_FINFO_PROT | APR_FINFO_SIZE, f);
    if (rv != APR_SUCCESS) {
        why = apr_psprintf(cmd->pool, "cannot read '%s': %pm", path, &rv);
    }
    else if (fi.filetype != APR_REG) {
        why = apr_psprintf(cmd->pool, "'%s' is not a regular file", path);
    }
    else if (fi.protection & APR_FPROT_WREAD) {
        why = apr_psprintf(cmd->pool,
                           "'%s' is readable by every user: `chmod 600` it (or 640 "
                           "with a group of its own)",
                           path);
    }
    else if (fi.size > MTO_KEY_FILE_MAX) {
        why = apr_psprintf(cmd->pool, "'%s' is larger than a key file (%d bytes at most)", path,
                           MTO_KEY_FILE_MAX);
    }
    else {
        rv = apr_file_read_full(f, buf, (apr_size_t)fi.size, len);
        if (rv != APR_SUCCESS && rv != APR_EOF) {
            why = apr_psprintf(cmd->pool, "cannot read '%s': %pm", path, &rv);
        }
    }
    apr_file_close(f);
    return why;
}

const char *mto_set_secret_key_file(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_CONTEXT);
    const char *path = ap_server_root_relative(cmd->pool, arg);
    char buf[MTO_KEY_FILE_MAX + 1];
    apr_size_t len = 0;
    mto_secret_key_t *key;

    if (err) {
        return err;
    }
    if (!path) {
        return apr_psprintf(cmd->pool, "MyTimetableOAuthSecretKeyFile: bad path '%s'", arg);
    }
    key = apr_pcalloc(cmd->pool, sizeof(*key));
    err = mto_key_file_read(cmd, path, buf, &len);
    if (!err && (err = mto_key_from_hex(cmd->pool, buf, len, &key->bytes, &key->len))) {
        err = apr_psprintf(cmd->pool, "'%s' is no key: %s", path, err);
    }
    OPENSSL_cleanse(buf, sizeof(buf));
    if (err) {
        return apr_pstrcat(cmd->pool, "MyTimetableOAuthSecretKeyFile: ", err,
                           " (make one with `mytimetable-oauth key generate FILE`)", NULL);
    }
    mto_server_conf(cmd->server)->secret_key = key;
    return NULL;
}
