/*
 * throttle.c - the failure counts of throttle.h.
 *
 * A slot is one 64-bit word, so that reading and changing it is one atomic
 * operation and no process ever sees half an update:
 *
 *   tag (24 bits) | window start (24 bits, seconds mod 2^24) | count (16 bits)
 *
 * The home slot comes from the key's low bits and the tag from its high
 * ones.  Two keys share a count only when both agree, which a keyed hash
 * makes as likely as 2^-24 among the few keys of one probe run: then a
 * pair may be refused early, and no one can aim for it.  Window starts are
 * kept mod 2^24 seconds (194 days), far more than the longest window.
 *
 * A slot, once used, is never emptied: a key's slot always comes before
 * the first empty one of its run, so a search stops there.  A new key
 * takes the first empty slot, else the run's slot whose window has
 * passed, else (the table is full of live counts, e.g. under a flood of
 * made-up client_ids) the one with the fewest failures, oldest first:
 * memory stays bounded, a key near its limit is the last to be forgotten,
 * and nothing is ever refused because the table is full.  Two processes
 * that add the same new key at once may each make a slot for it; its
 * failures are then split between the two, counted low, never refused
 * early.
 */
#include "core/throttle.h"

#include <apr_atomic.h>

#define MTO_M24      APR_UINT64_C(0xffffff)
#define MTO_COUNT    APR_UINT64_C(0xffff)
#define MTO_ATTEMPTS 8

#define MTO_TAG(w)   ((apr_uint32_t)(((w) >> 40) & MTO_M24))
#define MTO_START(w) ((apr_uint32_t)(((w) >> 16) & MTO_M24))
#define MTO_CNT(w)   ((apr_uint32_t)((w)&MTO_COUNT))

static apr_uint64_t mto_slot(apr_uint32_t tag, apr_uint32_t start, apr_uint32_t count)
{
    return ((apr_uint64_t)tag << 40) | (((apr_uint64_t)start & MTO_M24) << 16)
           | ((apr_uint64_t)count & MTO_COUNT);
}

static apr_uint32_t mto_tag(apr_uint64_t key)
{
    apr_uint32_t tag = (apr_uint32_t)((key >> 40) & MTO_M24);

    return tag ? tag : 1; /* 0 is an empty slot */
}

/* Seconds since the slot's window began. */
static apr_uint32_t mto_elapsed(apr_uint64_t w, apr_uint32_t now)
{
    return (apr_uint32_t)(((apr_uint64_t)now - MTO_START(w)) & MTO_M24);
}

apr_size_t mto_throttle_bytes(apr_uint32_t nslots)
{
    return (apr_size_t)nslots * sizeof(apr_uint64_t);
}

apr_uint32_t mto_throttle_blocked(const mto_throttle_t *t, apr_uint64_t key, apr_uint32_t now,
                                  apr_uint32_t limit, apr_uint32_t window)
{
    apr_uint32_t mask = t->nslots - 1, tag = mto_tag(key), i, elapsed;
    apr_uint64_t w;

    for (i = 0; i < MTO_THROTTLE_PROBES; i++) {
        w = apr_atomic_read64(&t->slots[(key + i) & mask]);
        if (w == 0) {
            break;
        }
        if (MTO_TAG(w) == tag && (elapsed = mto_elapsed(w, now)) < window && MTO_CNT(w) >= limit) {
            return window - elapsed;
        }
    }
    return 0;
}

/* Where a failure of key goes: its own slot (*own set), else the slot to
 * take for it; *old is that slot's word. */
static apr_uint32_t mto_throttle_find(const mto_throttle_t *t, apr_uint64_t key, apr_uint32_t now,
                                      apr_uint32_t window, apr_uint64_t *old, int *own)
{
    apr_uint32_t mask = t->nslots - 1, tag = mto_tag(key), i, idx, victim = 0, elapsed;
    apr_uint64_t w, rank, best = ~APR_UINT64_C(0);

    *own = 0;
    for (i = 0; i < MTO_THROTTLE_PROBES; i++) {
        idx = (apr_uint32_t)((key + i) & mask);
        w = apr_atomic_read64(&t->slots[idx]);
        if (w == 0 || MTO_TAG(w) == tag) {
            *own = w != 0;
            *old = w;
            return idx;
        }
        /* Passed windows first, then the fewest failures, then the oldest. */
        elapsed = mto_elapsed(w, now);
        rank = elapsed >= window ? 0 : ((apr_uint64_t)MTO_CNT(w) << 24) | (MTO_M24 - elapsed);
        if (rank < best) {
            best = rank;
            victim = idx;
            *old = w;
        }
    }
    return victim;
}

int mto_throttle_fail(const mto_throttle_t *t, apr_uint64_t key, apr_uint32_t now,
                      apr_uint32_t limit, apr_uint32_t window)
{
    apr_uint32_t tag = mto_tag(key), idx, count;
    apr_uint64_t old = 0, w;
    int own, attempt, rc;

    for (attempt = 0; attempt < MTO_ATTEMPTS; attempt++) {
        idx = mto_throttle_find(t, key, now, window, &old, &own);
        rc = MTO_THROTTLE_COUNTED;
        if (own && mto_elapsed(old, now) < window) {
            count = MTO_CNT(old) < MTO_COUNT ? MTO_CNT(old) + 1 : MTO_CNT(old);
            w = mto_slot(tag, MTO_START(old), count);
        }
        else {
            count = 1;
            w = mto_slot(tag, now, 1);
            if (!own && old && mto_elapsed(old, now) < window) {
                rc |= MTO_THROTTLE_EVICTED;
            }
        }
        if (count == limit) {
            rc |= MTO_THROTTLE_REACHED;
        }
        if (apr_atomic_cas64(&t->slots[idx], w, old) == old) {
            return rc;
        }
    }
    return MTO_THROTTLE_BUSY;
}
