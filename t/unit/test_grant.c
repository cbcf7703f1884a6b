/*
 * test_grant.c - unit tests for the grant rules (grant.c): what an
 * authorization request may be granted (scope, PKCE), whether a code or a
 * refresh token may be exchanged, and expiries.
 * Prints TAP; run through t/unit/grant.t.
 */
#include <apr_general.h>
#include <apr_strings.h>

#include "core/core.h"
#include "core/grant.h"
#include "tap.h"

static apr_pool_t *pool;

/* RFC 7636 Appendix B. */
#define VERIFIER  "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
#define NOW       ((apr_int64_t)1700000000)

/* A form as the endpoints read it; NULL on a parse error. */
static apr_table_t *form(const char *s)
{
    apr_table_t *t = NULL;
    const char *err;

    if (mto_form_parse(pool, s, strlen(s), 64, &t, &err) != 0) {
        printf("# cannot parse '%s': %s\n", s, err);
        return NULL;
    }
    return t;
}

static apr_array_header_t *list(const char *s)
{
    return mto_list_split(pool, s);
}

/* str_is of test_proto.c: tap.h's is_str shadows its own locals. */
static void str_is(const char *got, const char *want, const char *name)
{
    int same = (got && want) ? strcmp(got, want) == 0 : got == want;

    ok(same, "%s", name);
    if (!same) {
        printf("#   got: '%s'\n#   expected: '%s'\n", got ? got : "(null)", want ? want : "(null)");
    }
}

/* ------------------------------------------------------------ codes */

static mto_code_t code_of(const char *redirect_uri, const char *challenge, const char *method)
{
    mto_code_t c;

    c.client_id = "app";
    c.user = "alice";
    c.scope = "read";
    c.redirect_uri = redirect_uri;
    c.challenge = challenge;
    c.challenge_method = method;
    c.expires = NOW + 60;
    c.used = 0;
    return c;
}

static const char *redeem(const char *params, const mto_code_t *c)
{
    mto_client_t app;

    memset(&app, 0, sizeof(app));
    app.client_id = "app";
    app.secret_hash = "{noop}x";
    app.redirect_uris = list("https://a/cb https://b/cb");
    return mto_code_mismatch(pool, form(params), &app, c, NOW);
}

static void test_code_binding(void)
{
    mto_code_t c = code_of("https://a/cb", "", "");

    str_is(redeem("redirect_uri=https%3A%2F%2Fa%2Fcb", &c), NULL, "code: good request is accepted");
    c.expires = NOW;
    str_is(redeem("redirect_uri=https%3A%2F%2Fa%2Fcb", &c), "the authorization code has expired",
           "code: expiring this very second is expired");
    c.expires = NOW - 1;
    str_is(redeem("redirect_uri=https%3A%2F%2Fa%2Fcb", &c), "the authorization code has expired",
           "code: expired");
    c = code_of("https://a/cb", "", "");
    c.client_id = "other";
    str_is(redeem("redirect_uri=https%3A%2F%2Fa%2Fcb", &c),
           "the authorization code was issued to another client", "code: issued to another client");
    c.expires = NOW - 1;
    str_is(redeem("redirect_uri=https%3A%2F%2Fa%2Fcb", &c), "the authorization code has expired",
           "code: expiry is checked before the client");
}

static void test_code_redirect_uri(void)
{
    static const char why[] = "redirect_uri does not match the authorization request";
    mto_code_t c = code_of("https://a/cb", "", "");

    str_is(redeem("", &c), why, "redirect_uri: sent on authorize, missing here");
    str_is(redeem("redirect_uri=https%3A%2F%2Fb%2Fcb", &c), why,
           "redirect_uri: another registered one than on authorize");
    str_is(redeem("redirect_uri=https%3A%2F%2Fa%2Fcb%2F", &c), why,
           "redirect_uri: not exactly equal");
    str_is(redeem("redirect_uri=https%3A%2F%2Fa%2Fcb&redirect_uri=https%3A%2F%2Fa%2Fcb", &c), why,
           "redirect_uri: repeated");
    c = code_of("", "", "");
    str_is(redeem("", &c), NULL, "redirect_uri: absent on authorize and here");
    str_is(redeem("redirect_uri=https%3A%2F%2Fb%2Fcb", &c), NULL,
           "redirect_uri: absent on authorize, a registered one here");
    str_is(redeem("redirect_uri=https%3A%2F%2Fevil%2Fcb", &c), why,
           "redirect_uri: absent on authorize, an unregistered one here");
}

static void test_code_pkce(void)
{
    static const char bad[] = "code_verifier is missing or does not match the code_challenge";
    mto_code_t c = code_of("", "", "");

    str_is(redeem("code_verifier=" VERIFIER, &c),
           "code_verifier sent, but the authorization request had no code_challenge",
           "PKCE: a verifier for a code without challenge is a downgrade");
    str_is(redeem("code_verifier=", &c),
           "code_verifier sent, but the authorization request had no code_challenge",
           "PKCE: even an empty verifier for a code without challenge");
    c = code_of("", CHALLENGE, "S256");
    str_is(redeem("code_verifier=" VERIFIER, &c), NULL, "PKCE: S256 verifier matches");
    str_is(redeem("", &c), bad, "PKCE: verifier missing");
    str_is(redeem("code_verifier=" VERIFIER "&code_verifier=" VERIFIER, &c), bad,
           "PKCE: verifier repeated");
    str_is(redeem("code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK", &c), bad,
           "PKCE: verifier mismatch");
    str_is(redeem("code_verifier=short", &c), bad, "PKCE: malformed verifier");
    c = code_of("", VERIFIER, "plain");
    str_is(redeem("code_verifier=" VERIFIER, &c), NULL, "PKCE: plain verifier matches");
    str_is(redeem("code_verifier=" CHALLENGE, &c), bad, "PKCE: plain verifier mismatch");
    c.client_id = "other";
    str_is(redeem("code_verifier=" VERIFIER, &c),
           "the authorization code was issued to another client",
           "PKCE: the client is checked before the verifier");
}

/* ------------------------------------------------------------ refresh */

static mto_refresh_t refresh_of(const char *client_id, apr_int64_t expires)
{
    mto_refresh_t rt;

    memset(&rt, 0, sizeof(rt));
    rt.client_id = client_id;
    rt.scope = "read write";
    rt.expires = expires;
    return rt;
}

static void test_refresh_mismatch(void)
{
    mto_refresh_t rt = refresh_of("app", NOW + 1);

    str_is(mto_refresh_mismatch("app", &rt, NOW), NULL, "refresh: live token of the client");
    str_is(mto_refresh_mismatch("other", &rt, NOW),
           "the refresh token was issued to another client", "refresh: issued to another client");
    rt.expires = NOW;
    str_is(mto_refresh_mismatch("app", &rt, NOW), "the refresh token has expired",
           "refresh: expiring this very second is expired");
    rt.expires = 0;
    str_is(mto_refresh_mismatch("app", &rt, NOW), NULL, "refresh: expiry 0 never expires");
    rt = refresh_of("other", NOW - 1);
    str_is(mto_refresh_mismatch("app", &rt, NOW), "the refresh token was issued to another client",
           "refresh: the client is checked before the expiry");
}

static const char *refresh_scope(const char *params, const char *client, const char *granted,
                                 const char **scope)
{
    *scope = NULL;
    return mto_refresh_scope(pool, form(params), list(client), granted, scope);
}

static void test_refresh_scope(void)
{
    static const char narrowed[] = "the client may no longer have this scope";
    const char *scope;

    str_is(refresh_scope("", "read write admin", "read write", &scope), NULL,
           "refresh scope: none asked is accepted");
    str_is(scope, "read write", "refresh scope: none asked gives the grant's");
    str_is(refresh_scope("scope=write", "read write", "read write", &scope), NULL,
           "refresh scope: a subset is accepted");
    str_is(scope, "write", "refresh scope: a subset is what is issued");
    str_is(refresh_scope("scope=write+read+write", "read write", "read write", &scope), NULL,
           "refresh scope: the whole grant in another order");
    str_is(scope, "write read", "refresh scope: in the order asked, each once");
    str_is(refresh_scope("scope=read+admin", "read write admin", "read write", &scope),
           "the requested scope exceeds the scope of the grant",
           "refresh scope: exceeds the grant");
    ok(scope == NULL, "refresh scope: no scope set on refusal");
    str_is(refresh_scope("scope=read%22", "read write", "read write", &scope),
           "scope is not a space-separated list of scope names", "refresh scope: bad syntax");
    str_is(refresh_scope("", "read", "read write", &scope), narrowed,
           "refresh scope: the client was narrowed since the grant");
    str_is(refresh_scope("scope=read", "read", "read write", &scope), NULL,
           "refresh scope: asking what the narrowed client still has");
    str_is(refresh_scope("scope=write", "read", "read write", &scope), narrowed,
           "refresh scope: asking what the narrowed client lost");
    str_is(refresh_scope("", "read write", "", &scope), narrowed, "refresh scope: an empty grant");
    str_is(refresh_scope("scope=read&scope=admin", "read write", "read write", &scope), NULL,
           "refresh scope: a repeated scope counts as none asked");
    str_is(scope, "read write", "refresh scope: repeated gives the grant's");
}

/* ------------------------------------------------------------ expiry */

static void test_expiry(void)
{
    ok(mto_expiry(0, 3600, NOW) == 0, "expiry: validity 0 never expires");
    ok(mto_expiry(-1, 3600, NOW) == NOW + 3600, "expiry: NULL validity takes the default");
    ok(mto_expiry(-1, 0, NOW) == 0, "expiry: NULL validity with default 0 never expires");
    ok(mto_expiry(60, 3600, NOW) == NOW + 60, "expiry: the client's validity");
    ok(mto_expiry(1, 0, NOW) == NOW + 1, "expiry: the client's validity beats a default of never");
}

/* ------------------------------------------------------------ authorize */

static const char *authz(const char *params, const char *client, int require_pkce,
                         mto_authz_grant_t *g, const char **description)
{
    memset(g, 0, sizeof(*g));
    *description = NULL;
    return mto_authz_grant_check(pool, form(params), list(client), require_pkce, g, description);
}

static void test_authz_scope(void)
{
    mto_authz_grant_t g;
    const char *d;

    str_is(authz("", "read write", 0, &g, &d), NULL, "authorize: no scope is accepted");
    str_is(mto_list_join(pool, g.scopes), "read write", "authorize: no scope: all the client's");
    str_is(authz("scope=write", "read write", 0, &g, &d), NULL, "authorize: a subset is accepted");
    str_is(mto_list_join(pool, g.scopes), "write", "authorize: the scope asked");
    str_is(authz("scope=read+admin", "read write", 0, &g, &d), "invalid_scope",
           "authorize: scope exceeding the client's");
    str_is(d, "the requested scope is not allowed for this client",
           "authorize: exceeding, described");
    str_is(authz("scope=read%22", "read write", 0, &g, &d), "invalid_scope",
           "authorize: bad scope syntax");
    str_is(d, "scope is not a space-separated list of scope names",
           "authorize: bad syntax, described");
    str_is(authz("", "", 0, &g, &d), "invalid_scope", "authorize: a client without scopes");
    str_is(authz("scope=read&scope=read", "read write", 0, &g, &d), NULL,
           "authorize: a repeated scope counts as none asked");
    str_is(authz("scope=admin&code_challenge=x", "read", 1, &g, &d), "invalid_scope",
           "authorize: scope is checked before PKCE");
}

static void test_authz_pkce(void)
{
    mto_authz_grant_t g;
    const char *d;

    str_is(authz("", "read", 0, &g, &d), NULL, "PKCE: none, not required");
    ok(g.challenge && !*g.challenge && g.challenge_method && !*g.challenge_method,
       "PKCE: none gives empty challenge and method");
    str_is(authz("", "read", 1, &g, &d), "invalid_request", "PKCE: none, required");
    str_is(d, "PKCE is required: send code_challenge with code_challenge_method=S256",
           "PKCE: required, described");
    str_is(authz("code_challenge_method=S256", "read", 0, &g, &d), "invalid_request",
           "PKCE: method without challenge");
    str_is(d, "code_challenge_method without code_challenge", "PKCE: method alone, described");
    str_is(authz("code_challenge=" CHALLENGE "&code_challenge_method=S256", "read", 1, &g, &d),
           NULL, "PKCE: S256 when required");
    str_is(g.challenge, CHALLENGE, "PKCE: the challenge is kept");
    str_is(g.challenge_method, "S256", "PKCE: the method is kept");
    str_is(authz("code_challenge=" VERIFIER, "read", 0, &g, &d), NULL,
           "PKCE: no method means plain (RFC 7636 section 4.3)");
    str_is(g.challenge_method, "plain", "PKCE: plain recorded");
    str_is(authz("code_challenge=" VERIFIER "&code_challenge_method=plain", "read", 0, &g, &d),
           NULL, "PKCE: plain when not required");
    str_is(authz("code_challenge=" VERIFIER "&code_challenge_method=plain", "read", 1, &g, &d),
           "invalid_request", "PKCE: plain when required");
    str_is(d, "code_challenge_method must be S256", "PKCE: plain when required, described");
    str_is(authz("code_challenge=" VERIFIER, "read", 1, &g, &d), "invalid_request",
           "PKCE: default plain when required");
    str_is(authz("code_challenge=" CHALLENGE "&code_challenge_method=s256", "read", 0, &g, &d),
           "invalid_request", "PKCE: unknown method");
    str_is(d, "code_challenge_method must be S256 or plain", "PKCE: unknown method, described");
    str_is(authz("code_challenge=abc&code_challenge_method=S256", "read", 0, &g, &d),
           "invalid_request", "PKCE: malformed S256 challenge");
    str_is(d, "code_challenge is malformed (RFC 7636 section 4.2)", "PKCE: malformed, described");
    str_is(authz("code_challenge=abc", "read", 0, &g, &d), "invalid_request",
           "PKCE: malformed plain challenge");
}

/* RFC 7662 §4 resource servers: by Spring's role names, exactly. */
static void test_resource_server(void)
{
    mto_client_t c;

    memset(&c, 0, sizeof(c));
    ok(!mto_client_is_resource_server(&c), "no authorities (NULL): no resource server");
    c.authorities = mto_list_split(pool, "ROLE_RESOURCE_SERVER");
    ok(mto_client_is_resource_server(&c), "ROLE_RESOURCE_SERVER: a resource server");
    c.authorities = mto_list_split(pool, "ROLE_CLIENT, ROLE_TRUSTED_CLIENT");
    ok(mto_client_is_resource_server(&c),
       "ROLE_TRUSTED_CLIENT in a comma list with spaces: a resource server");
    c.authorities = mto_list_split(pool, "ROLE_CLIENT,role_resource_server,ROLE_RESOURCE_SERVERS");
    ok(!mto_client_is_resource_server(&c),
       "other roles, another case or a longer name: no resource server");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    str_is(mto_sha256_b64url(pool, VERIFIER, strlen(VERIFIER)), CHALLENGE,
           "RFC 7636 Appendix B: the S256 challenge of the test verifier");
    test_code_binding();
    test_code_redirect_uri();
    test_code_pkce();
    test_refresh_mismatch();
    test_refresh_scope();
    test_expiry();
    test_authz_scope();
    test_authz_pkce();
    test_resource_server();
    apr_pool_destroy(pool);
    apr_terminate();
    return done_testing();
}
