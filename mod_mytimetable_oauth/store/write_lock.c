/*
 * write_lock.c - SQLite's writers, one at a time across httpd's processes
 * and threads.
 *
 * apr_dbd_sqlite3 sets no busy timeout: a writer that meets another sleeps
 * 100 ms and tries again, 15 times, then fails with "database is locked"
 * (a 503).  Under a few dozen concurrent flows some writers lose every
 * round (build/soak saw it).  So every write of the module on an SQLite
 * connection (a statement outside a transaction, or a whole transaction)
 * first takes one global mutex: writers queue on it instead of polling the
 * file lock.  PostgreSQL and other servers lock rows themselves: no mutex.
 * A child killed while holding it does not block the others: httpd's
 * global mutexes are released with their holder (SysV semaphores with
 * SEM_UNDO, robust pthread mutexes or fcntl locks).
 */
#include "log.h"
#include "store/dbd.h"

#include <apr_global_mutex.h>
#include <util_mutex.h>

#define MTO_WRITE_MUTEX_TYPE "mytimetable-oauth-sqlite-writers"

static apr_global_mutex_t *mto_write_mutex;

int mto_store_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    apr_status_t rv = ap_mutex_register(pconf, MTO_WRITE_MUTEX_TYPE, NULL, APR_LOCK_DEFAULT, 0);

    mto_write_mutex = NULL;
    if (rv != APR_SUCCESS) {
        ap_log_perror(APLOG_MARK, APLOG_CRIT, rv, plog,
                      "MTO0120: cannot register the %s mutex", MTO_WRITE_MUTEX_TYPE);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

static apr_status_t mto_write_mutex_destroy(void *data)
{
    if (mto_write_mutex) {
        apr_global_mutex_destroy(mto_write_mutex);
        mto_write_mutex = NULL;
    }
    return APR_SUCCESS;
}

int mto_store_lock_post_config(apr_pool_t *pconf, server_rec *s)
{
    apr_status_t rv =
        ap_global_mutex_create(&mto_write_mutex, NULL, MTO_WRITE_MUTEX_TYPE, NULL, s, pconf, 0);

    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_CRIT, rv, s,
                     "MTO0122: cannot create the %s mutex", MTO_WRITE_MUTEX_TYPE);
        mto_write_mutex = NULL;
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_pool_cleanup_register(pconf, NULL, mto_write_mutex_destroy, apr_pool_cleanup_null);
    return OK;
}

void mto_store_child_init(apr_pool_t *pchild, server_rec *s)
{
    apr_status_t rv;

    if (!mto_write_mutex) {
        return;
    }
    rv = apr_global_mutex_child_init(&mto_write_mutex, apr_global_mutex_lockfile(mto_write_mutex),
                                     pchild);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s,
                     "MTO0121: cannot attach to the %s mutex; this process writes to "
                     "SQLite without it",
                     MTO_WRITE_MUTEX_TYPE);
        mto_write_mutex = NULL;
    }
}

/* 1 when the write on dbd must be serialised here (and the lock is now
 * held), 0 when not: another driver, or no mutex (logged). */
int mto_write_lock(request_rec *r, ap_dbd_t *dbd)
{
    apr_status_t rv;

    if (!mto_write_mutex || strcmp(apr_dbd_name(dbd->driver), "sqlite3") != 0) {
        return 0;
    }
    rv = apr_global_mutex_lock(mto_write_mutex);
    if (rv != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, rv, r,
                      "MTO0123: cannot take the %s mutex; writing without it",
                      MTO_WRITE_MUTEX_TYPE);
        return 0;
    }
    return 1;
}

void mto_write_unlock(int locked)
{
    if (locked) {
        apr_global_mutex_unlock(mto_write_mutex);
    }
}
