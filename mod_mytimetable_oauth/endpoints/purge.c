/*
 * purge.c - removing expired codes, tokens and approvals from inside httpd,
 * by the same rules as the admin tool's `purge` (store/statements.h, MTO_PURGE_*).
 *
 * Off every hot path: never on the gate, only after the token, revocation
 * or introspection endpoint has answered (the answer is flushed first, so
 * the client does not wait), at most once per MyTimetableOAuthPurgeInterval
 * per child and server, and at most MTO_PURGE_BATCH rows per table per run.
 * A run that hit that bound makes the next one due a second later, so a
 * backlog drains in short steps instead of one long run.
 */
#include "log.h"
#include "config/config.h"
#include "store/store.h"
#include "cache/cache.h"
#include "respond/respond.h"
#include "endpoints/endpoints.h"

#include <apr_atomic.h>
#include <apr_hash.h>
#include <http_protocol.h>

/* When each server's next purge is due in this child (server_rec * to
 * volatile apr_uint32_t *, epoch seconds, 0 at first): made at child_init,
 * then only the values change, through apr_atomic. */
static apr_hash_t *mto_purge_due;

void mto_purge_child_init(apr_pool_t *pchild, server_rec *s)
{
    mto_purge_due = apr_hash_make(pchild);
    for (; s; s = s->next) {
        server_rec **key = apr_palloc(pchild, sizeof(*key));

        *key = s;
        apr_hash_set(mto_purge_due, key, sizeof(*key),
                     apr_pcalloc(pchild, sizeof(volatile apr_uint32_t)));
    }
}

/* Whether this thread runs the purge now: it is due, and this thread is
 * the one that moved the due time on (the others of the child go on). */
static int mto_purge_claim(volatile apr_uint32_t *due_at, const mto_server_conf_t *c,
                           apr_int64_t now)
{
    apr_int64_t interval = mto_conf_purge_interval(c);
    apr_uint32_t due;

    if (!due_at || interval == 0) {
        return 0;
    }
    due = apr_atomic_read32(due_at);
    if (now < (apr_int64_t)due) {
        return 0;
    }
    return apr_atomic_cas32(due_at, (apr_uint32_t)(now + interval), due) == due;
}

static int mto_purge_hit_bound(const mto_purge_counts_t *n)
{
    return n->codes >= MTO_PURGE_BATCH || n->access >= MTO_PURGE_BATCH
           || n->refresh >= MTO_PURGE_BATCH || n->approvals >= MTO_PURGE_BATCH;
}

void mto_purge_after_answer(request_rec *r, int status)
{
    const mto_server_conf_t *c = mto_server_conf(r->server);
    volatile apr_uint32_t *due_at =
        mto_purge_due ? apr_hash_get(mto_purge_due, &r->server, sizeof(r->server)) : NULL;
    apr_int64_t now = apr_time_sec(apr_time_now());
    mto_purge_counts_t n;

    /* Not after a database failure (it would only fail again), nor inside
     * a sub-request (whose answer is part of another). */
    if (r->main || status >= HTTP_INTERNAL_SERVER_ERROR || !mto_purge_claim(due_at, c, now)) {
        return;
    }
    ap_rflush(r);
    if (mto_store_purge(r, now, &n) != MTO_STORE_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      "MTO0011: purge of expired "
                      "codes and tokens failed (see above); it is tried again later");
        return;
    }
    if (mto_purge_hit_bound(&n)) {
        apr_atomic_set32(due_at, (apr_uint32_t)(now + 1));
    }
    ap_log_rerror(APLOG_MARK,
                  n.codes + n.access + n.refresh + n.approvals ? APLOG_INFO : APLOG_DEBUG, 0, r,
                  "purge: removed %d expired "
                  "code(s), %d access token(s), %d refresh token(s), %d approval(s)%s",
                  n.codes, n.access, n.refresh, n.approvals,
                  mto_purge_hit_bound(&n) ? "; more to do" : "");
}
