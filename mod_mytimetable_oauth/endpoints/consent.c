/*
 * consent.c - the consent page and its CSRF token.
 *
 * The page posts back to the very URL of the authorization request, so the
 * request's parameters come back unchanged in the query string; the CSRF
 * token is an HMAC over (label, user, that query string, time) with the server's
 * secret key (MyTimetableOAuthSecretKeyFile, or random per start), so it
 * cannot be forged, moved to another user or request, or kept for later;
 * servers sharing the key file accept each other's pages.
 */
#include "log.h"
#include "config/config.h"
#include "store/store.h"
#include "cache/cache.h"
#include "respond/respond.h"
#include "endpoints/endpoints.h"

#include <http_protocol.h>

#define MTO_CSRF_TTL 900 /* seconds a consent page stays usable */

/* A label (purpose) keeps each kind of form apart: a token of one is
 * never accepted by another. */
static const char *mto_csrf_mac(request_rec *r, const char *purpose, const char *user,
                                const char *bound, const char *ts)
{
    const mto_secret_key_t *key = mto_conf_secret_key(mto_server_conf(r->server));
    const char *data;

    if (!key) {
        return NULL; /* no key, no valid token */
    }
    data = apr_pstrcat(r->pool, purpose, "\n", user, "\n", bound ? bound : "", "\n", ts, NULL);
    return mto_hmac_sha256_hex(r->pool, key->bytes, key->len, data, strlen(data));
}

const char *mto_csrf_token(request_rec *r, const char *purpose, const char *user, const char *bound,
                           apr_int64_t now)
{
    const char *ts = apr_psprintf(r->pool, "%" APR_INT64_T_FMT, now);
    const char *mac = mto_csrf_mac(r, purpose, user, bound, ts);

    return apr_pstrcat(r->pool, ts, ".", mac ? mac : "none", NULL);
}

int mto_csrf_ok(request_rec *r, const char *purpose, const char *user, const char *bound,
                const char *token, apr_int64_t now)
{
    const char *dot = token ? strchr(token, '.') : NULL;
    const char *ts;
    char *end;
    apr_int64_t t;

    if (!dot || dot == token || dot - token > 20) {
        return 0;
    }
    ts = apr_pstrmemdup(r->pool, token, (apr_size_t)(dot - token));
    t = apr_strtoi64(ts, &end, 10);
    if (*end || t > now || now - t > MTO_CSRF_TTL) {
        return 0;
    }
    return mto_ct_streq(dot + 1, mto_csrf_mac(r, purpose, user, bound, ts));
}

const char *mto_consent_csrf_token(request_rec *r, const char *user, apr_int64_t now)
{
    return mto_csrf_token(r, "consent-csrf", user, r->args, now);
}

int mto_consent_csrf_ok(request_rec *r, const char *user, const char *token, apr_int64_t now)
{
    return mto_csrf_ok(r, "consent-csrf", user, r->args, token, now);
}

/* The built-in pages, one per language: plain HTML, works without
 * JavaScript and by keyboard, readable on a phone.  {{…}} values arrive
 * HTML-escaped. */
#define MTO_PAGE_HEAD(title)                                                                       \
    "<!DOCTYPE html>\n"                                                                            \
    "<html lang=\"{{lang}}\">\n<head>\n<meta charset=\"utf-8\">\n"                                 \
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"                   \
    "<title>" title "</title>\n"                                                                   \
    "<style>\n"                                                                                    \
    "body{font-family:system-ui,sans-serif;max-width:34em;margin:2em auto;padding:0 "              \
    "1em;line-height:1.5}\n"                                                                       \
    "ul{padding-left:1.2em}button{font-size:1em;padding:.6em 1.4em;margin:.3em .6em .3em 0}\n"     \
    "button:focus{outline:3px solid #1a73e8;outline-offset:2px}\n"                                 \
    ".logo{display:block;object-fit:contain}.links{font-size:.9em}\n"                              \
    "</style>\n</head>\n<body>\n<main>\n"

/* clang-format off */
static const char mto_builtin_template_en[] =
    MTO_PAGE_HEAD("Authorize {{client_name}}")
    "{{logo}}<h1>Authorize {{client_name}}</h1>\n"
    "<p>Signed in as <strong>{{user}}</strong>. The application "
    "<strong>{{client_name}}</strong> asks for permission to:</p>\n"
    "<ul>\n{{scope_items}}</ul>\n"
    "<p>After you answer, you will be sent to <strong>{{redirect_host}}</strong>.</p>\n"
    "{{client_links}}"
    "<form method=\"post\" action=\"{{action}}\">\n"
    "<input type=\"hidden\" name=\"csrf_token\" value=\"{{csrf_token}}\">\n"
    "<button type=\"submit\" name=\"user_oauth_approval\" value=\"true\" autofocus>"
    "Approve</button>\n"
    "<button type=\"submit\" name=\"user_oauth_approval\" value=\"false\">Deny</button>\n"
    "</form>\n</main>\n</body>\n</html>\n";

static const char mto_builtin_template_nl[] =
    MTO_PAGE_HEAD("Toegang voor {{client_name}}")
    "{{logo}}<h1>Toegang voor {{client_name}}</h1>\n"
    "<p>Ingelogd als <strong>{{user}}</strong>. De applicatie "
    "<strong>{{client_name}}</strong> wil toegang tot je MyTimetable-gegevens om:</p>\n"
    "<ul>\n{{scope_items}}</ul>\n"
    "<p>Na je antwoord word je doorgestuurd naar <strong>{{redirect_host}}</strong>.</p>\n"
    "{{client_links}}"
    "<form method=\"post\" action=\"{{action}}\">\n"
    "<input type=\"hidden\" name=\"csrf_token\" value=\"{{csrf_token}}\">\n"
    "<button type=\"submit\" name=\"user_oauth_approval\" value=\"true\" autofocus>"
    "Toestaan</button>\n"
    "<button type=\"submit\" name=\"user_oauth_approval\" value=\"false\">Weigeren</button>\n"
    "</form>\n</main>\n</body>\n</html>\n";
/* clang-format on */

const char *mto_page_lang(request_rec *r)
{
    const char *lang = apr_table_get(r->notes, "mto-lang");
    const char *const *langs;
    int n, i;

    if (lang) {
        return lang;
    }
    langs = mto_conf_langs(r->pool, mto_server_conf(r->server), &n);
    i = mto_lang_choose(apr_table_get(r->headers_in, "Accept-Language"), langs, n);
    lang = i < 0 ? "en" : langs[i];
    apr_table_setn(r->notes, "mto-lang", lang);
    /* The page depends on the header (RFC 9110 §12.5.5). */
    apr_table_merge(r->headers_out, "Vary", "Accept-Language");
    return lang;
}

int mto_html_error(request_rec *r, int status, const char *title, const char *message)
{
    return mto_send_html_error(r, status, mto_page_lang(r), title, message);
}

/* Side of the logo in CSS pixels: fixed, whatever the image's own size. */
#define MTO_LOGO_SIZE "64"

static const char *mto_link(apr_pool_t *p, const char *uri, const char *text)
{
    return uri ? apr_pstrcat(p, "<a href=\"", mto_html_escape(p, uri),
                             "\" rel=\"noopener noreferrer\" target=\"_blank\">", text, "</a>",
                             NULL)
               : NULL;
}

/* The client's own metadata (docs/endpoints.md, "The consent template"): its name
 * (else its id), its logo, its https links, and the host the redirect URI
 * sends the user to, so that a look-alike application is easier to spot. */
static void mto_consent_client_vars(apr_pool_t *p, apr_table_t *vars, const mto_client_t *client,
                                    const char *redirect_uri, const mto_texts_t *tx)
{
    const mto_client_info_t *info = &client->info;
    const char *name = mto_html_escape(p, info->name ? info->name : client->client_id);
    const char *links[3], *joined = "";
    int i;

    apr_table_setn(vars, "client_name", name);
    apr_table_setn(vars, "redirect_host", mto_html_escape(p, mto_uri_host(p, redirect_uri)));
    apr_table_setn(vars, "logo_uri", mto_html_escape(p, info->logo_uri));
    apr_table_setn(vars, "client_uri", mto_html_escape(p, info->client_uri));
    apr_table_setn(vars, "policy_uri", mto_html_escape(p, info->policy_uri));
    apr_table_setn(vars, "tos_uri", mto_html_escape(p, info->tos_uri));
    if (info->logo_uri) {
        apr_table_setn(vars, "logo",
                       apr_pstrcat(p, "<img src=\"", mto_html_escape(p, info->logo_uri),
                                   "\" alt=\"", name,
                                   "\" width=\"" MTO_LOGO_SIZE "\" height=\"" MTO_LOGO_SIZE
                                   "\" class=\"logo\">",
                                   NULL));
    }
    links[0] = mto_link(p, info->client_uri, tx->link_website);
    links[1] = mto_link(p, info->policy_uri, tx->link_privacy);
    links[2] = mto_link(p, info->tos_uri, tx->link_terms);
    for (i = 0; i < 3; i++) {
        if (links[i]) {
            joined = apr_pstrcat(p, joined, *joined ? " &middot; " : "", links[i], NULL);
        }
    }
    if (*joined) {
        apr_table_setn(vars, "client_links",
                       apr_pstrcat(p, "<p class=\"links\">", joined, "</p>\n", NULL));
    }
}

int mto_consent_page(request_rec *r, const mto_client_t *client, const char *redirect_uri,
                     const apr_array_header_t *scopes, const char *csrf_token)
{
    const mto_server_conf_t *conf = mto_server_conf(r->server);
    const char *lang = mto_page_lang(r);
    const mto_texts_t *tx = mto_texts(lang);
    apr_table_t *vars = apr_table_make(r->pool, 16);
    const char *items = "", *tpl;
    int i;

    for (i = 0; i < scopes->nelts; i++) {
        const char *name = APR_ARRAY_IDX(scopes, i, const char *);
        const char *desc = mto_conf_scope_description(conf, name, lang);
        items = apr_pstrcat(r->pool, items, "<li><span class=\"scope\">",
                            mto_html_escape(r->pool, desc ? desc : name), "</span> <small>(",
                            mto_html_escape(r->pool, name), ")</small></li>\n", NULL);
    }
    apr_table_setn(vars, "client_id", mto_html_escape(r->pool, client->client_id));
    apr_table_setn(vars, "user", mto_html_escape(r->pool, r->user));
    apr_table_setn(vars, "scope_items", items);
    apr_table_setn(vars, "scope", mto_html_escape(r->pool, mto_list_join(r->pool, scopes)));
    apr_table_setn(vars, "action", mto_html_escape(r->pool, r->unparsed_uri));
    apr_table_setn(vars, "csrf_token", mto_html_escape(r->pool, csrf_token));
    apr_table_setn(vars, "lang", mto_html_escape(r->pool, lang));
    mto_consent_client_vars(r->pool, vars, client, redirect_uri, tx);

    tpl = mto_conf_consent_template(conf, lang);
    if (!tpl) {
        tpl = strcmp(tx->lang, "nl") ? mto_builtin_template_en : mto_builtin_template_nl;
    }
    return mto_send_page_img(r, mto_template_render(r->pool, tpl, vars),
                             client->info.logo_uri ? mto_uri_origin(r->pool, client->info.logo_uri)
                                                   : NULL);
}
