/*
 * generation.c - the cache generation of each database, as this process
 * knows it (README §9, "Caching and revocation"; docs/caching.md).
 *
 * The admin tool cannot reach httpd's caches (shmcb lives in httpd's shared
 * memory), so every change it makes also bumps one row, mto_generation, in
 * the same transaction.  A cached row carries the generation it was read
 * under (core/cache_rules.c) and is served only while no later one is
 * known: a change by the tool is a miss everywhere, on every server, as
 * soon as each process has read the new value.  Each process reads it
 * at most once per MTO_GENERATION_CHECK, by one thread; the look-ups in
 * between pay two atomic reads.
 *
 * Why this is safe: the bump commits with the change, and the value is read
 * before the row it will tag, so a row tagged with the new generation was
 * read after the change (and may serve a process that has not read it yet).
 * An entry tagged with the old one is served only by processes whose copy
 * is younger than MTO_GENERATION_CHECK.  The generation only grows; a
 * database restored from a backup is a change the tool did not make.
 *
 * The statement is not prepared with mod_dbd: a schema without the table
 * (older than this module) would then fail every connection.  Without it
 * the generation stays 0 and entries live their TTL, as before; the error
 * log says so once per process (MTO0130), and the table is looked for
 * again every MTO_GENERATION_MISSING_RECHECK (adding it under a running
 * httpd suits PostgreSQL; SQLite's open connections lose their prepared
 * statements to any schema change, so there httpd is reloaded).
 */
#include "log.h"
#include "store/dbd.h"
#include "store/dialect.h"

#include <apr_atomic.h>

/* How old a process's copy may be: the delay of a change by the tool. */
#define MTO_GENERATION_CHECK           apr_time_from_sec(1)
/* How often a process looks again for a missing table. */
#define MTO_GENERATION_MISSING_RECHECK apr_time_from_sec(60)

/* The generation from the database: MTO_STORE_NOTFOUND when the table is
 * missing; a table without its row is generation 0. */
static mto_store_rc mto_generation_read(request_rec *r, apr_uint64_t *gen)
{
    const char *sql = mto_statement_sql(MTO_SQL_GENERATION_GET, NULL);
    ap_dbd_t *dbd = mto_conn(r);
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row = NULL;
    const char *msg, *v;
    int rv;

    if (!dbd) {
        return MTO_STORE_ERROR; /* logged (MTO0040) */
    }
    ap_log_rerror(APLOG_MARK, APLOG_TRACE2, 0, r, "db: %s", MTO_SQL_GENERATION_GET);
    /* As every select (store/dialect.h): synchronous on pgsql, whose
     * asynchronous select reports a failed query as no rows; in order on
     * mysql and odbc.  The loop below reads the result to its end. */
    rv = apr_dbd_select(dbd->driver, r->pool, dbd->handle, &res, sql, mto_dbd_random(dbd->driver));
    if (rv != 0) {
        msg = apr_dbd_error(dbd->driver, dbd->handle, rv);
        if (mto_db_error_no_table(msg)) {
            return MTO_STORE_NOTFOUND;
        }
        /* A lost connection is the outage MTO0040 reports once a second;
         * this line is for a statement that fails on a live one. */
        if (apr_dbd_check_conn(dbd->driver, r->pool, dbd->handle) != APR_SUCCESS) {
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                          "cache generation not read: the connection is lost (%s)",
                          msg ? msg : "no message");
            return MTO_STORE_ERROR;
        }
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "MTO0131: reading the cache generation (mto_generation) failed: %s; "
                      "this process keeps the one it read last, for another %d ms",
                      msg ? msg : "(no message)", (int)apr_time_as_msec(MTO_GENERATION_CHECK));
        return MTO_STORE_ERROR;
    }
    *gen = 0;
    while (apr_dbd_get_row(dbd->driver, r->pool, res, &row, -1) == 0) {
        v = apr_dbd_get_entry(dbd->driver, row, 0);
        *gen = v ? (apr_uint64_t)apr_atoi64(v) : 0;
    }
    return MTO_STORE_OK;
}

static void mto_generation_missing(request_rec *r, mto_generation_t *g)
{
    apr_atomic_set64(&g->value, 0);
    if (apr_atomic_cas32(&g->missing, 1, 0) == 0) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      "MTO0130: the table mto_generation is missing (a schema older than this "
                      "module): changes made with mytimetable-oauth reach the cache only after "
                      "MyTimetableOAuthCacheTTL.  Add it with `mytimetable-oauth init` (it "
                      "creates missing tables only) or: CREATE TABLE mto_generation (id INTEGER "
                      "PRIMARY KEY, generation BIGINT NOT NULL); INSERT INTO mto_generation "
                      "VALUES (1, 0);  then reload httpd (apachectl graceful; SQLite needs it). "
                      "This process looks for the table again every %d s",
                      (int)apr_time_sec(MTO_GENERATION_MISSING_RECHECK));
    }
}

/* Reads the generation into g (this thread holds g->busy). */
static void mto_generation_refresh(request_rec *r, mto_generation_t *g, apr_time_t now)
{
    apr_uint64_t fresh = 0;
    mto_store_rc rc = mto_generation_read(r, &fresh);

    if (rc == MTO_STORE_OK) {
        apr_atomic_set64(&g->value, fresh);
        apr_atomic_set32(&g->missing, 0);
    }
    else if (rc == MTO_STORE_NOTFOUND) {
        mto_generation_missing(r, g);
    }
    /* A database this process cannot read, the tool cannot write either:
     * the value read last stands (0 if none: any entry), so that cached
     * tokens keep working during an outage (README "Database down").
     * Never read: the next look-up tries again. */
    else if (!apr_atomic_read64(&g->read_at)) {
        return;
    }
    apr_atomic_set64(&g->read_at, (apr_uint64_t)now);
}

int mto_store_generation(request_rec *r, apr_uint64_t *gen)
{
    mto_generation_t *g = mto_db_generation(r->server);
    apr_time_t now = apr_time_now(), age;
    apr_uint64_t read_at;

    *gen = 0;
    if (!g) {
        return 1;
    }
    read_at = apr_atomic_read64(&g->read_at);
    age = apr_atomic_read32(&g->missing) ? MTO_GENERATION_MISSING_RECHECK : MTO_GENERATION_CHECK;
    if (read_at && now - (apr_time_t)read_at < age) {
        *gen = apr_atomic_read64(&g->value);
        return 1;
    }
    /* Another thread of this process is reading it: this look-up uses the
     * copy being refreshed (older by that read's time, not more) rather
     * than wait; during a database outage that read is the slow connect,
     * and the cache is all that answers.  Never read yet: no cache. */
    if (apr_atomic_cas32(&g->busy, 1, 0) != 0) {
        *gen = apr_atomic_read64(&g->value);
        return read_at != 0;
    }
    mto_generation_refresh(r, g, now);
    *gen = apr_atomic_read64(&g->value);
    apr_atomic_set32(&g->busy, 0);
    return 1;
}
