/*
 * throttle.c - MyTimetableOAuthClientAuthLimit (README "Directive
 * reference"; RFC 6749 §2.3.1, RFC 6819 §5.1.4.2.3): failed client
 * authentications counted per client_id and client address, across every
 * child of httpd, so that guessing a client's secret (or probing for
 * client_ids: unknown ones count the same) is limited to N tries per
 * window from one address.
 *
 * The counts live in one table of core/throttle.c in shared memory, made
 * at post_config before the children are forked, which inherit it; each
 * slot changes by one atomic compare-and-swap, so no request ever waits
 * for a lock.  Memory is fixed (MTO_THROTTLE_SLOTS); when it is full of
 * live counts the smallest is forgotten (MTO0051), never is a pair
 * refused for it.  A key is a keyed hash (HMAC, a random key per start)
 * of the virtual host, the address and the client_id: only that pair is
 * ever refused, so failures from one address cannot lock a client out
 * elsewhere, and no one can make two pairs share a count on purpose.
 * A virtual host counts on its own: it may have a database of its own,
 * where the same client_id is another client.
 *
 * A success leaves the count alone: the hot path of a good client only
 * reads the table, and a client that succeeds rarely fails N times.  The
 * counts start afresh at every (graceful) restart.
 */
#include "log.h"
#include "config/config.h"
#include "endpoints/endpoints.h"
#include "stats/stats.h"

#include <apr_atomic.h>
#include <http_core.h>

/* 16384 slots of 8 bytes: 128 KB. */
#define MTO_THROTTLE_SLOTS        16384
#define MTO_THROTTLE_KEY_BYTES    32
/* A full table is reported at most this often per process. */
#define MTO_THROTTLE_WARN_SECONDS 60

static apr_shm_t *mto_throttle_shm;
static mto_throttle_t mto_throttle_table; /* slots NULL: the limit is off everywhere */
static unsigned char mto_throttle_key[MTO_THROTTLE_KEY_BYTES];
static apr_uint32_t mto_throttle_last_full; /* this process's last MTO0051, seconds */

static apr_status_t mto_throttle_forget(void *data)
{
    mto_throttle_table.slots = NULL;
    mto_throttle_shm = NULL;
    return APR_SUCCESS;
}

int mto_throttle_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    apr_size_t size = mto_throttle_bytes(MTO_THROTTLE_SLOTS);
    const char *key, *why = NULL;
    apr_status_t rv = APR_SUCCESS;
    server_rec *sp;
    int on = 0, window;

    mto_throttle_table.slots = NULL;
    for (sp = s; sp; sp = sp->next) {
        on |= mto_conf_client_auth_limit(mto_server_conf(sp), &window) > 0;
    }
    if (!on) {
        return OK;
    }
    if (!(key = mto_random_b64url(ptemp, MTO_THROTTLE_KEY_BYTES))) {
        why = "no random key";
    }
    else if ((rv = mto_shm_create(&mto_throttle_shm, size, "mytimetable-oauth-throttle.shm", pconf,
                                  ptemp))
             != APR_SUCCESS) {
        why = "no shared memory";
    }
    if (why) {
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_CRIT, rv, s,
                     "MTO0052: MyTimetableOAuthClientAuthLimit: cannot start (%s)", why);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    memcpy(mto_throttle_key, key, sizeof(mto_throttle_key)); /* 43 characters */
    mto_throttle_table.slots = apr_shm_baseaddr_get(mto_throttle_shm);
    mto_throttle_table.nslots = MTO_THROTTLE_SLOTS;
    memset((void *)mto_throttle_table.slots, 0, size);
    apr_pool_cleanup_register(pconf, NULL, mto_throttle_forget, apr_pool_cleanup_null);
    return OK;
}

/* The table's key of (virtual host, address, client_id): 64 bits of an
 * HMAC.  0 when it cannot be made (then nothing is counted). */
static apr_uint64_t mto_throttle_key_of(request_rec *r, const char *client_id)
{
    const char *data =
        apr_psprintf(r->pool, "%pp\n%s\n%s", (void *)r->server, r->useragent_ip, client_id);
    const char *hex = mto_hmac_sha256_hex(r->pool, mto_throttle_key, sizeof(mto_throttle_key), data,
                                          strlen(data));
    apr_uint64_t key = 0;
    int i;

    for (i = 0; hex && i < 16; i++) {
        key = key << 4 | (apr_uint64_t)(hex[i] <= '9' ? hex[i] - '0' : hex[i] - 'a' + 10);
    }
    return key;
}

/* The limit of r's server (0: off, or no table) and its window. */
static int mto_throttle_limit(request_rec *r, int *window)
{
    int limit = mto_conf_client_auth_limit(mto_server_conf(r->server), window);

    return mto_throttle_table.slots ? limit : 0;
}

apr_uint32_t mto_throttle_retry_after(request_rec *r, const char *client_id)
{
    int window, limit = mto_throttle_limit(r, &window);
    apr_uint64_t key;

    if (!limit || !(key = mto_throttle_key_of(r, client_id))) {
        return 0;
    }
    return mto_throttle_blocked(&mto_throttle_table, key,
                                (apr_uint32_t)apr_time_sec(apr_time_now()), (apr_uint32_t)limit,
                                (apr_uint32_t)window);
}

void mto_throttle_failed(request_rec *r, const char *client_id)
{
    int window, limit = mto_throttle_limit(r, &window), rc;
    apr_uint32_t now = (apr_uint32_t)apr_time_sec(apr_time_now()), was;
    apr_uint64_t key;

    if (!limit || !(key = mto_throttle_key_of(r, client_id))) {
        return;
    }
    rc =
        mto_throttle_fail(&mto_throttle_table, key, now, (apr_uint32_t)limit, (apr_uint32_t)window);
    if (rc & MTO_THROTTLE_REACHED) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      "MTO0050: client %s from %s: %d failed client authentications within "
                      "%d s; refused with 429 until the window passes",
                      mto_log_safe(r, client_id), r->useragent_ip, limit, window);
    }
    was = apr_atomic_read32(&mto_throttle_last_full);
    if ((rc & MTO_THROTTLE_EVICTED) && now - was >= MTO_THROTTLE_WARN_SECONDS
        && apr_atomic_cas32(&mto_throttle_last_full, now, was) == was) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      "MTO0051: MyTimetableOAuthClientAuthLimit: the table of failure counts "
                      "is full (%d slots); the smallest counts are forgotten to make room",
                      MTO_THROTTLE_SLOTS);
    }
    if (rc & MTO_THROTTLE_BUSY) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                      "client %s: a failure was not counted (the table kept changing)",
                      mto_log_safe(r, client_id));
    }
}
