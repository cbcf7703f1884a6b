/*
 * stats.h - the status page's counters (docs/status.md), counted by every
 * child and thread of httpd into one table in shared memory.
 *
 * The parts count where they decide an outcome, with one call:
 *     mto_stat_inc(MTO_STAT_GATE_401);
 * an atomic add, no lock, nothing when the table could not be made.  The
 * counters and their names are core/stats.h's.
 */
#ifndef MTO_STATS_H
#define MTO_STATS_H

#include <httpd.h>
#include <apr_shm.h>

#include "core/core.h"

/* post_config: the table, before the children fork (they inherit it).  It
 * belongs to httpd's process, not to a configuration: a graceful or plain
 * restart keeps the counts; a stop ends them. */
int mto_stats_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s);

/* Adds one to a counter (MTO_STAT_COUNT, "no counter", is ignored). */
void mto_stat_inc(mto_stat_id id);

/* Copies every counter into values[MTO_STAT_COUNT]; 0 when there is no table. */
int mto_stats_read(apr_uint64_t *values);

/* Shared memory of size bytes in pool: anonymous, or where the platform
 * has none a file named file in the runtime directory (one left by a crash
 * is removed first).  The status counters and MyTimetableOAuthClientAuthLimit's
 * table (endpoints/throttle.c) both take theirs here. */
apr_status_t mto_shm_create(apr_shm_t **shm, apr_size_t size, const char *file, apr_pool_t *pool,
                            apr_pool_t *ptemp);

#endif /* MTO_STATS_H */
