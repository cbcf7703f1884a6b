/*
 * stats.c - the status page's counters in shared memory (stats.h).
 *
 * One table of 64-bit counters that every child and thread adds to with
 * an atomic increment: nothing on the request path waits for a lock, and
 * the page sums nothing, as there is one count per counter.  The table is
 * made in httpd's process pool at the first real post_config and found
 * there again at each restart (pool user data outlives the configuration
 * and this module's reloading): the counts run from httpd's start, across
 * graceful and plain restarts, and the children of an old generation still
 * finishing their requests count into the same table.  Its first slot
 * holds the layout of the counter table (mto_stats_layout): a module
 * loaded at a restart with other counters starts from zero.
 */
#include "log.h"
#include "stats/stats.h"

#include <apr_atomic.h>
#include <http_core.h>

/* The user data key in httpd's process pool (copied there: this module's
 * strings go when it is unloaded at a restart). */
#define MTO_STATS_KEY  "mod_mytimetable_oauth status counters"
#define MTO_STATS_FILE "mytimetable-oauth-stats.shm"

static volatile apr_uint64_t *mto_stats_counts; /* NULL: not counting */

apr_status_t mto_shm_create(apr_shm_t **shm, apr_size_t size, const char *file, apr_pool_t *pool,
                            apr_pool_t *ptemp)
{
    apr_status_t rv = apr_shm_create(shm, size, NULL, pool);
    const char *path;

    if (rv != APR_ENOTIMPL) {
        return rv;
    }
    if (!(path = ap_runtime_dir_relative(pool, file))) {
        return APR_EBADPATH;
    }
    apr_shm_remove(path, ptemp); /* left over by a crash */
    return apr_shm_create(shm, size, path, pool);
}

static apr_status_t mto_stats_forget(void *data)
{
    mto_stats_counts = NULL;
    return APR_SUCCESS;
}

/* The table of earlier generations of this process, or a new one. */
static apr_status_t mto_stats_table(server_rec *s, apr_pool_t *ptemp, apr_size_t size,
                                    volatile apr_uint64_t **base)
{
    apr_pool_t *proc = s->process->pool;
    apr_uint64_t layout = mto_stats_layout();
    apr_shm_t *shm = NULL;
    apr_status_t rv;

    apr_pool_userdata_get((void **)&shm, MTO_STATS_KEY, proc);
    if (!shm || apr_shm_size_get(shm) != size) {
        if ((rv = mto_shm_create(&shm, size, MTO_STATS_FILE, proc, ptemp)) != APR_SUCCESS) {
            return rv;
        }
        apr_pool_userdata_set(shm, MTO_STATS_KEY, apr_pool_cleanup_null, proc);
        memset(apr_shm_baseaddr_get(shm), 0, size);
    }
    *base = apr_shm_baseaddr_get(shm);
    if (apr_atomic_read64(*base) != layout) {
        memset((void *)*base, 0, size);
        apr_atomic_set64(*base, layout);
    }
    return APR_SUCCESS;
}

int mto_stats_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    volatile apr_uint64_t *base;
    apr_status_t rv;

    mto_stats_counts = NULL;
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG) {
        return OK; /* httpd's first reading of the configuration: it serves nothing */
    }
    rv = mto_stats_table(s, ptemp, (MTO_STAT_COUNT + 1) * sizeof(apr_uint64_t), &base);
    if (rv != APR_SUCCESS) {
        /* The server works without its counters; the page says so (503). */
        ap_log_error(APLOG_MARK, APLOG_WARNING, rv, s,
                     "MTO0090: no shared memory for the status page's counters: "
                     "mytimetable-oauth-status answers 503 until httpd restarts");
        return OK;
    }
    mto_stats_counts = base + 1;
    apr_pool_cleanup_register(pconf, NULL, mto_stats_forget, apr_pool_cleanup_null);
    return OK;
}

void mto_stat_inc(mto_stat_id id)
{
    if (mto_stats_counts && (unsigned)id < MTO_STAT_COUNT) {
        apr_atomic_inc64(&mto_stats_counts[id]);
    }
}

int mto_stats_read(apr_uint64_t *values)
{
    int i;

    if (!mto_stats_counts) {
        return 0;
    }
    for (i = 0; i < MTO_STAT_COUNT; i++) {
        values[i] = apr_atomic_read64(&mto_stats_counts[i]);
    }
    return 1;
}
