/*
 * cache_rules.c - keys tied to their database, and the order of writes that
 * keeps a revoked row out of a cache without a lock (README, "Caching and revocation").
 *
 * The race.  A look-up L reads a token's row from the database; a
 * revocation R deletes the row, commits, and replaces the token's cache
 * entry by a negative one; then L stores the row it read.  With shmcb a
 * global mutex makes L's "is there a negative entry?  then store" one step.
 * memcache and redis offer only store, retrieve and remove, with no lock and
 * no "add": L's check and L's store are two steps, and R's store can fall
 * between them.  The row would then be served for the whole TTL.
 *
 * The rule.  R first stores a mark under a key of its own (mto_kv_mark_key),
 * then the negative entry.  L stores its row first, then looks for the mark,
 * and removes its row when it finds one.  Each store is atomic per key in
 * memcached and redis, so either L's row was stored before R's negative
 * entry (which then replaces it), or after it, and then after R's mark too:
 * L's look finds the mark.  The mark must live until L looks: it lives as
 * long as the negative entry (30 s), and L takes its row back anyway when
 * more than half of that passed since it read the row (trust_until), so
 * that a stalled request cannot outwait the mark.
 */
#include "core/cache_rules.h"
#include "core/crypto.h"

#include <apr_strings.h>

#define MTO_FINGERPRINT_HEX 16

const char *mto_db_fingerprint(apr_pool_t *p, const char *driver, const char *params)
{
    apr_size_t dlen = strlen(driver), plen = strlen(params);
    char *both = apr_palloc(p, dlen + 1 + plen);
    const char *hex;

    memcpy(both, driver, dlen);
    both[dlen] = '\0';
    memcpy(both + dlen + 1, params, plen);
    hex = mto_sha256_hex(p, both, dlen + 1 + plen);
    return hex ? apr_pstrmemdup(p, hex, MTO_FINGERPRINT_HEX) : NULL;
}

int mto_kv_is_negative(const char *value, apr_size_t len)
{
    return len == strlen(MTO_KV_NEGATIVE) && !memcmp(value, MTO_KV_NEGATIVE, len);
}

/* Where a revocation of key leaves its mark: after the key, so that it
 * begins as the key does (a shmcb key's first byte picks its subcache). */
static const char *mto_kv_mark_key(apr_pool_t *p, const char *key)
{
    return apr_pstrcat(p, key, "!revoked", NULL);
}

apr_status_t mto_kv_put_row(apr_pool_t *p, const mto_kv_t *kv, const char *key, const char *value,
                            apr_size_t len, apr_time_t expiry, apr_time_t trust_until)
{
    const char *old;
    apr_size_t old_len;
    apr_status_t rv;

    /* A row never replaces a negative entry: it may be a revocation's. */
    rv = kv->retrieve(kv->ctx, key, &old, &old_len);
    if (rv == APR_SUCCESS && mto_kv_is_negative(old, old_len)) {
        return APR_SUCCESS;
    }
    rv = kv->store(kv->ctx, key, value, len, expiry);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    rv = kv->retrieve(kv->ctx, mto_kv_mark_key(p, key), &old, &old_len);
    if (APR_STATUS_IS_NOTFOUND(rv) && apr_time_now() < trust_until) {
        return APR_SUCCESS;
    }
    /* Revoked meanwhile, or no telling: the row goes again (a negative
     * entry in its place could hide a valid row for the whole TTL). */
    rv = kv->remove(kv->ctx, key);
    return APR_STATUS_IS_NOTFOUND(rv) ? APR_SUCCESS : rv;
}

apr_status_t mto_kv_revoke(apr_pool_t *p, const mto_kv_t *kv, const char *key, apr_time_t expiry)
{
    apr_size_t neg = strlen(MTO_KV_NEGATIVE);
    apr_status_t rv = kv->store(kv->ctx, mto_kv_mark_key(p, key), MTO_KV_NEGATIVE, neg, expiry);

    if (rv != APR_SUCCESS) {
        return rv;
    }
    return kv->store(kv->ctx, key, MTO_KV_NEGATIVE, neg, expiry);
}

/* ------------------------------------------------------------ generations */

static void mto_gen_format(char buf[MTO_GEN_TAG_LEN + 1], apr_uint64_t gen)
{
    apr_snprintf(buf, MTO_GEN_TAG_LEN + 1, "%016" APR_UINT64_T_HEX_FMT ":", gen);
}

const char *mto_gen_tag(apr_pool_t *p, apr_uint64_t gen, const char *entry, apr_size_t *len)
{
    char *out = apr_palloc(p, MTO_GEN_TAG_LEN + *len + 1);

    mto_gen_format(out, gen);
    memcpy(out + MTO_GEN_TAG_LEN, entry, *len);
    out[MTO_GEN_TAG_LEN + *len] = '\0';
    *len += MTO_GEN_TAG_LEN;
    return out;
}

/* The value of a lowercase hex digit, or 16 (the gate reads a tag on every
 * cached look-up: no strchr, no strtoull). */
static unsigned mto_hex_digit(char c)
{
    return c >= '0' && c <= '9'   ? (unsigned)(c - '0')
           : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                                  : 16;
}

const char *mto_gen_untag(apr_uint64_t at_least, const char *tagged, apr_size_t *len)
{
    apr_uint64_t gen = 0;
    unsigned digit;
    int i;

    if (*len < MTO_GEN_TAG_LEN || tagged[MTO_GEN_TAG_LEN - 1] != ':') {
        return NULL;
    }
    for (i = 0; i < MTO_GEN_TAG_LEN - 1; i++) {
        if ((digit = mto_hex_digit(tagged[i])) > 15) {
            return NULL;
        }
        gen = gen << 4 | digit;
    }
    if (gen < at_least) {
        return NULL;
    }
    *len -= MTO_GEN_TAG_LEN;
    return tagged + MTO_GEN_TAG_LEN;
}

int mto_db_error_no_table(const char *msg)
{
    const char *rel = msg ? strstr(msg, "relation") : NULL;

    /* SQLite; PostgreSQL ("relation … does not exist"); MariaDB ("Table
     * '…' doesn't exist"); SQL Server ("Invalid object name"). */
    const char *tab = msg ? strstr(msg, "Table") : NULL;

    return msg
           && (strstr(msg, "no such table") || (rel && strstr(rel, "does not exist"))
               || (tab && strstr(tab, "exist")) || strstr(msg, "Invalid object name"));
}
