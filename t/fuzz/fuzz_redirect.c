/*
 * fuzz_redirect.c - libFuzzer target for the client rules of core/client.c:
 * redirect URI matching (exact; any loopback port for a public client,
 * RFC 8252 §7.3), origins (RFC 6454 §6.2) and the URIs shown on the
 * consent page.
 *
 * The input is "registered\nrequested".  Matching is compared with a model
 * written here from RFC 8252 §7.3: exact equality, or both http://127.0.0.1
 * or both http://[::1], each with a port 1..65535 or none, and the same
 * text after the port, which must start the path, query or fragment.
 */
#include "fuzz.h"

#define pool mto_fuzz_pool /* cleared after each input */

/* s without the port of a loopback URI; NULL when s is no loopback URI. */
static const char *model_portless(const char *s, const char **host)
{
    static const char *const hosts[] = { "http://127.0.0.1", "http://[::1]" };
    size_t i, n, j;
    long port = 0;

    for (i = 0; i < 2; i++) {
        n = strlen(hosts[i]);
        if (strncmp(s, hosts[i], n) != 0) {
            continue;
        }
        j = n;
        if (s[j] == ':') {
            for (j = n + 1; s[j] >= '0' && s[j] <= '9' && j - n <= 6; j++) {
                port = port * 10 + (s[j] - '0');
            }
            if (j == n + 1 || j - n - 1 > 5 || port < 1 || port > 65535) {
                return NULL;
            }
        }
        if (s[j] && !strchr("/?#", s[j])) {
            return NULL;
        }
        *host = hosts[i];
        return cat(hosts[i], s + j);
    }
    return NULL;
}

static int model_matches(const char *reg, const char *req, int any_port)
{
    const char *hreg = NULL, *hreq = NULL, *preg, *preq;

    if (!strcmp(reg, req)) {
        return 1;
    }
    if (!any_port || !(preg = model_portless(reg, &hreg)) || !(preq = model_portless(req, &hreq))) {
        return 0;
    }
    return hreg == hreq && !strcmp(preg, preq);
}

static void check_origin(const char *s)
{
    const char *o = mto_origin_canon(pool, s), *c, *rest;

    if (!o) {
        return;
    }
    check(same(mto_origin_canon(pool, o), o), "origin: canonical form is not a fixed point");
    for (c = o; *c; c++) {
        check(!(*c >= 'A' && *c <= 'Z') && *c > 0x20 && *c < 0x7f,
              "origin: upper case or odd byte");
    }
    rest = strstr(o, "://");
    check(rest && !strpbrk(rest + 3, "/?#@\"';, "), "origin: more than scheme://host[:port]");
}

void mto_fuzz_one(const uint8_t *data, size_t size)
{
    const char *part[2], *host;
    int any;

    mto_fuzz_parts(data, size, part, 2);
    if (!part[0] || !part[1]) {
        return;
    }
    for (any = 0; any <= 1; any++) {
        check(mto_redirect_uri_matches(part[0], part[1], any)
                  == model_matches(part[0], part[1], any),
              "redirect: match differs from the RFC 8252 model");
        check(mto_redirect_uri_matches(part[1], part[1], any),
              "redirect: a URI does not match itself");
    }
    check_origin(part[0]);
    check_origin(part[1]);
    if (mto_https_uri_ok(part[1])) {
        check(!strncasecmp(part[1], "https://", 8) && !strpbrk(part[1], " \"<>\\'`"),
              "https: an unfit URI accepted");
    }
    host = mto_uri_host(pool, part[1]);
    check(!host || !strpbrk(host, "@/?#"), "host: user-info or path in the host shown");
}
