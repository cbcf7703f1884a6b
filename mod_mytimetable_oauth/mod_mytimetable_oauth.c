/*
 * mod_mytimetable_oauth.c - the module record and hook registration.
 *
 * Every hook is registered here, by mto_register_hooks; the functions live
 * in their parts' folders: config/ (directives), store/ (all SQL, through
 * mod_dbd), cache/ (the socache), endpoints/, gate/, and the protocol core
 * behind core/core.h.
 */
#include "log.h"
#include "config/config.h"
#include "store/store.h"
#include "cache/cache.h"
#include "respond/respond.h"
#include "endpoints/endpoints.h"
#include "gate/gate.h"

#include <http_protocol.h>
#include <http_request.h>

/* What the configuration needs beyond its own directives: mod_dbd, and the
 * socache provider MyTimetableOAuthCache names.  A check_config hook, because
 * `httpd -t` runs it (and stops before post_config): the configuration test
 * must fail for the same reasons as the start. */
static int mto_check_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    const char *err;

    if (!mto_store_available()) {
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_CRIT, 0, s,
                     "MTO0016: You must load mod_dbd (LoadModule dbd_module "
                     "modules/mod_dbd.so) and configure DBDriver/DBDParams to use "
                     "MyTimetableOAuth handlers and directives");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if ((err = mto_cache_check(ptemp, s))) {
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_CRIT, 0, s, "MTO0017: %s", err);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

/* Registers the SQL statements (mod_dbd's presence was checked in
 * check_config), draws the random secret key, makes the caches and the
 * shared counts of MyTimetableOAuthClientAuthLimit (endpoints/throttle.c),
 * which the children inherit when they fork.  Runs before
 * mod_dbd's post_config so that mod_dbd sees the statements; the rest
 * does not mind when it runs. */
static int mto_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    int rv;

    mto_store_register(pconf, s);
    if ((rv = mto_store_lock_post_config(pconf, s)) != OK) {
        return rv;
    }
    mto_secret_key_init_random();
    if ((rv = mto_throttle_post_config(pconf, plog, ptemp, s)) != OK) {
        return rv;
    }
    return mto_cache_post_config(pconf, plog, ptemp, s);
}

/* One handler per endpoint, chosen by SetHandler.  The client endpoints
 * answer with complete JSON; a purge may follow such an answer (purge.c). */
static const struct {
    const char *name;
    int (*handle)(request_rec *r);
    int purge_after;
} mto_handlers[] = {
    { MTO_HANDLER_AUTHORIZE, mto_handle_authorize, 0 },
    { MTO_HANDLER_TOKEN, mto_handle_token, 1 },
    { MTO_HANDLER_REVOKE, mto_handle_revoke, 1 },
    { MTO_HANDLER_INTROSPECT, mto_handle_introspect, 1 },
    { MTO_HANDLER_METADATA, mto_handle_metadata, 0 },
    { MTO_HANDLER_ACCOUNT, mto_handle_account, 0 },
};

static int mto_handler(request_rec *r)
{
    apr_size_t i;
    int rv;

    if (!r->handler || strncmp(r->handler, "mytimetable-oauth-", 18) != 0) {
        return DECLINED;
    }
    for (i = 0; i < sizeof(mto_handlers) / sizeof(mto_handlers[0]); i++) {
        if (!strcmp(r->handler, mto_handlers[i].name)) {
            rv = mto_handlers[i].handle(r); /* the status it answered with */
            if (rv == MTO_NOT_SENT) {
                return HTTP_INTERNAL_SERVER_ERROR; /* httpd answers */
            }
            if (mto_handlers[i].purge_after) {
                mto_purge_after_answer(r, rv);
            }
            return OK;
        }
    }
    return DECLINED;
}

/* Each child's own state: remembered slow secret checks, its attachment
 * to the cache's and SQLite writers' mutexes, its purge times. */
static void mto_child_init(apr_pool_t *pchild, server_rec *s)
{
    mto_client_auth_child_init(pchild, s);
    mto_cache_child_init(pchild, s);
    mto_store_child_init(pchild, s);
    mto_purge_child_init(pchild, s);
}

/* Every hook of the module, in one place. */
static void mto_register_hooks(apr_pool_t *p)
{
    static const char *const before_dbd[] = { "mod_dbd.c", NULL };
    static const char *const before_proxy[] = { "mod_proxy.c", NULL };

    /* Start-up. */
    /* The Mutex directive's names for the cache's lock (cache/cache.c) and
     * SQLite's writers' (store/write_lock.c). */
    ap_hook_pre_config(mto_cache_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_pre_config(mto_store_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    /* mod_dbd and the socache provider are loaded (`apachectl -t` too). */
    ap_hook_check_config(mto_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    /* SQL statements (before mod_dbd's post_config), consent key, caches,
     * the client authentication limit's shared counts. */
    ap_hook_post_config(mto_post_config, NULL, before_dbd, APR_HOOK_MIDDLE);
    /* Per-child state of endpoints/client_auth.c, cache/cache.c and endpoints/purge.c. */
    ap_hook_child_init(mto_child_init, NULL, NULL, APR_HOOK_MIDDLE);

    /* The authorization server: one handler per endpoint. */
    ap_hook_handler(mto_handler, NULL, NULL, APR_HOOK_MIDDLE);

    /* The gate (gate/), in the order a request meets it. */
    /* Forged identity headers go before anything can read them. */
    ap_hook_header_parser(mto_gate_scrub, NULL, NULL, APR_HOOK_REALLY_FIRST);
    /* A gate failure or a missing API token, before httpd asks for a user. */
    ap_hook_check_access(mto_gate_check_access, NULL, NULL, APR_HOOK_FIRST,
                         AP_AUTH_INTERNAL_PER_CONF);
    /* AuthType mytimetable-oauth: the access token makes the user. */
    ap_hook_check_authn(mto_gate_check_authn, NULL, NULL, APR_HOOK_MIDDLE,
                        AP_AUTH_INTERNAL_PER_CONF);
    /* Our AuthType has a module; its challenge is the error filter's. */
    ap_hook_note_auth_failure(mto_gate_note_failure, NULL, NULL, APR_HOOK_MIDDLE);
    /* The identity for the backend, before mod_proxy forwards the request. */
    ap_hook_fixups(mto_gate_fixups, NULL, before_proxy, APR_HOOK_REALLY_FIRST);
    /* The Require providers oauth-scope and api-token (gate/require.c). */
    mto_require_register(p);
    /* The JSON body filter of the gate's error answers (gate/challenge.c). */
    mto_gate_register_filter(p);
    /* The gate's error answers: status, WWW-Authenticate, body. */
    ap_hook_insert_error_filter(mto_gate_insert_error_filter, NULL, NULL, APR_HOOK_MIDDLE);
    /* The same under a local ErrorDocument (an internal redirect). */
    ap_hook_insert_filter(mto_gate_error_document, NULL, NULL, APR_HOOK_MIDDLE);
    /* No access_token reaches the access log, for any request (gate/creds.c). */
    ap_hook_log_transaction(mto_gate_log_redact, NULL, NULL, APR_HOOK_REALLY_FIRST);
}

/* Not AP_DECLARE_MODULE: its APLOG_USE_MODULE is in the header already. */
module AP_MODULE_DECLARE_DATA mytimetable_oauth_module = {
    STANDARD20_MODULE_STUFF, mto_create_dir_conf, mto_merge_dir_conf, mto_create_server_conf,
    mto_merge_server_conf,   mto_directives,      mto_register_hooks
};
