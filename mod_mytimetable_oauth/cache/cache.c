/*
 * cache.c - the socache behind MyTimetableOAuthCache (README, "Caching and revocation").
 *
 * One provider instance per server that names a cache of its own; a virtual
 * host that does not shares the main server's.  Providers that are not safe
 * across processes and threads (shmcb) are used under one global mutex, as
 * mod_authn_socache does; memcache and redis need none.
 *
 * The cache only ever saves work.  Whatever fails (a busy lock, a dead
 * memcached) makes the caller ask the database instead: the gate never
 * waits for the lock.  Only forgetting a revoked token waits, because that
 * must not be skipped.  Without a lock (memcache, redis) the order of writes
 * of core/cache_rules.c keeps a revoked row from coming back.
 */
#include "log.h"
#include "config/config.h"
#include "cache/cache.h"
#include "mutex.h"
#include "stats/stats.h"

#include <ap_provider.h>
#include <ap_socache.h>
#include <apr_atomic.h>
#include <apr_global_mutex.h>
#include <apr_hash.h>

/* The Mutex directive's name for our lock. */
#define MTO_CACHE_MUTEX_TYPE       "mytimetable-oauth-cache"
/* memcache and redis put it before every key (at most 14 characters): it
 * changes with the entry format, so servers of two versions sharing one
 * memcached never read each other's entries. */
#define MTO_CACHE_NAMESPACE        "mto-oauth-v1"
#define MTO_CACHE_DEFAULT_PROVIDER "shmcb"
/* Largest entry read or written (a client with many redirect URIs). */
#define MTO_CACHE_MAX_VALUE        8192
/* A failing cache is reported at most this often per process. */
#define MTO_CACHE_WARN_SECONDS     60

struct mto_cache {
    const char *spec; /* as configured, for log lines */
    const ap_socache_provider_t *provider;
    ap_socache_instance_t *instance;
    int locked;                /* used under mto_cache_mutex */
    int spread;                /* keys begin with a byte of their hash (shmcb) */
    server_rec *s;             /* the server it was made for */
    apr_uint32_t last_warning; /* seconds; this process's copy */
};

static mto_mutex_t mto_cache_mutex = { MTO_CACHE_MUTEX_TYPE, NULL };

/* The instance of each server (server_rec * to mto_cache_t *; none: no
 * cache): made at post_config, only read afterwards. */
static apr_hash_t *mto_caches;

/* ------------------------------------------------------------ configuration */

int mto_cache_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    apr_status_t rv = mto_mutex_register(&mto_cache_mutex, pconf);

    if (rv != APR_SUCCESS) {
        ap_log_perror(APLOG_MARK, APLOG_CRIT, rv, plog,
                      "MTO0001: cannot "
                      "register the %s mutex",
                      MTO_CACHE_MUTEX_TYPE);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

static apr_status_t mto_cache_destroy(void *data)
{
    mto_cache_t *c = data;

    c->provider->destroy(c->instance, c->s);
    return APR_SUCCESS;
}

int mto_cache_spec_parse(apr_pool_t *p, const char *spec, const char **name, const char **args)
{
    const char *colon = spec ? strchr(spec, ':') : NULL;

    if (spec && !strcmp(spec, "none")) {
        return 0;
    }
    *name = !spec   ? MTO_CACHE_DEFAULT_PROVIDER
            : colon ? apr_pstrmemdup(p, spec, (apr_size_t)(colon - spec))
                    : spec;
    *args = colon ? colon + 1 : NULL;
    return 1;
}

/* Providers register themselves when their module is loaded, possibly after
 * our directive: so the name is looked up once the whole file is read.
 * Without the directive the cache is shmcb, which must be loaded too. */
static const char *mto_cache_spec_check(apr_pool_t *p, const char *spec)
{
    const char *name, *args;

    if (!mto_cache_spec_parse(p, spec, &name, &args)
        || ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP, name, AP_SOCACHE_PROVIDER_VERSION)) {
        return NULL;
    }
    if (!spec) {
        return "MyTimetableOAuthCache: the default cache, shmcb, needs mod_socache_shmcb: "
               "load it (LoadModule socache_shmcb_module modules/mod_socache_shmcb.so), or "
               "choose another cache, or say MyTimetableOAuthCache none";
    }
    return apr_psprintf(p,
                        "MyTimetableOAuthCache: unknown socache provider '%s' (load "
                        "mod_socache_%s, or use none)",
                        name, name);
}

const char *mto_cache_check(apr_pool_t *p, server_rec *s)
{
    const char *err = NULL;

    for (; s && !err; s = s->next) {
        err = mto_cache_spec_check(p, mto_server_conf(s)->cache_spec);
    }
    return err;
}

/* The instance for a MyTimetableOAuthCache value (NULL: the default), or
 * NULL for "none".  The provider is loaded: mto_cache_check made sure. */
static const char *mto_cache_create(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *s,
                                    const char *spec, mto_cache_t **out)
{
    /* Hints for shmcb's layout: a database fingerprint, a kind and a
     * SHA-256 in hex; a token row. */
    static const struct ap_socache_hints hints = { 83, 160, 60 * APR_USEC_PER_SEC };
    const char *name, *args, *err;
    mto_cache_t *c;
    apr_status_t rv;

    *out = NULL;
    if (!mto_cache_spec_parse(ptemp, spec, &name, &args)) {
        return NULL;
    }
    c = apr_pcalloc(pconf, sizeof(*c));
    c->s = s;
    c->spec = spec ? spec : MTO_CACHE_DEFAULT_PROVIDER;
    c->provider = ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP, name, AP_SOCACHE_PROVIDER_VERSION);
    if (!c->provider) {
        return apr_psprintf(ptemp, "no socache provider for '%s'", c->spec);
    }
    if ((err = c->provider->create(&c->instance, args, ptemp, pconf))) {
        return err;
    }
    rv = c->provider->init(c->instance, MTO_CACHE_NAMESPACE, &hints, s, pconf);
    if (rv != APR_SUCCESS) {
        return apr_psprintf(ptemp, "cannot initialise it: %pm", &rv);
    }
    apr_pool_cleanup_register(pconf, c, mto_cache_destroy, apr_pool_cleanup_null);
    c->locked = (c->provider->flags & AP_SOCACHE_FLAG_NOTMPSAFE) != 0;
    c->spread = !strcmp(name, "shmcb");
    *out = c;
    return NULL;
}

static apr_status_t mto_caches_forget(void *data)
{
    mto_caches = NULL;
    return APR_SUCCESS;
}

/* Instances for every server: its own if it sets MyTimetableOAuthCache
 * (merging copied the main server's value otherwise), else the main
 * server's; then the mutex, if one of them needs it. */
int mto_cache_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    const char *main_spec = mto_server_conf(s)->cache_spec;
    mto_cache_t *main_cache = NULL;
    int need_mutex = 0;
    server_rec *sp;
    apr_status_t rv;

    mto_caches = apr_hash_make(pconf);
    apr_pool_cleanup_register(pconf, NULL, mto_caches_forget, apr_pool_cleanup_null);
    for (sp = s; sp; sp = sp->next) {
        const char *spec = mto_server_conf(sp)->cache_spec, *err;
        server_rec **key = apr_palloc(pconf, sizeof(*key));
        mto_cache_t *c = main_cache;

        if ((sp == s || spec != main_spec)
            && (err = mto_cache_create(pconf, ptemp, sp, spec, &c))) {
            ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_CRIT, 0, sp,
                         "MTO0002: "
                         "MyTimetableOAuthCache %s: %s",
                         spec ? spec : MTO_CACHE_DEFAULT_PROVIDER, err);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        if (sp == s) {
            main_cache = c;
        }
        *key = sp;
        apr_hash_set(mto_caches, key, sizeof(*key), c);
        need_mutex |= c && c->locked;
    }
    if (!need_mutex) {
        return OK;
    }
    rv = mto_mutex_create(&mto_cache_mutex, pconf, s);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_CRIT, rv, s,
                     "MTO0003: "
                     "cannot create the %s mutex",
                     MTO_CACHE_MUTEX_TYPE);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

void mto_cache_child_init(apr_pool_t *pchild, server_rec *s)
{
    apr_status_t rv = mto_mutex_child_init(&mto_cache_mutex, pchild);

    if (rv != APR_SUCCESS) {
        /* Without it the cache cannot be used safely: every look-up asks
         * the database. */
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s,
                     "MTO0004: cannot attach "
                     "to the %s mutex; caching is off in this process",
                     MTO_CACHE_MUTEX_TYPE);
    }
}

/* ------------------------------------------------------------ failures */

/* A provider call failed: the request goes on from the database.  A dead
 * memcached fails every call, so the warning comes once a minute per cache
 * and process; the rest is at debug. */
static void mto_cache_failed(request_rec *r, mto_cache_t *c, apr_status_t rv, const char *what)
{
    apr_uint32_t now = (apr_uint32_t)apr_time_sec(apr_time_now());
    apr_uint32_t was = apr_atomic_read32(&c->last_warning);
    int level = APLOG_DEBUG;

    if ((was == 0 || now - was >= MTO_CACHE_WARN_SECONDS)
        && apr_atomic_cas32(&c->last_warning, now, was) == was) {
        level = APLOG_WARNING;
    }
    ap_log_rerror(APLOG_MARK, level, rv, r,
                  "MTO0005: cache %s failed "
                  "(MyTimetableOAuthCache %s); answering from the database",
                  what, c->spec);
}

/* ------------------------------------------------------------ the lock */

/* 1 when c may be used now (its lock held, if it has one); 0 when the lock
 * is busy and the caller did not want to wait, or failed. */
static int mto_cache_lock(request_rec *r, mto_cache_t *c, int wait)
{
    apr_status_t rv;

    if (!c->locked) {
        return 1;
    }
    if (!mto_cache_mutex.mutex) {
        return 0; /* child_init failed (logged) */
    }
    rv = wait ? apr_global_mutex_lock(mto_cache_mutex.mutex)
              : apr_global_mutex_trylock(mto_cache_mutex.mutex);
    if (rv == APR_SUCCESS) {
        return 1;
    }
    if (APR_STATUS_IS_EBUSY(rv)) {
        ap_log_rerror(APLOG_MARK, APLOG_TRACE2, 0, r,
                      "cache: busy, "
                      "skipped");
    }
    else {
        mto_cache_failed(r, c, rv, "lock");
    }
    return 0;
}

static void mto_cache_unlock(const mto_cache_t *c)
{
    if (c->locked) {
        apr_global_mutex_unlock(mto_cache_mutex.mutex);
    }
}

/* ------------------------------------------------------------ entries */

static mto_cache_t *mto_cache_of(request_rec *r)
{
    return mto_caches ? apr_hash_get(mto_caches, &r->server, sizeof(r->server)) : NULL;
}

int mto_cache_on(request_rec *r)
{
    mto_cache_t *c = mto_cache_of(r);

    return c && (!c->locked || mto_cache_mutex.mutex);
}

/* Every key holds the fingerprint of the server's database: a cache shared
 * by servers of several databases (a virtual host with DBDParams of its own
 * that inherits the main server's cache, two deployments on one memcached)
 * never answers one database's look-up with another's row.
 *
 * shmcb files an entry in one of its subcaches (up to 256) by the key's
 * first byte alone, and drops a subcache's oldest entries when it is full.
 * Keys that all began with the fingerprint filled one subcache, a sixteenth
 * of the default size, so for shmcb a byte of the key's hash (FNV-1a, never
 * 0: keys are C strings) goes first.  memcache and redis hash the whole key
 * and get it as it is. */
static const char *mto_cache_key(request_rec *r, const mto_cache_t *c, const char *key)
{
    const char *db = mto_store_database_id(r->server);
    apr_uint32_t h = 2166136261u;
    char first[2] = { 0, 0 };
    const unsigned char *k;

    if (!c->spread) {
        return apr_pstrcat(r->pool, db, ":", key, NULL);
    }
    for (k = (const unsigned char *)key; *k; k++) {
        h = (h ^ *k) * 16777619u;
    }
    first[0] = (char)(1 + (h ^ h >> 8 ^ h >> 16 ^ h >> 24) % 255);
    return apr_pstrcat(r->pool, first, db, ":", key, NULL);
}

/* The provider's retrieve, under the lock the caller holds. */
static apr_status_t mto_cache_retrieve(request_rec *r, const mto_cache_t *c, const char *key,
                                       const char **value, apr_size_t *len)
{
    unsigned int n = MTO_CACHE_MAX_VALUE;
    unsigned char *buf = apr_palloc(r->pool, n + 1);
    apr_status_t rv;

    rv = c->provider->retrieve(c->instance, r->server, (const unsigned char *)key,
                               (unsigned int)strlen(key), buf, &n, r->pool);
    if (rv == APR_SUCCESS) {
        buf[n] = '\0';
        *value = (const char *)buf;
        *len = n;
    }
    return rv;
}

int mto_cache_get(request_rec *r, const char *key, const char **value, apr_size_t *len, int wait)
{
    mto_cache_t *c = mto_cache_of(r);
    apr_status_t rv;

    if (!c) {
        return 0; /* no cache: not a look-up */
    }
    if (!mto_cache_lock(r, c, wait)) {
        if (!wait) {
            mto_stat_inc(MTO_STAT_CACHE_MISS);
        }
        return 0;
    }
    rv = mto_cache_retrieve(r, c, mto_cache_key(r, c, key), value, len);
    mto_cache_unlock(c);
    if (rv != APR_SUCCESS && !APR_STATUS_IS_NOTFOUND(rv)) {
        mto_cache_failed(r, c, rv, "read");
    }
    if (!wait) { /* the retry after a database failure is not a look-up of its own */
        mto_stat_inc(rv == APR_SUCCESS ? MTO_STAT_CACHE_HIT : MTO_STAT_CACHE_MISS);
    }
    return rv == APR_SUCCESS;
}

/* ------------------------------------------------------------ the rules */

/* The provider as core/cache_rules.c's store, under the lock the caller
 * holds; keys are full keys (mto_cache_key). */
typedef struct {
    request_rec *r;
    const mto_cache_t *c;
} mto_kv_ctx_t;

static apr_status_t mto_kv_retrieve(void *ctx, const char *key, const char **value, apr_size_t *len)
{
    mto_kv_ctx_t *k = ctx;

    return mto_cache_retrieve(k->r, k->c, key, value, len);
}

static apr_status_t mto_kv_store(void *ctx, const char *key, const char *value, apr_size_t len,
                                 apr_time_t expiry)
{
    mto_kv_ctx_t *k = ctx;

    return k->c->provider->store(k->c->instance, k->r->server, (const unsigned char *)key,
                                 (unsigned int)strlen(key), expiry, (unsigned char *)value,
                                 (unsigned int)len, k->r->pool);
}

static apr_status_t mto_kv_remove(void *ctx, const char *key)
{
    mto_kv_ctx_t *k = ctx;

    return k->c->provider->remove(k->c->instance, k->r->server, (const unsigned char *)key,
                                  (unsigned int)strlen(key), k->r->pool);
}

static mto_kv_t mto_kv_of(mto_kv_ctx_t *ctx)
{
    mto_kv_t kv = { ctx, mto_kv_retrieve, mto_kv_store, mto_kv_remove };

    return kv;
}

/* memcache and redis count in whole seconds and refuse less than one. */
static int mto_cache_storable(apr_size_t len, apr_time_t expiry)
{
    return len <= MTO_CACHE_MAX_VALUE && expiry - apr_time_now() >= apr_time_from_sec(1);
}

void mto_cache_put(request_rec *r, const char *key, const char *value, apr_size_t len,
                   apr_time_t expiry, apr_time_t trust_until)
{
    mto_cache_t *c = mto_cache_of(r);
    mto_kv_ctx_t ctx = { r, c };
    mto_kv_t kv = mto_kv_of(&ctx);
    apr_status_t rv;

    if (!c || !mto_cache_storable(len, expiry) || !mto_cache_lock(r, c, 0)) {
        return;
    }
    key = mto_cache_key(r, c, key);
    rv = mto_kv_is_negative(value, len)
             ? mto_kv_store(&ctx, key, value, len, expiry)
             : mto_kv_put_row(r->pool, &kv, key, value, len, expiry, trust_until);
    mto_cache_unlock(c);
    if (rv != APR_SUCCESS) {
        mto_cache_failed(r, c, rv, "write");
    }
}

int mto_cache_forget(request_rec *r, const char *key, apr_time_t expiry)
{
    mto_cache_t *c = mto_cache_of(r);
    mto_kv_ctx_t ctx = { r, c };
    mto_kv_t kv = mto_kv_of(&ctx);
    apr_status_t rv = APR_EGENERAL;

    if (!c || !mto_cache_storable(1, expiry)) {
        return 1;
    }
    if (mto_cache_lock(r, c, 1)) {
        rv = mto_kv_revoke(r->pool, &kv, mto_cache_key(r, c, key), expiry);
        mto_cache_unlock(c);
        if (rv != APR_SUCCESS) {
            mto_cache_failed(r, c, rv, "write");
        }
    }
    return rv == APR_SUCCESS;
}
