/*
 * database.c - which database each server uses, and whether it is down
 * (README, "Caching" and "Database down").
 *
 * Which database.  mod_dbd keeps DBDriver and DBDParams in a configuration
 * of its own that no other module can read.  So our command table names
 * both directives too (config/config.c): httpd offers a directive to every
 * module that declares it, in turn, so mto_store_note_dbd sees each one as
 * mod_dbd does, notes it for its server, and declines it to mod_dbd.  At
 * post_config each server's database is what mod_dbd's merge makes of it:
 * its own DBDriver and DBDParams, each one it lacks (or, for DBDParams, gives
 * empty) the main server's.  Its fingerprint (mto_db_fingerprint) goes into
 * every cache key, so that no entry of one database answers for another.
 *
 * Nothing about it stays ambiguous within one configuration, so `apachectl
 * -t` has nothing to refuse: both directives are allowed only at server
 * level (not in <Location>, <If> or .htaccess), <IfModule>/<IfDefine> and
 * ${VAR} are resolved before any module sees a line, and SQLite paths are
 * opened from the same working directory by every server.  What one server
 * cannot see is another deployment whose same text names another database
 * (localhost, a socket, a SQLite path on another machine) on a shared
 * memcached: README "Caching" says what to do.
 *
 * Down.  A connection that cannot be opened marks the database down in this
 * process for MTO_DB_DOWN_INTERVAL: meanwhile mto_conn answers NULL (a 503)
 * at once, without trying, instead of each request sleeping through the
 * retries of store/dbd.c.  When the interval ends, one request tries again
 * (the others go on failing fast): the database is up again if it connects,
 * down for another interval if not.  No lock: the state is one atomic time.
 */
#include "log.h"
#include "store/dbd.h"

#include <apr_atomic.h>
#include <apr_hash.h>
#include <http_config.h>

/* How long a failed connection keeps the database marked down. */
#define MTO_DB_DOWN_INTERVAL apr_time_from_sec(1)

/* DBDriver and DBDParams as written in one server's part of the
 * configuration (NULL: not written there). */
typedef struct {
    const char *driver;
    const char *params;
} mto_dbd_seen_t;

/* A database, as this process sees it. */
typedef struct {
    const char *id;          /* mto_db_fingerprint */
    apr_uint64_t down_until; /* apr_time_t; 0: up */
    mto_generation_t generation;
} mto_database_t;

/* server_rec * to mto_dbd_seen_t *, while the configuration is read. */
static apr_hash_t *mto_dbd_seen;
/* server_rec * to mto_database_t * (shared by the servers of one database):
 * made at post_config, only read afterwards, each child with its copy. */
static apr_hash_t *mto_databases;

static apr_status_t mto_forget_hash(void *data)
{
    *(apr_hash_t **)data = NULL;
    return APR_SUCCESS;
}

const char *mto_store_note_dbd(cmd_parms *cmd, void *dc, const char *arg)
{
    mto_dbd_seen_t *seen;

    if (!mto_dbd_seen) {
        mto_dbd_seen = apr_hash_make(cmd->pool);
        apr_pool_cleanup_register(cmd->pool, &mto_dbd_seen, mto_forget_hash, apr_pool_cleanup_null);
    }
    seen = apr_hash_get(mto_dbd_seen, &cmd->server, sizeof(cmd->server));
    if (!seen) {
        server_rec **key = apr_pmemdup(cmd->pool, &cmd->server, sizeof(cmd->server));

        seen = apr_pcalloc(cmd->pool, sizeof(*seen));
        apr_hash_set(mto_dbd_seen, key, sizeof(*key), seen);
    }
    if (!strcasecmp(cmd->cmd->name, "DBDriver")) {
        seen->driver = apr_pstrdup(cmd->pool, arg);
    }
    else if (*arg) { /* mod_dbd: an empty DBDParams inherits */
        seen->params = apr_pstrdup(cmd->pool, arg);
    }
    return DECLINE_CMD; /* mod_dbd's directive */
}

static const mto_dbd_seen_t *mto_seen(server_rec *s)
{
    return mto_dbd_seen ? apr_hash_get(mto_dbd_seen, &s, sizeof(s)) : NULL;
}

void mto_store_databases_init(apr_pool_t *pconf, server_rec *s)
{
    const mto_dbd_seen_t none = { NULL, NULL }, *main_seen = mto_seen(s);
    apr_hash_t *by_id = apr_hash_make(pconf);
    server_rec *sp;

    main_seen = main_seen ? main_seen : &none;
    mto_databases = apr_hash_make(pconf);
    apr_pool_cleanup_register(pconf, &mto_databases, mto_forget_hash, apr_pool_cleanup_null);
    for (sp = s; sp; sp = sp->next) {
        const mto_dbd_seen_t *own = mto_seen(sp);
        const char *driver = own && own->driver ? own->driver : main_seen->driver;
        const char *params = own && own->params ? own->params : main_seen->params;
        const char *id = mto_db_fingerprint(pconf, driver ? driver : "", params ? params : "");
        mto_database_t *db = apr_hash_get(by_id, id, APR_HASH_KEY_STRING);

        if (!db) {
            db = apr_pcalloc(pconf, sizeof(*db));
            db->id = id;
            apr_hash_set(by_id, id, APR_HASH_KEY_STRING, db);
        }
        apr_hash_set(mto_databases, apr_pmemdup(pconf, &sp, sizeof(sp)), sizeof(sp), db);
        ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, sp, "database %s (DBDriver %s)", id,
                     driver ? driver : "unset");
    }
}

static mto_database_t *mto_database_of(server_rec *s)
{
    return mto_databases ? apr_hash_get(mto_databases, &s, sizeof(s)) : NULL;
}

const char *mto_store_database_id(server_rec *s)
{
    mto_database_t *db = mto_database_of(s);

    return db ? db->id : "none";
}

mto_generation_t *mto_db_generation(server_rec *s)
{
    mto_database_t *db = mto_database_of(s);

    return db ? &db->generation : NULL;
}

/* ------------------------------------------------------------ down */

mto_db_turn_t mto_db_turn(request_rec *r)
{
    mto_database_t *db = mto_database_of(r->server);
    apr_uint64_t until;
    apr_time_t now;

    if (!db || !(until = apr_atomic_read64(&db->down_until))) {
        return MTO_DB_UP;
    }
    now = apr_time_now();
    /* The interval is over: the one request whose swap wins tries. */
    if ((apr_time_t)until <= now
        && apr_atomic_cas64(&db->down_until, (apr_uint64_t)(now + MTO_DB_DOWN_INTERVAL), until)
               == until) {
        return MTO_DB_PROBE;
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                  "database marked down a moment ago: answering 503 without trying");
    return MTO_DB_DOWN;
}

void mto_db_outcome(request_rec *r, mto_db_turn_t turn, int connected)
{
    mto_database_t *db = mto_database_of(r->server);
    apr_uint64_t was;

    if (!db) {
        return;
    }
    /* Any connection shows the database up (one that failed together with
     * it may have marked it down meanwhile). */
    if (connected) {
        if (apr_atomic_read64(&db->down_until)) {
            apr_atomic_set64(&db->down_until, 0);
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "database reachable again");
        }
        return;
    }
    was = apr_atomic_xchg64(&db->down_until, (apr_uint64_t)(apr_time_now() + MTO_DB_DOWN_INTERVAL));
    /* One line per interval: the probe's, or the first of those that found
     * the database up and failed together. */
    if (turn == MTO_DB_PROBE || was == 0) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "MTO0040: no database connection (DBDriver/DBDParams; see mod_dbd's "
                      "messages above); this process answers 503 without trying for %d ms, "
                      "then tries again",
                      (int)apr_time_as_msec(MTO_DB_DOWN_INTERVAL));
    }
}
