/*
 * test_client.c - unit tests for the client rules (client.c): public
 * clients, redirect URI matching (exact; any loopback port for public
 * clients, RFC 8252 §7.3), CORS origins, the URIs a client's metadata may
 * show.  Prints TAP; run through t/unit/client.t.
 */
#include <apr_general.h>
#include <apr_strings.h>

#include "core/core.h"
#include "core/grant.h"
#include "tap.h"

static apr_pool_t *pool;

static mto_client_t client_of(const char *secret, int auth_none, const char *uris)
{
    mto_client_t c;

    memset(&c, 0, sizeof(c));
    c.client_id = "app";
    c.secret_hash = secret;
    c.info.auth_none = auth_none;
    c.redirect_uris = mto_list_split(pool, uris);
    return c;
}

static void test_public(void)
{
    mto_client_t c = client_of(NULL, 1, "");

    ok(mto_client_public(&c), "public: no secret and auth method none");
    c.secret_hash = "{noop}s";
    ok(!mto_client_public(&c), "public: a secret makes it confidential whatever the method");
    c = client_of(NULL, 0, "");
    ok(!mto_client_public(&c), "public: no secret but no auth method none: not public");
}

static void test_loopback(void)
{
    static const char *const yes[][2] = {
        { "http://127.0.0.1/cb", "http://127.0.0.1:1234/cb" },
        { "http://127.0.0.1/cb", "http://127.0.0.1/cb" },
        { "http://127.0.0.1:8080/cb", "http://127.0.0.1:9090/cb" },
        { "http://127.0.0.1:8080/cb", "http://127.0.0.1/cb" },
        { "http://[::1]/cb", "http://[::1]:65535/cb" },
        { "http://127.0.0.1", "http://127.0.0.1:1" },
        { "http://127.0.0.1/cb?a=1", "http://127.0.0.1:5/cb?a=1" },
    };
    static const char *const no[][2] = {
        { "http://127.0.0.1/cb", "http://127.0.0.1:1234/cb/" },
        { "http://127.0.0.1/cb", "http://127.0.0.1:1234/CB" },
        { "http://127.0.0.1/cb", "http://127.0.0.1:/cb" },
        { "http://127.0.0.1/cb", "http://127.0.0.1:0/cb" },
        { "http://127.0.0.1/cb", "http://127.0.0.1:65536/cb" },
        { "http://127.0.0.1/cb", "http://127.0.0.1:123456/cb" },
        { "http://127.0.0.1/cb", "http://127.0.0.1:+80/cb" },
        { "http://127.0.0.1/cb", "http://127.0.0.1:80@evil.example/cb" },
        { "http://127.0.0.1/cb", "http://x@127.0.0.1:80/cb" },
        { "http://127.0.0.1/cb", "http://127.0.0.1:80.evil.example/cb" },
        { "http://127.0.0.1/cb", "https://127.0.0.1:80/cb" },
        { "http://127.0.0.1/cb", "HTTP://127.0.0.1:80/cb" },
        { "http://127.0.0.1/cb", "http://[::1]:80/cb" },
        { "http://[::1]/cb", "http://127.0.0.1:80/cb" },
        { "http://127.0.0.1/cb", "http://127.0.0.01:80/cb" },
        { "http://127.0.0.1/cb", "http://127.0.0.1:80/cb#x" },
        { "http://localhost/cb", "http://localhost:80/cb" },
        { "https://127.0.0.1/cb", "https://127.0.0.1:80/cb" },
        { "http://127.0.0.2/cb", "http://127.0.0.2:80/cb" },
        { "http://[::2]/cb", "http://[::2]:80/cb" },
        { "nl.example.app:/cb", "nl.example.app:/cb/" },
    };
    size_t i;

    for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        ok(mto_redirect_uri_matches(yes[i][0], yes[i][1], 1), "loopback: %s matches %s", yes[i][1],
           yes[i][0]);
        ok(mto_redirect_uri_matches(yes[i][0], yes[i][1], 0) == !strcmp(yes[i][0], yes[i][1]),
           "exact only: %s vs %s", yes[i][1], yes[i][0]);
    }
    for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        ok(!mto_redirect_uri_matches(no[i][0], no[i][1], 1), "loopback: %s does not match %s",
           no[i][1], no[i][0]);
    }
    ok(mto_redirect_uri_matches("nl.example.app:/cb", "nl.example.app:/cb", 0),
       "private-use scheme: exact match");
    ok(!mto_redirect_uri_matches(NULL, "x", 1) && !mto_redirect_uri_matches("x", NULL, 1),
       "NULL matches nothing");
}

static void test_client_redirect(void)
{
    mto_client_t pub = client_of(NULL, 1, "http://127.0.0.1/cb,nl.example.app:/cb");
    mto_client_t conf = client_of("{noop}s", 1, "http://127.0.0.1/cb,nl.example.app:/cb");

    ok(mto_client_redirect_ok(&pub, "http://127.0.0.1:4000/cb"),
       "public client: any loopback port");
    ok(!mto_client_redirect_ok(&conf, "http://127.0.0.1:4000/cb"),
       "confidential client: the loopback port must match exactly");
    ok(mto_client_redirect_ok(&conf, "http://127.0.0.1/cb"), "confidential client: exact match");
    ok(mto_client_redirect_ok(&pub, "nl.example.app:/cb"), "public client: private-use scheme");
    ok(!mto_client_redirect_ok(&pub, "nl.example.app:/cb2"), "public client: exact otherwise");
}

static void test_origins(void)
{
    mto_client_t c = client_of(NULL, 1,
                               "https://app.example.org:443/cb,nl.example.app:/cb,"
                               "http://localhost:8080/x");

    is_str(mto_origin_canon(pool, "HTTPS://Spa.Example.ORG"), "https://spa.example.org",
           "origin: lower case");
    is_str(mto_origin_canon(pool, "https://spa.example.org:443/"), "https://spa.example.org",
           "origin: default port and trailing slash dropped");
    is_str(mto_origin_canon(pool, "http://localhost:0080"), "http://localhost",
           "origin: port as a number");
    is_str(mto_origin_canon(pool, "http://[::1]:3000"), "http://[::1]:3000", "origin: IPv6");
    is_str(mto_origin_canon(pool, "https://spa.example.org/app"), NULL, "origin: no path");
    is_str(mto_origin_canon(pool, "https://u@spa.example.org"), NULL, "origin: no user-info");
    is_str(mto_origin_canon(pool, "https://spa.example.org:x"), NULL, "origin: bad port");
    is_str(mto_origin_canon(pool, "https://"), NULL, "origin: no host");
    is_str(mto_origin_canon(pool, "https://a b"), NULL, "origin: no space");
    is_str(mto_origin_canon(pool, "null"), NULL, "origin: null is none");
    is_str(mto_uri_origin(pool, "nl.example.app:/cb"), NULL,
           "uri origin: private-use scheme: none");
    is_str(mto_uri_origin(pool, "https://u:p@app.example.org:8443/cb?x"),
           "https://app.example.org:8443", "uri origin: scheme, host and port");

    c.info.allowed_origins = mto_list_split(pool, "https://spa.example.org");
    ok(mto_client_origin_allowed(pool, &c, "https://app.example.org"),
       "allowed: the origin of a redirect URI");
    ok(mto_client_origin_allowed(pool, &c, "http://localhost:8080"), "allowed: with its port");
    ok(mto_client_origin_allowed(pool, &c, "https://spa.example.org"), "allowed: allowed_origins");
    ok(!mto_client_origin_allowed(pool, &c, "https://app.example.org:443"),
       "not allowed: an Origin not serialized as browsers do");
    ok(!mto_client_origin_allowed(pool, &c, "http://app.example.org"), "not allowed: other scheme");
    ok(!mto_client_origin_allowed(pool, &c, "null"), "not allowed: null");
    ok(!mto_client_origin_allowed(pool, &c, ""), "not allowed: empty");
    ok(!mto_client_origin_allowed(pool, &c, NULL), "not allowed: none");
}

static void test_show(void)
{
    is_str(mto_uri_host(pool, "https://App.Example.org:8443/cb"), "app.example.org:8443",
           "host: with its port, lower case");
    is_str(mto_uri_host(pool, "https://good.example@evil.example/cb"), "evil.example",
           "host: the real host, not the user-info");
    is_str(mto_uri_host(pool, "nl.example.app:/cb"), "nl.example.app", "host: an app's scheme");
    is_str(mto_uri_host(pool, "/relative"), NULL, "host: none");

    ok(mto_https_uri_ok("https://cdn.example.org/logo.png?v=1&x=2"), "https: a URI");
    ok(!mto_https_uri_ok("http://cdn.example.org/logo.png"), "https: http is not");
    ok(!mto_https_uri_ok("javascript:alert(1)"), "https: javascript is not");
    ok(!mto_https_uri_ok("https://a.example/\"x"), "https: a quote is not");
    ok(!mto_https_uri_ok("https://a.example/ x"), "https: a space is not");
    ok(!mto_https_uri_ok("https://paypal.example@evil.example/"), "https: user-info is not");
    ok(!mto_https_uri_ok("https:///x"), "https: no host is not");
    ok(!mto_https_uri_ok(
           apr_pstrcat(pool, "https://a.example/", apr_psprintf(pool, "%3000d", 1), NULL)),
       "https: too long is not");
}

/* A public client's code needs S256 (it may have been made public since). */
static void test_code_public(void)
{
    mto_client_t pub = client_of(NULL, 1, "http://127.0.0.1/cb");
    mto_code_t c = { "app", "alice", "read", "", "", "", 2000000000, 0 };
    apr_table_t *params = apr_table_make(pool, 2);

    apr_table_setn(params, "redirect_uri", "http://127.0.0.1:4567/cb");
    ok(mto_code_mismatch(pool, params, &pub, &c, 1) != NULL,
       "code: a public client's code without a challenge is refused");
    pub.secret_hash = "{noop}x";
    ok(mto_code_mismatch(pool, params, &pub, &c, 1) != NULL,
       "code: a confidential client's redirect_uri on another loopback port is refused");
    apr_table_setn(params, "redirect_uri", "http://127.0.0.1/cb");
    ok(mto_code_mismatch(pool, params, &pub, &c, 1) == NULL,
       "code: a confidential client without PKCE, exact redirect_uri: accepted");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_public();
    test_loopback();
    test_client_redirect();
    test_origins();
    test_show();
    test_code_public();
    apr_pool_destroy(pool);
    apr_terminate();
    return done_testing();
}
