/*
 * mutex.h - the module's global mutexes: one lock across httpd's processes
 * and threads, named for the Mutex directive (README §6), made before the
 * children fork and attached in each of them.  cache/cache.c (shmcb) and
 * store/write_lock.c (SQLite writers) each have one; each logs its own
 * failures, with its own id, since what a failure costs differs.
 */
#ifndef MTO_MUTEX_H
#define MTO_MUTEX_H

#include <httpd.h>
#include <apr_global_mutex.h>

typedef struct {
    const char *type;          /* the Mutex directive's name */
    apr_global_mutex_t *mutex; /* NULL: not made, or this process could not attach */
} mto_mutex_t;

/* pre_config: registers m->type with the Mutex directive and forgets the
 * mutex of an earlier generation. */
apr_status_t mto_mutex_register(mto_mutex_t *m, apr_pool_t *pconf);

/* post_config: makes the mutex, once per generation; pconf's cleanup
 * destroys it. */
apr_status_t mto_mutex_create(mto_mutex_t *m, apr_pool_t *pconf, server_rec *s);

/* child_init: attaches this process; on failure m->mutex is NULL. */
apr_status_t mto_mutex_child_init(mto_mutex_t *m, apr_pool_t *pchild);

#endif /* MTO_MUTEX_H */
