/*
 * mutex.c - the module's global mutexes (mutex.h).
 */
#include "mutex.h"

#include <util_mutex.h>

apr_status_t mto_mutex_register(mto_mutex_t *m, apr_pool_t *pconf)
{
    m->mutex = NULL;
    return ap_mutex_register(pconf, m->type, NULL, APR_LOCK_DEFAULT, 0);
}

static apr_status_t mto_mutex_destroy(void *data)
{
    mto_mutex_t *m = data;

    if (m->mutex) {
        apr_global_mutex_destroy(m->mutex);
        m->mutex = NULL;
    }
    return APR_SUCCESS;
}

apr_status_t mto_mutex_create(mto_mutex_t *m, apr_pool_t *pconf, server_rec *s)
{
    apr_status_t rv;

    if (m->mutex) {
        return APR_SUCCESS;
    }
    rv = ap_global_mutex_create(&m->mutex, NULL, m->type, NULL, s, pconf, 0);
    if (rv != APR_SUCCESS) {
        m->mutex = NULL;
        return rv;
    }
    apr_pool_cleanup_register(pconf, m, mto_mutex_destroy, apr_pool_cleanup_null);
    return APR_SUCCESS;
}

apr_status_t mto_mutex_child_init(mto_mutex_t *m, apr_pool_t *pchild)
{
    apr_status_t rv;

    if (!m->mutex) {
        return APR_SUCCESS;
    }
    rv = apr_global_mutex_child_init(&m->mutex, apr_global_mutex_lockfile(m->mutex), pchild);
    if (rv != APR_SUCCESS) {
        m->mutex = NULL;
    }
    return rv;
}
