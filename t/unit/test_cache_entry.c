/*
 * test_cache_entry.c - unit tests for cache entries (cache_entry.c): every
 * row comes back from its entry as it went in, and anything that is not
 * exactly an entry of the right kind reads as nothing (a cache miss); and
 * mto_secret_for_cache keeps secrets out of the cache.  Prints TAP; run
 * through t/unit/cache_entry.t.
 */
#include <apr_general.h>
#include <apr_strings.h>

#include "core/core.h"
#include "core/grant.h"
#include "tap.h"

static apr_pool_t *pool;

/* A literal entry and its length (the NULs inside count, the last does not). */
#define ENTRY(lit) lit, sizeof(lit) - 1

static int same(const char *a, const char *b)
{
    return (a && b) ? strcmp(a, b) == 0 : a == b;
}

static const char *joined(const apr_array_header_t *list)
{
    return mto_list_join(pool, list);
}

static void test_token(void)
{
    mto_token_t t = { "web-app", "alice", "profile_read alltimetables", 1700000000, 1700043200 };
    mto_token_t never = { "c", "bob", "username", 5, 0 }, *got;
    const char *e;
    apr_size_t len;

    e = mto_token_to_entry(pool, &t, &len);
    got = mto_token_from_entry(pool, e, len);
    ok(got && same(got->client_id, "web-app") && same(got->user, "alice")
           && same(got->scope, "profile_read alltimetables") && got->issued == 1700000000
           && got->expires == 1700043200,
       "an access token comes back from its entry unchanged");
    e = mto_token_to_entry(pool, &never, &len);
    got = mto_token_from_entry(pool, e, len);
    ok(got && got->expires == 0 && got->issued == 5, "a token that never expires keeps expires 0");

    t.user = "";
    e = mto_token_to_entry(pool, &t, &len);
    got = mto_token_from_entry(pool, e, len);
    ok(got && same(got->user, ""), "an empty field is kept as empty");
    t.user = NULL;
    ok(mto_token_to_entry(pool, &t, &len) == NULL, "a NULL field makes no entry");
}

static void test_api_token(void)
{
    mto_api_token_t a = { "nightly-import", 1, 0 }, b = { "reader", 0, 1 }, *got;
    const char *e;
    apr_size_t len;

    e = mto_api_token_to_entry(pool, &a, &len);
    got = mto_api_token_from_entry(pool, e, len);
    ok(got && same(got->name, "nightly-import") && got->is_elevated == 1
           && got->authentication_required == 0,
       "an elevated API token comes back unchanged");
    e = mto_api_token_to_entry(pool, &b, &len);
    got = mto_api_token_from_entry(pool, e, len);
    ok(got && got->is_elevated == 0 && got->authentication_required == 1,
       "authentication_required comes back unchanged");
}

static mto_client_t *client(const char *secret)
{
    mto_client_t *c = apr_pcalloc(pool, sizeof(*c));

    c->client_id = "web-app";
    c->secret_hash = secret;
    c->scopes = mto_list_split(pool, "username, profile_read alltimetables");
    c->grant_types = mto_list_split(pool, "authorization_code,refresh_token");
    c->redirect_uris = mto_list_split(pool, "https://a.example/cb,https://b.example/cb?x=1");
    c->autoapprove = mto_list_split(pool, "username");
    c->access_validity = -1;
    c->refresh_validity = 0;
    c->authorities = mto_list_split(pool, "ROLE_CLIENT,ROLE_RESOURCE_SERVER");
    return c;
}

static void test_client(void)
{
    mto_client_t *c = client("{SHA-256}ab"), *got;
    const char *e;
    apr_size_t len;

    e = mto_client_to_entry(pool, c, &len);
    got = mto_client_from_entry(pool, e, len);
    ok(got && same(got->client_id, "web-app") && same(got->secret_hash, "{SHA-256}ab")
           && same(joined(got->scopes), "username profile_read alltimetables")
           && same(joined(got->grant_types), "authorization_code refresh_token")
           && same(joined(got->redirect_uris), "https://a.example/cb https://b.example/cb?x=1")
           && !got->autoapprove_all && same(joined(got->autoapprove), "username")
           && got->access_validity == -1 && got->refresh_validity == 0
           && same(joined(got->authorities), "ROLE_CLIENT ROLE_RESOURCE_SERVER"),
       "a client comes back from its entry unchanged (lists in order)");
    ok(got && mto_client_is_resource_server(got),
       "a resource server is still one after the cache (authorities kept)");
    c->authorities = NULL;
    e = mto_client_to_entry(pool, c, &len);
    got = mto_client_from_entry(pool, e, len);
    ok(got && got->authorities && got->authorities->nelts == 0
           && !mto_client_is_resource_server(got),
       "a client without authorities comes back with none");
    ok(mto_client_from_entry(pool, ENTRY("C1web-app\0"
                                         "1\0{SHA-256}ab\0a\0authorization_code\0"
                                         "https://a/cb\0"
                                         "0\0\0-1\0-1\0"))
           == NULL,
       "an entry of the version before authorities (C1) is a miss, not a client without roles");

    c = client(NULL);
    c->autoapprove_all = 1;
    c->autoapprove = mto_list_split(pool, NULL);
    c->scopes = mto_list_split(pool, "");
    e = mto_client_to_entry(pool, c, &len);
    got = mto_client_from_entry(pool, e, len);
    ok(got && got->secret_hash == NULL, "a client without a secret comes back without one");
    ok(got && got->autoapprove_all && got->autoapprove->nelts == 0 && got->scopes->nelts == 0,
       "autoapprove true and an empty scope list come back unchanged");

    c = client("");
    e = mto_client_to_entry(pool, c, &len);
    got = mto_client_from_entry(pool, e, len);
    ok(got && same(got->secret_hash, ""), "an empty secret column stays empty, not NULL");

    c = client("{SHA-256}ab");
    c->autoapprove = mto_list_split(pool, "*");
    e = mto_client_to_entry(pool, c, &len);
    got = mto_client_from_entry(pool, e, len);
    ok(got && !got->autoapprove_all && same(joined(got->autoapprove), "*"),
       "a scope named * in autoapprove is not autoapprove true");
    c->access_validity = APR_INT64_C(-9223372036854775807);
    e = mto_client_to_entry(pool, c, &len);
    got = mto_client_from_entry(pool, e, len);
    ok(got && got->access_validity == APR_INT64_C(-9223372036854775807),
       "any validity the column held comes back");

    c = client(NULL);
    c->info.name = "Rooster, \"the\" app";
    c->info.logo_uri = "https://cdn.example.org/l.png?a=1,2";
    c->info.tos_uri = "https://app.example.org/tos";
    c->info.auth_none = 1;
    c->info.allowed_origins = mto_list_split(pool, "https://a.example,http://localhost:5173");
    c->additional_info = "{\"never\":\"cached\"}";
    e = mto_client_to_entry(pool, c, &len);
    got = mto_client_from_entry(pool, e, len);
    ok(got && same(got->info.name, c->info.name) && same(got->info.logo_uri, c->info.logo_uri)
           && same(got->info.tos_uri, c->info.tos_uri) && !got->info.client_uri
           && !got->info.policy_uri && got->info.auth_none
           && same(joined(got->info.allowed_origins), "https://a.example http://localhost:5173"),
       "a client's metadata comes back from its entry (absent members absent)");
    ok(got && mto_client_public(got), "a public client comes back public");
    ok(got && !got->additional_info, "the raw additional_information is not cached");
}

/* Every kind of damage to a good entry reads as nothing. */
static void test_malformed(void)
{
    mto_token_t t = { "web-app", "alice", "profile_read", 1700000000, 1700043200 };
    mto_api_token_t a = { "n", 1, 1 };
    const char *e, *ae, *ce;
    apr_size_t len, alen, clen, i;
    char *bad;
    int all_refused = 1;

    e = mto_token_to_entry(pool, &t, &len);
    ae = mto_api_token_to_entry(pool, &a, &alen);
    ce = mto_client_to_entry(pool, client("{SHA-256}ab"), &clen);

    ok(mto_token_from_entry(pool, e, len - 1) == NULL, "a token entry cut short is refused");
    for (i = 0; i < len; i++) {
        if (mto_token_from_entry(pool, e, i)) {
            all_refused = 0;
        }
    }
    ok(all_refused, "every prefix of a token entry is refused");
    bad = apr_palloc(pool, len + 2);
    memcpy(bad, e, len);
    memcpy(bad + len, "x", 2);
    ok(mto_token_from_entry(pool, bad, len + 1) == NULL,
       "a token entry with bytes after it is refused");
    bad = apr_pmemdup(pool, e, len);
    bad[1] = '2';
    ok(mto_token_from_entry(pool, bad, len) == NULL, "another version of the entry is refused");

    ok(mto_token_from_entry(pool, ae, alen) == NULL, "an API token entry is not a token");
    ok(mto_api_token_from_entry(pool, e, len) == NULL, "a token entry is not an API token");
    ok(mto_client_from_entry(pool, e, len) == NULL, "a token entry is not a client");
    ok(mto_token_from_entry(pool, ce, clen) == NULL, "a client entry is not a token");

    ok(mto_token_from_entry(pool, "-", 1) == NULL, "the negative mark is no token");
    ok(mto_token_from_entry(pool, "", 0) == NULL, "an empty value is no token");
    ok(mto_token_from_entry(pool, NULL, 0) == NULL, "NULL is no token");
    ok(mto_token_from_entry(pool, ENTRY("T1a\0b\0c\0x1\0"
                                        "2\0"))
           == NULL,
       "a number with letters is refused");
    ok(mto_token_from_entry(pool, ENTRY("T1a\0b\0c\0-1\0"
                                        "2\0"))
           == NULL,
       "a negative issue time is refused");
    ok(mto_token_from_entry(pool, ENTRY("T1a\0b\0c\0\0"
                                        "2\0"))
           == NULL,
       "an empty number is refused");
    ok(mto_token_from_entry(pool, ENTRY("T1a\0b\0c\0"
                                        "99999999999999999999\0"
                                        "2\0"))
           == NULL,
       "a number beyond 64 bits is refused");
    ok(mto_token_from_entry(pool, ENTRY("T1a\0b\0c\0"
                                        "1\0"
                                        "2\0"))
           != NULL,
       "(the well-formed entry those are made from is accepted)");
    ok(mto_api_token_from_entry(pool, ENTRY("A1n\0"
                                            "2\0"
                                            "0\0"))
           == NULL,
       "a flag other than 0/1 is refused");
    ok(mto_api_token_from_entry(pool, ENTRY("A1n\0"
                                            "1\0"
                                            "0\0"))
           != NULL,
       "(the well-formed API token entry is accepted)");
}

static void test_secret_for_cache(void)
{
    const char *sha = "{SHA-256}9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    const char *salted =
        "{SHA-256}{c2FsdA==}9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    const char *bcrypt = "{bcrypt}$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";
    const char *got;

    ok(same(mto_secret_for_cache(pool, sha), sha), "a {SHA-256} hash is cached as it is");
    ok(same(mto_secret_for_cache(pool, salted), salted),
       "a salted {SHA-256} hash is cached as it is");
    ok(same(mto_secret_for_cache(pool, bcrypt), bcrypt), "a {bcrypt} hash is cached as it is");
    got = mto_secret_for_cache(pool, "{noop}test");
    ok(same(got, sha), "a {noop} secret is cached as the {SHA-256} of the secret");
    ok(got && mto_secret_verify(pool, got, "test", NULL) == MTO_SECRET_MATCH
           && mto_secret_verify(pool, got, "Test", NULL) == MTO_SECRET_MISMATCH,
       "the cached form of a {noop} secret accepts the same secret, and only it");
    ok(mto_secret_for_cache(pool, "test") == NULL, "a value without a prefix is not cached");
    ok(mto_secret_for_cache(pool, "{MD5}abc") == NULL, "an unknown prefix is not cached");
    ok(mto_secret_for_cache(pool, "{bcrypt}secret") == NULL,
       "a malformed {bcrypt} value is not cached");
    ok(mto_secret_for_cache(pool, "{SHA-256}secret") == NULL,
       "a malformed {SHA-256} value is not cached");
    ok(mto_secret_for_cache(pool, "{noop}") == NULL, "an empty {noop} secret is not cached");
    ok(mto_secret_for_cache(pool, "") == NULL, "an empty column is not cached");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_token();
    test_api_token();
    test_client();
    test_malformed();
    test_secret_for_cache();
    apr_pool_destroy(pool);
    apr_terminate();
    return done_testing();
}
