/*
 * write_lock.c - one writer at a time on SQLite, across httpd's processes
 * and threads (README "SQLite"; docs/benchmarks.md, "Profile").
 *
 * apr-util 1.6's sqlite3 driver sets no busy timeout: a writer that meets
 * another one's lock on the file gets SQLITE_BUSY and the driver sleeps a
 * fixed 100 ms before it tries again.  Under load two writers meet all the
 * time, and the workers sleep while the CPUs idle.  SQLite takes one writer
 * at a time anyway; this global mutex makes the others queue for it and wake
 * when it is free, instead of polling the file every tenth of a second.
 * Only writes take it (WAL readers never wait for a writer), and only on
 * SQLite: PostgreSQL locks rows, not the database.
 *
 * Every write of the module goes through store/dbd.c: a write transaction
 * holds the lock from its BEGIN to its COMMIT, a statement outside a
 * transaction for its run.  Writers outside httpd (the admin tool) do not
 * take it; the driver's retries still cover them.
 */
#include "log.h"
#include "mutex.h"
#include "store/dbd.h"

static mto_mutex_t mto_write_mutex = { "mytimetable-oauth-sqlite", NULL };

int mto_store_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    apr_status_t rv = mto_mutex_register(&mto_write_mutex, pconf);

    if (rv != APR_SUCCESS) {
        ap_log_perror(APLOG_MARK, APLOG_CRIT, rv, plog,
                      "MTO0140: cannot register the %s mutex", mto_write_mutex.type);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

int mto_store_write_lock_create(apr_pool_t *pconf, server_rec *s)
{
    apr_status_t rv = mto_mutex_create(&mto_write_mutex, pconf, s);

    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s,
                     "MTO0141: cannot create the %s mutex", mto_write_mutex.type);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

void mto_store_child_init(apr_pool_t *pchild, server_rec *s)
{
    apr_status_t rv = mto_mutex_child_init(&mto_write_mutex, pchild);

    if (rv != APR_SUCCESS) {
        /* Still correct without it (SQLite locks the file): only slower. */
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, s,
                     "MTO0142: cannot attach to the %s mutex; this process's SQLite writers "
                     "wait for each other by the driver's 100 ms retries",
                     mto_write_mutex.type);
    }
}

int mto_write_lock(request_rec *r, ap_dbd_t *dbd)
{
    apr_status_t rv;

    if (!mto_write_mutex.mutex || strcmp(apr_dbd_name(dbd->driver), "sqlite3") != 0) {
        return 0;
    }
    rv = apr_global_mutex_lock(mto_write_mutex.mutex);
    if (rv != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r,
                      "MTO0143: cannot take the %s mutex; writing without it",
                      mto_write_mutex.type);
        return 0;
    }
    return 1;
}

void mto_write_unlock(int locked)
{
    if (locked) {
        apr_global_mutex_unlock(mto_write_mutex.mutex);
    }
}
