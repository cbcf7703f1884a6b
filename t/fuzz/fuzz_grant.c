/*
 * fuzz_grant.c - libFuzzer target for the grant rules (grant.c): the
 * scope and PKCE of an authorization request (mto_authz_grant_check), the
 * binding of a code to its request (mto_code_mismatch), and the scope of a
 * refresh (mto_refresh_scope), all fed from a request's form parameters.
 *
 * The input is "form\nclient scopes\ngranted scope\ncode redirect_uri\n
 * code challenge".  Whatever the rules accept must hold what RFC 6749 §3.3,
 * §4.1.3, §6 and RFC 7636 §4.3, §4.6 promise: a granted scope is one the
 * client may have (and, on refresh, within the grant), a recorded challenge
 * is well-formed (S256 when PKCE is required), and a redeemed code came
 * with its very redirect_uri and a verifier that matches its challenge.
 */
#include "fuzz.h"
#include "core/grant.h"

#define pool mto_fuzz_pool /* cleared after each input */

static const char *one(const apr_table_t *params, const char *name)
{
    const char *v = NULL;

    return mto_param(params, name, &v) == 1 ? v : NULL;
}

static void check_authz(const apr_table_t *params, const apr_array_header_t *client, int require)
{
    mto_authz_grant_t g = { NULL, NULL, NULL };
    const char *d = NULL, *error = mto_authz_grant_check(pool, params, client, require, &g, &d);

    if (error) {
        check(d && (!strcmp(error, "invalid_scope") || !strcmp(error, "invalid_request")),
              "authorize: an error without description or of another kind");
        return;
    }
    check(g.scopes && g.scopes->nelts > 0 && mto_list_subset(g.scopes, client),
          "authorize: a scope the client may not have is granted");
    check(g.challenge && g.challenge_method, "authorize: challenge left unset");
    if (!*g.challenge) {
        check(!require && !one(params, "code_challenge"), "authorize: a challenge was dropped");
        return;
    }
    check(mto_pkce_challenge_ok(g.challenge_method, g.challenge),
          "authorize: a malformed challenge is recorded");
    check(!require || !strcmp(g.challenge_method, "S256"),
          "authorize: plain accepted though PKCE is required");
}

static void check_refresh(const apr_table_t *params, const apr_array_header_t *client,
                          const char *granted)
{
    const char *scope = NULL;
    apr_array_header_t *got;

    if (mto_refresh_scope(pool, params, client, granted, &scope)) {
        check(!scope, "refresh: scope set though refused");
        return;
    }
    got = mto_list_split(pool, scope);
    check(got->nelts > 0 && mto_list_subset(got, client),
          "refresh: a scope the client may no longer have");
    check(mto_list_subset(got, mto_list_split(pool, granted)), "refresh: scope beyond the grant");
}

static void check_code(const apr_table_t *params, const apr_array_header_t *uris,
                       const char *redirect_uri, const char *challenge, const char *method)
{
    mto_code_t c = { "app", "alice", "read", redirect_uri, challenge, method, 2, 0 };
    const char *verifier = one(params, "code_verifier"), *uri = one(params, "redirect_uri");
    mto_client_t app, other;

    memset(&app, 0, sizeof(app));
    app.client_id = "app";
    app.secret_hash = "{noop}x";
    app.redirect_uris = (apr_array_header_t *)uris;
    other = app;
    other.client_id = "other";
    check(mto_code_mismatch(pool, params, &app, &c, 2) != NULL, "code: expired accepted");
    check(mto_code_mismatch(pool, params, &other, &c, 1) != NULL,
          "code: another client's accepted");
    if (mto_code_mismatch(pool, params, &app, &c, 1)) {
        return;
    }
    check(*redirect_uri ? uri && !strcmp(uri, redirect_uri) : !uri || mto_list_contains(uris, uri),
          "code: redeemed with another redirect_uri");
    check(*challenge ? verifier && mto_pkce_matches(pool, method, challenge, verifier)
                     : mto_param(params, "code_verifier", NULL) == 0,
          "code: redeemed without its verifier (or with one it had no challenge for)");
}

void mto_fuzz_one(const uint8_t *data, size_t size)
{
    const char *part[5], *err, *form, *challenge;
    apr_table_t *params = NULL;
    apr_array_header_t *client;

    mto_fuzz_parts(data, size, part, 5);
    form = part[0] ? part[0] : "";
    if (mto_form_parse(pool, form, strlen(form), 64, &params, &err) != 0) {
        return;
    }
    client = mto_list_split(pool, part[1] ? part[1] : "read write");
    check_authz(params, client, 0);
    check_authz(params, client, 1);
    check_refresh(params, client, part[2] ? part[2] : "read write");
    challenge = part[4] ? part[4] : "";
    check_code(params, client, part[3] ? part[3] : "", challenge, size & 1 ? "S256" : "plain");
    if (one(params, "code_verifier")) {
        const char *v = one(params, "code_verifier");

        check_code(params, client, "", mto_sha256_b64url(pool, v, strlen(v)), "S256");
    }
}
