/*
 * test_cache_rules.c - unit tests for cache_rules.c: database fingerprints,
 * and the order of writes that keeps a revoked row out of a cache without a
 * lock (memcache, redis).  A fake store runs a revocation in between any two
 * operations of a look-up's write, and the other way round: the row must
 * never be left in.  Prints TAP; run through t/unit/cache_rules.t.
 */
#include <apr_general.h>
#include <apr_strings.h>

#include "core/core.h"
#include "tap.h"

static apr_pool_t *pool;

#define KEY "db:t:0123"
#define ROW "a row"

/* ------------------------------------------------------------ a fake store */

#define SLOTS 8

typedef struct fake fake_t;
struct fake {
    const char *keys[SLOTS];
    const char *values[SLOTS];
    int ops;                  /* operations so far */
    int inject_at;            /* before this one, run inject (once); -1: never */
    void (*inject)(fake_t *); /* the other party's whole sequence */
    int fail_retrieve;        /* retrieve fails with APR_EGENERAL */
};

static int slot(fake_t *f, const char *key, int make)
{
    int i, free_slot = -1;

    for (i = 0; i < SLOTS; i++) {
        if (f->keys[i] && !strcmp(f->keys[i], key)) {
            return i;
        }
        if (!f->keys[i] && free_slot < 0) {
            free_slot = i;
        }
    }
    if (make && free_slot >= 0) {
        f->keys[free_slot] = apr_pstrdup(pool, key);
    }
    return make ? free_slot : -1;
}

static void step(fake_t *f)
{
    if (f->ops++ == f->inject_at && f->inject) {
        f->inject_at = -1;
        f->inject(f);
    }
}

static apr_status_t fake_retrieve(void *ctx, const char *key, const char **value, apr_size_t *len)
{
    fake_t *f = ctx;
    int i;

    step(f);
    if (f->fail_retrieve) {
        return APR_EGENERAL;
    }
    if ((i = slot(f, key, 0)) < 0) {
        return APR_NOTFOUND;
    }
    *value = f->values[i];
    *len = strlen(f->values[i]);
    return APR_SUCCESS;
}

static apr_status_t fake_store(void *ctx, const char *key, const char *value, apr_size_t len,
                               apr_time_t expiry)
{
    fake_t *f = ctx;
    int i;

    (void)expiry; /* entries of this store do not end */
    step(f);
    i = slot(f, key, 1);
    f->values[i] = apr_pstrmemdup(pool, value, len);
    return APR_SUCCESS;
}

static apr_status_t fake_remove(void *ctx, const char *key)
{
    fake_t *f = ctx;
    int i;

    step(f);
    if ((i = slot(f, key, 0)) < 0) {
        return APR_NOTFOUND;
    }
    f->keys[i] = NULL;
    f->values[i] = NULL;
    return APR_SUCCESS;
}

static mto_kv_t kv_of(fake_t *f)
{
    mto_kv_t kv = { f, fake_retrieve, fake_store, fake_remove };
    return kv;
}

static const char *value_of(fake_t *f, const char *key)
{
    int i = slot(f, key, 0);
    return i < 0 ? NULL : f->values[i];
}

static apr_time_t later(void)
{
    return apr_time_now() + apr_time_from_sec(30);
}

static apr_status_t put_row(fake_t *f)
{
    mto_kv_t kv = kv_of(f);
    return mto_kv_put_row(pool, &kv, KEY, ROW, strlen(ROW), later(), later());
}

static void do_revoke(fake_t *f)
{
    mto_kv_t kv = kv_of(f);
    mto_kv_revoke(pool, &kv, KEY, later());
}

static void put_row_void(fake_t *f)
{
    put_row(f);
}

/* ------------------------------------------------------------ tests */

static void test_fingerprint(void)
{
    const char *a = mto_db_fingerprint(pool, "pgsql", "host=db user=u password=secret");
    const char *b = mto_db_fingerprint(pool, "pgsql", "host=db2 user=u password=secret");

    ok(a && strlen(a) == 16 && strspn(a, "0123456789abcdef") == 16,
       "a fingerprint is 16 lower-case hex digits");
    is_str(mto_db_fingerprint(pool, "pgsql", "host=db user=u password=secret"), a,
           "the same driver and parameters give the same fingerprint");
    ok(strcmp(a, b) != 0, "other parameters, another fingerprint");
    ok(strcmp(mto_db_fingerprint(pool, "sqlite3", "/x.db"),
              mto_db_fingerprint(pool, "pgsql", "/x.db"))
           != 0,
       "another driver, another fingerprint");
    ok(strcmp(mto_db_fingerprint(pool, "ab", "c"), mto_db_fingerprint(pool, "a", "bc")) != 0,
       "driver and parameters are kept apart (no ambiguity at the seam)");
    ok(!strstr(a, "secret") && !strstr(a, "host"),
       "the fingerprint says nothing of the parameters");
}

static void test_put_row(void)
{
    fake_t f = { .inject_at = -1 };
    mto_kv_t kv = kv_of(&f);

    ok(put_row(&f) == APR_SUCCESS && value_of(&f, KEY) && !strcmp(value_of(&f, KEY), ROW),
       "a row is stored when nothing is there");

    memset(&f, 0, sizeof(f));
    f.inject_at = -1;
    fake_store(&f, KEY, "-", 1, later());
    ok(put_row(&f) == APR_SUCCESS && !strcmp(value_of(&f, KEY), "-"),
       "a row never replaces a negative entry");

    memset(&f, 0, sizeof(f));
    f.inject_at = -1;
    do_revoke(&f);
    fake_remove(&f, KEY); /* the negative entry evicted, the mark still there */
    ok(put_row(&f) == APR_SUCCESS && !value_of(&f, KEY),
       "a revocation mark alone keeps the row out (the negative entry gone)");

    memset(&f, 0, sizeof(f));
    f.inject_at = -1;
    ok(mto_kv_put_row(pool, &kv, KEY, ROW, strlen(ROW), later(), apr_time_now() - 1) == APR_SUCCESS
           && !value_of(&f, KEY),
       "a row read too long ago is taken back (the mark may have ended)");

    memset(&f, 0, sizeof(f));
    f.inject_at = -1;
    f.fail_retrieve = 1;
    put_row(&f);
    ok(!value_of(&f, KEY), "when the mark cannot be looked for, the row is taken back");
}

/* A revocation between any two operations of a look-up's write. */
static void test_revocation_during_put(void)
{
    int k;

    for (k = 0; k < 5; k++) {
        fake_t f = { .inject_at = k, .inject = do_revoke };
        const char *v;

        put_row(&f);
        if (f.inject_at == k) {
            break; /* the write had fewer operations: all were tried */
        }
        v = value_of(&f, KEY);
        ok(!v || !strcmp(v, "-"),
           "a revocation before operation %d of a look-up's write: the row is not left in", k);
    }
}

/* A look-up's whole write between any two operations of a revocation. */
static void test_put_during_revocation(void)
{
    int k;

    for (k = 0; k < 2; k++) {
        fake_t f = { .inject_at = k, .inject = put_row_void };
        const char *v;

        do_revoke(&f);
        v = value_of(&f, KEY);
        ok(v && !strcmp(v, "-"),
           "a look-up's write before operation %d of a revocation: the negative entry stays", k);
    }
}

/* ------------------------------------------------------------ generations */

static void test_generation_tag(void)
{
    /* An entry holds NULs: the tag must keep every byte. */
    static const char entry[] = { 'T', '1', '\0', 'x', '\0' };
    apr_size_t len = sizeof(entry), got_len;
    const char *tagged = mto_gen_tag(pool, 42, entry, &len), *inner;

    ok(len == sizeof(entry) + MTO_GEN_TAG_LEN && !memcmp(tagged, "000000000000002a:", 17),
       "a tagged entry begins with its generation in 16 hex digits and a colon");
    got_len = len;
    inner = mto_gen_untag(42, tagged, &got_len);
    ok(inner && got_len == sizeof(entry) && !memcmp(inner, entry, sizeof(entry)),
       "the same generation gets the entry back, byte for byte");
    got_len = len;
    ok(!mto_gen_untag(43, tagged, &got_len) && got_len == len,
       "a later generation (the admin tool changed something) finds no entry");
    got_len = len;
    ok(mto_gen_untag(41, tagged, &got_len) == tagged + MTO_GEN_TAG_LEN && got_len == sizeof(entry),
       "a process that has not read the new generation yet takes an entry read under it");
    got_len = len;
    ok(mto_gen_untag(0, tagged, &got_len) != NULL, "generation 0 (no table) takes any entry");
    got_len = 7;
    ok(!mto_gen_untag(0, "0000000000000000", &got_len), "a short entry is no tagged one");
    got_len = MTO_GEN_TAG_LEN + 1;
    ok(!mto_gen_untag(0, "00000000000000zz:x", &got_len), "nor one with a tag that is not hex");
    got_len = 1;
    ok(!mto_gen_untag(0, "-", &got_len), "a negative entry carries no tag");
    got_len = 5;
    ok(!mto_gen_untag(0, "T1\0x", &got_len), "an untagged entry (an older version's) is a miss");
    len = 3;
    tagged = mto_gen_tag(pool, APR_UINT64_MAX, "abc", &len);
    got_len = len;
    ok(mto_gen_untag(APR_UINT64_MAX, tagged, &got_len) && got_len == 3,
       "the largest generation round-trips");
}

static void test_no_table(void)
{
    ok(mto_db_error_no_table("no such table: mto_generation"), "SQLite's missing table");
    ok(mto_db_error_no_table("ERROR:  relation \"mto_generation\" does not exist"),
       "PostgreSQL's missing table");
    ok(!mto_db_error_no_table("database is locked"), "a busy database is no missing table");
    ok(!mto_db_error_no_table("FATAL: database \"x\" does not exist"),
       "a missing database is no missing table");
    ok(!mto_db_error_no_table(NULL), "no message, no missing table");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_fingerprint();
    test_put_row();
    test_revocation_during_put();
    test_put_during_revocation();
    test_generation_tag();
    test_no_table();
    apr_pool_destroy(pool);
    apr_terminate();
    return done_testing();
}
