/*
 * cache_entry.c - rows as the cache keeps them (README, "Caching and revocation").
 *
 * An entry is a kind letter and a version digit, then every field followed
 * by a NUL: strings read from the database hold no NUL, and numbers are
 * written in decimal.  Lists are stored joined by commas, which
 * mto_list_split gives back unchanged.  A decoder accepts exactly the
 * shape its encoder writes and nothing else: whatever else a shared cache
 * may hold (another version, another program) reads as a miss.
 */
#include "core/core.h"

#include <errno.h>

#define MTO_ENTRY_TOKEN     "T1"
#define MTO_ENTRY_API_TOKEN "A1"
#define MTO_ENTRY_CLIENT    "C3" /* C1: before authorities; C2: before additional_information */

/* ------------------------------------------------------------ plumbing */

/* kind, then each of the n fields and its NUL. */
static const char *mto_entry_join(apr_pool_t *p, const char *kind, const char *const *fields, int n,
                                  apr_size_t *len)
{
    apr_size_t total = strlen(kind), at;
    char *out;
    int i;

    for (i = 0; i < n; i++) {
        if (!fields[i]) {
            return NULL;
        }
        total += strlen(fields[i]) + 1;
    }
    out = apr_palloc(p, total + 1);
    at = strlen(kind);
    memcpy(out, kind, at);
    for (i = 0; i < n; i++) {
        apr_size_t l = strlen(fields[i]) + 1;
        memcpy(out + at, fields[i], l);
        at += l;
    }
    out[at] = '\0'; /* not part of the entry; for safety */
    *len = total;
    return out;
}

/* Splits an entry of kind into exactly n fields (pointing into a copy). */
static int mto_entry_split(apr_pool_t *p, const char *kind, const char *entry, apr_size_t len,
                           const char **fields, int n)
{
    apr_size_t klen = strlen(kind), at;
    char *copy;
    int i;

    if (!entry || len < klen || memcmp(entry, kind, klen) != 0) {
        return 0;
    }
    copy = apr_pstrmemdup(p, entry, len);
    at = klen;
    for (i = 0; i < n; i++) {
        const char *nul = at < len ? memchr(copy + at, '\0', len - at) : NULL;
        if (!nul) {
            return 0;
        }
        fields[i] = copy + at;
        at = (apr_size_t)(nul - copy) + 1;
    }
    return at == len; /* nothing after the last field */
}

static const char *mto_entry_num(apr_pool_t *p, apr_int64_t v)
{
    return apr_psprintf(p, "%" APR_INT64_T_FMT, v);
}

/* A decimal number as mto_entry_num writes it, at least min. */
static int mto_entry_parse_num(const char *s, apr_int64_t min, apr_int64_t *out)
{
    char *end;

    if (!*s) {
        return 0;
    }
    errno = 0;
    *out = apr_strtoi64(s, &end, 10);
    return !*end && !errno && *out >= min;
}

/* "0" or "1". */
static int mto_entry_parse_flag(const char *s, int *out)
{
    if ((s[0] != '0' && s[0] != '1') || s[1]) {
        return 0;
    }
    *out = s[0] == '1';
    return 1;
}

static const char *mto_entry_list(apr_pool_t *p, const apr_array_header_t *list)
{
    return list ? apr_array_pstrcat(p, list, ',') : "";
}

/* ------------------------------------------------------------ access tokens */

const char *mto_token_to_entry(apr_pool_t *p, const mto_token_t *t, apr_size_t *len)
{
    const char *f[5];

    f[0] = t->client_id;
    f[1] = t->user;
    f[2] = t->scope;
    f[3] = mto_entry_num(p, t->issued);
    f[4] = mto_entry_num(p, t->expires);
    return mto_entry_join(p, MTO_ENTRY_TOKEN, f, 5, len);
}

mto_token_t *mto_token_from_entry(apr_pool_t *p, const char *entry, apr_size_t len)
{
    const char *f[5];
    mto_token_t *t = apr_pcalloc(p, sizeof(*t));

    if (!mto_entry_split(p, MTO_ENTRY_TOKEN, entry, len, f, 5)
        || !mto_entry_parse_num(f[3], 0, &t->issued)
        || !mto_entry_parse_num(f[4], 0, &t->expires)) {
        return NULL;
    }
    t->client_id = f[0];
    t->user = f[1];
    t->scope = f[2];
    return t;
}

/* ------------------------------------------------------------ API tokens */

const char *mto_api_token_to_entry(apr_pool_t *p, const mto_api_token_t *t, apr_size_t *len)
{
    const char *f[3];

    f[0] = t->name;
    f[1] = t->is_elevated ? "1" : "0";
    f[2] = t->authentication_required ? "1" : "0";
    return mto_entry_join(p, MTO_ENTRY_API_TOKEN, f, 3, len);
}

mto_api_token_t *mto_api_token_from_entry(apr_pool_t *p, const char *entry, apr_size_t len)
{
    const char *f[3];
    mto_api_token_t *t = apr_pcalloc(p, sizeof(*t));

    if (!mto_entry_split(p, MTO_ENTRY_API_TOKEN, entry, len, f, 3)
        || !mto_entry_parse_flag(f[1], &t->is_elevated)
        || !mto_entry_parse_flag(f[2], &t->authentication_required)) {
        return NULL;
    }
    t->name = f[0];
    return t;
}

/* ------------------------------------------------------------ clients */

/* The secret hash is stored as the row has it (NULL: flag 0 and ""): what
 * may be cached is the caller's decision (mto_secret_for_cache).  Of
 * additional_information only what was read from it (info): "" for a
 * member it did not have. */
#define MTO_CLIENT_FIELDS 18

static const char *mto_entry_opt(const char *s)
{
    return s ? s : "";
}

static const char *mto_entry_unopt(const char *s)
{
    return *s ? s : NULL;
}

const char *mto_client_to_entry(apr_pool_t *p, const mto_client_t *c, apr_size_t *len)
{
    const char *f[MTO_CLIENT_FIELDS];

    f[0] = c->client_id;
    f[1] = c->secret_hash ? "1" : "0";
    f[2] = c->secret_hash ? c->secret_hash : "";
    f[3] = mto_entry_list(p, c->scopes);
    f[4] = mto_entry_list(p, c->grant_types);
    f[5] = mto_entry_list(p, c->redirect_uris);
    f[6] = c->autoapprove_all ? "1" : "0";
    f[7] = mto_entry_list(p, c->autoapprove);
    f[8] = mto_entry_num(p, c->access_validity);
    f[9] = mto_entry_num(p, c->refresh_validity);
    f[10] = mto_entry_list(p, c->authorities);
    f[11] = mto_entry_opt(c->info.name);
    f[12] = mto_entry_opt(c->info.logo_uri);
    f[13] = mto_entry_opt(c->info.client_uri);
    f[14] = mto_entry_opt(c->info.policy_uri);
    f[15] = mto_entry_opt(c->info.tos_uri);
    f[16] = c->info.auth_none ? "1" : "0";
    f[17] = mto_entry_list(p, c->info.allowed_origins); /* origins hold no comma */
    return mto_entry_join(p, MTO_ENTRY_CLIENT, f, MTO_CLIENT_FIELDS, len);
}

mto_client_t *mto_client_from_entry(apr_pool_t *p, const char *entry, apr_size_t len)
{
    const char *f[MTO_CLIENT_FIELDS];
    mto_client_t *c = apr_pcalloc(p, sizeof(*c));
    int has_secret;

    if (!mto_entry_split(p, MTO_ENTRY_CLIENT, entry, len, f, MTO_CLIENT_FIELDS)
        || !mto_entry_parse_flag(f[1], &has_secret) || (!has_secret && *f[2])
        || !mto_entry_parse_flag(f[6], &c->autoapprove_all)
        || !mto_entry_parse_num(f[8], APR_INT64_MIN, &c->access_validity)
        || !mto_entry_parse_num(f[9], APR_INT64_MIN, &c->refresh_validity)
        || !mto_entry_parse_flag(f[16], &c->info.auth_none)) {
        return NULL;
    }
    c->client_id = f[0];
    c->secret_hash = has_secret ? f[2] : NULL;
    c->scopes = mto_list_split(p, f[3]);
    c->grant_types = mto_list_split(p, f[4]);
    c->redirect_uris = mto_list_split(p, f[5]);
    c->autoapprove = mto_list_split(p, f[7]);
    c->authorities = mto_list_split(p, f[10]);
    c->info.name = mto_entry_unopt(f[11]);
    c->info.logo_uri = mto_entry_unopt(f[12]);
    c->info.client_uri = mto_entry_unopt(f[13]);
    c->info.policy_uri = mto_entry_unopt(f[14]);
    c->info.tos_uri = mto_entry_unopt(f[15]);
    c->info.allowed_origins = mto_list_split(p, f[17]);
    return c;
}
