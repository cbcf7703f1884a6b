/*
 * mod_mytimetable_oauth.c - the module record and hook registration.
 *
 * Everything else lives in one file per concern: config.c (directives),
 * store.c (all SQL, through mod_dbd), cache.c (the socache) and
 * cached_store.c (look-ups through it), client_auth.c, consent.c, the
 * handle_*.c endpoints, the gate, and the protocol core behind mto.h.
 */
#include "log.h"
#include "config/config.h"
#include "store/store.h"
#include "cache/cache.h"
#include "respond/respond.h"
#include "endpoints/endpoints.h"
#include "gate/gate.h"

#include <http_protocol.h>

/* What the configuration needs beyond its own directives: mod_dbd, and the
 * socache provider MyTimetableOAuthCache names.  A check_config hook, because
 * `httpd -t` runs it (and stops before post_config): the configuration test
 * must fail for the same reasons as the start. */
static int mto_check_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    const char *err;

    if (!mto_store_available()) {
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_CRIT, 0, s,
                     MTO_LOGNO(0016) "You must load mod_dbd (LoadModule dbd_module "
                     "modules/mod_dbd.so) and configure DBDriver/DBDParams to use "
                     "MyTimetableOAuth handlers and directives");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if ((err = mto_conf_check(ptemp, s))) {
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_CRIT, 0, s,
                     MTO_LOGNO(0017) "%s", err);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

/* Registers the SQL statements (mod_dbd's presence was checked in
 * check_config).  Runs before mod_dbd's post_config so that mod_dbd sees
 * the statements. */
static int mto_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    mto_store_register(pconf, s);
    mto_consent_init_key();
    return OK;
}

/* One handler per endpoint, chosen by SetHandler.  The client endpoints
 * answer with complete JSON; a purge may follow such an answer (purge.c). */
static const struct {
    const char *name;
    int (*handle)(request_rec *r);
    int purge_after;
} mto_handlers[] = {
    { MTO_HANDLER_AUTHORIZE,  mto_handle_authorize,  0 },
    { MTO_HANDLER_TOKEN,      mto_handle_token,      1 },
    { MTO_HANDLER_REVOKE,     mto_handle_revoke,     1 },
    { MTO_HANDLER_INTROSPECT, mto_handle_introspect, 1 },
    { MTO_HANDLER_METADATA,   mto_handle_metadata,   0 },
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
            rv = mto_handlers[i].handle(r);     /* the status it answered with */
            if (rv == MTO_NOT_SENT) {
                return HTTP_INTERNAL_SERVER_ERROR;      /* httpd answers */
            }
            if (mto_handlers[i].purge_after) {
                mto_purge_after_answer(r, rv);
            }
            return OK;
        }
    }
    return DECLINED;
}

static void mto_child_init(apr_pool_t *pchild, server_rec *s)
{
    mto_client_auth_child_init(pchild, s);
}

static void mto_register_hooks(apr_pool_t *p)
{
    static const char *const before_dbd[] = { "mod_dbd.c", NULL };

    ap_hook_check_config(mto_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(mto_post_config, NULL, before_dbd, APR_HOOK_MIDDLE);
    ap_hook_child_init(mto_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(mto_handler, NULL, NULL, APR_HOOK_MIDDLE);
    mto_cache_register_hooks(p);
    mto_gate_register_hooks(p);
    mto_gate_response_hooks(p);
    mto_require_register(p);
}

/* Not AP_DECLARE_MODULE: its APLOG_USE_MODULE is in the header already. */
module AP_MODULE_DECLARE_DATA mytimetable_oauth_module = {
    STANDARD20_MODULE_STUFF,
    mto_create_dir_conf,
    mto_merge_dir_conf,
    mto_create_server_conf,
    mto_merge_server_conf,
    mto_directives,
    mto_register_hooks
};
