/*
 * throttle.h - counting failures per key within a time window, in a
 * fixed table of 64-bit slots that many processes and threads share
 * (throttle.c): each slot changes by one compare-and-swap, no lock.
 *
 * The caller hashes its key (e.g. a keyed hash of client_id and address)
 * to 64 bits and keeps the table in memory all of them see.  Times are
 * whole seconds.
 */
#ifndef MTO_CORE_THROTTLE_H
#define MTO_CORE_THROTTLE_H

#include <apr.h>

/* Slots one key may use, from its home slot on (open addressing). */
#define MTO_THROTTLE_PROBES     8
/* Largest limit and window the table can count. */
#define MTO_THROTTLE_MAX_LIMIT  10000
#define MTO_THROTTLE_MAX_WINDOW 86400

typedef struct {
    volatile apr_uint64_t *slots; /* zeroed when made */
    apr_uint32_t nslots;          /* a power of two */
} mto_throttle_t;

/* What mto_throttle_fail did: MTO_THROTTLE_COUNTED, or these bits. */
#define MTO_THROTTLE_COUNTED 0
#define MTO_THROTTLE_REACHED 1 /* this failure reached the limit: once per window */
#define MTO_THROTTLE_EVICTED 2 /* counted in the slot of another key's live count */
#define MTO_THROTTLE_BUSY    4 /* not counted: the slots kept changing under it */

/* Bytes of a table of nslots slots. */
apr_size_t mto_throttle_bytes(apr_uint32_t nslots);

/* Seconds until the window of key passes when it has had limit failures
 * in it (the key is refused), else 0. */
apr_uint32_t mto_throttle_blocked(const mto_throttle_t *t, apr_uint64_t key, apr_uint32_t now,
                                  apr_uint32_t limit, apr_uint32_t window);

/* Counts a failure of key at now: the first one starts a window of
 * window seconds; a failure after it has passed starts a new one. */
int mto_throttle_fail(const mto_throttle_t *t, apr_uint64_t key, apr_uint32_t now,
                      apr_uint32_t limit, apr_uint32_t window);

#endif /* MTO_CORE_THROTTLE_H */
