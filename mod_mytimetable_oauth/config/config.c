/*
 * config.c - the directives of README "Directive reference", their defaults and merging.
 *
 * Server settings start "unset" (MTO_UNSET / NULL) so that a virtual host
 * inherits what it does not set; the defaults are applied by the mto_conf_*
 * accessors, in one place.  Every bad value fails the configuration with a
 * message naming the directive, so `apachectl -t` catches it.
 */
#include "log.h"
#include "config/config.h"
#include "endpoints/endpoints.h"
#include "store/store.h"

#include <apr_uri.h>
#include <http_core.h>
#include <stddef.h>

#define MTO_DEFAULT_TOKEN_LIFETIME    43200
#define MTO_DEFAULT_CODE_LIFETIME     300
#define MTO_MAX_CODE_LIFETIME         600
#define MTO_DEFAULT_APPROVAL_LIFETIME 2592000
#define MTO_DEFAULT_CACHE_TTL         300
#define MTO_DEFAULT_PURGE_INTERVAL    60
#define MTO_DEFAULT_AUTH_LIMIT        10
#define MTO_DEFAULT_AUTH_WINDOW       60

/* The table as an array, for mto_conf_scopes: const and built by the
 * compiler, so that no request ever writes it. */
static const apr_array_header_t mto_builtin_scope_array = {
    .elt_size = sizeof(mto_scope_def_t),
    .nelts = MTO_BUILTIN_SCOPE_COUNT,
    .nalloc = MTO_BUILTIN_SCOPE_COUNT,
    .elts = (char *)mto_builtin_scopes,
};

/* ------------------------------------------------------------ create/merge */

void *mto_create_server_conf(apr_pool_t *p, server_rec *s)
{
    mto_server_conf_t *c = apr_pcalloc(p, sizeof(*c));

    c->token_lifetime = MTO_UNSET;
    c->code_lifetime = MTO_UNSET;
    c->approval_lifetime = MTO_UNSET;
    c->require_pkce = MTO_UNSET;
    c->cache_ttl = MTO_UNSET;
    c->purge_interval = MTO_UNSET;
    c->auth_limit = MTO_UNSET;
    c->auth_window = MTO_UNSET;
    return c;
}

#define MTO_MERGE_PTR(f) m->f = add->f ? add->f : base->f
#define MTO_MERGE_NUM(f) m->f = add->f != MTO_UNSET ? add->f : base->f

void *mto_merge_server_conf(apr_pool_t *p, void *basev, void *addv)
{
    const mto_server_conf_t *base = basev, *add = addv;
    mto_server_conf_t *m = apr_pcalloc(p, sizeof(*m));

    MTO_MERGE_PTR(issuer);
    MTO_MERGE_NUM(token_lifetime);
    MTO_MERGE_NUM(code_lifetime);
    MTO_MERGE_NUM(approval_lifetime);
    MTO_MERGE_NUM(require_pkce);
    MTO_MERGE_PTR(cache_spec);
    MTO_MERGE_NUM(cache_ttl);
    MTO_MERGE_PTR(scopes);
    MTO_MERGE_PTR(consent_template);
    MTO_MERGE_PTR(scope_texts);
    MTO_MERGE_PTR(consent_templates);
    MTO_MERGE_NUM(purge_interval);
    MTO_MERGE_NUM(auth_limit);
    MTO_MERGE_NUM(auth_window);
    MTO_MERGE_PTR(secret_key);
    return m;
}

void *mto_create_dir_conf(apr_pool_t *p, char *dir)
{
    mto_dir_conf_t *c = apr_pcalloc(p, sizeof(*c));

    c->accept_in = MTO_UNSET;
    c->require_api_token = MTO_UNSET;
    c->pass_token = MTO_UNSET;
    return c;
}

void *mto_merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    const mto_dir_conf_t *base = basev, *add = addv;
    mto_dir_conf_t *m = apr_pcalloc(p, sizeof(*m));

    MTO_MERGE_NUM(accept_in);
    MTO_MERGE_NUM(require_api_token);
    MTO_MERGE_NUM(pass_token);
    return m;
}

/* ------------------------------------------------------------ accessors */

mto_server_conf_t *mto_server_conf(server_rec *s)
{
    return ap_get_module_config(s->module_config, &mytimetable_oauth_module);
}

static apr_int64_t mto_or(apr_int64_t v, apr_int64_t dflt)
{
    return v == MTO_UNSET ? dflt : v;
}

apr_int64_t mto_conf_token_lifetime(const mto_server_conf_t *c)
{
    return mto_or(c->token_lifetime, MTO_DEFAULT_TOKEN_LIFETIME);
}

apr_int64_t mto_conf_code_lifetime(const mto_server_conf_t *c)
{
    return mto_or(c->code_lifetime, MTO_DEFAULT_CODE_LIFETIME);
}

apr_int64_t mto_conf_approval_lifetime(const mto_server_conf_t *c)
{
    return mto_or(c->approval_lifetime, MTO_DEFAULT_APPROVAL_LIFETIME);
}

int mto_conf_require_pkce(const mto_server_conf_t *c)
{
    return c->require_pkce == 1;
}

apr_int64_t mto_conf_purge_interval(const mto_server_conf_t *c)
{
    return mto_or(c->purge_interval, MTO_DEFAULT_PURGE_INTERVAL);
}

apr_int64_t mto_conf_cache_ttl(const mto_server_conf_t *c)
{
    return mto_or(c->cache_ttl, MTO_DEFAULT_CACHE_TTL);
}

int mto_conf_client_auth_limit(const mto_server_conf_t *c, int *window)
{
    if (c->auth_limit == MTO_UNSET) {
        *window = MTO_DEFAULT_AUTH_WINDOW;
        return MTO_DEFAULT_AUTH_LIMIT;
    }
    *window = c->auth_window;
    return c->auth_limit;
}

const apr_array_header_t *mto_conf_scopes(const mto_server_conf_t *c)
{
    return c->scopes ? c->scopes : &mto_builtin_scope_array;
}

apr_array_header_t *mto_conf_scope_names(apr_pool_t *p, const mto_server_conf_t *c)
{
    const apr_array_header_t *scopes = mto_conf_scopes(c);
    apr_array_header_t *names = apr_array_make(p, scopes->nelts, sizeof(const char *));
    int i;

    for (i = 0; i < scopes->nelts; i++) {
        APR_ARRAY_PUSH(names, const char *) = APR_ARRAY_IDX(scopes, i, mto_scope_def_t).name;
    }
    return names;
}

/* ------------------------------------------------------------ directive handlers */

const char *mto_server_only(cmd_parms *cmd)
{
    return ap_check_cmd_context(cmd, NOT_IN_DIR_CONTEXT);
}

/* Parses whole-number seconds in [min, max] into the field at cmd->info. */
static const char *mto_set_seconds(cmd_parms *cmd, apr_int64_t *field, const char *arg,
                                   apr_int64_t min, apr_int64_t max)
{
    const char *err = mto_server_only(cmd);
    char *end;
    apr_int64_t v;

    if (err) {
        return err;
    }
    errno = 0;
    v = apr_strtoi64(arg, &end, 10);
    if (!*arg || *end || errno || v < min || v > max) {
        return apr_psprintf(cmd->pool,
                            "%s: '%s' is not a number of seconds from %" APR_INT64_T_FMT
                            " to %" APR_INT64_T_FMT,
                            cmd->cmd->name, arg, min, max);
    }
    *field = v;
    return NULL;
}

#define MTO_SECONDS_SETTER(fn, field, min, max)                                                    \
    static const char *fn(cmd_parms *cmd, void *dc, const char *arg)                               \
    {                                                                                              \
        mto_server_conf_t *c = mto_server_conf(cmd->server);                                       \
        return mto_set_seconds(cmd, &c->field, arg, min, max);                                     \
    }

MTO_SECONDS_SETTER(mto_set_token_lifetime, token_lifetime, 0, APR_INT64_C(315360000))
MTO_SECONDS_SETTER(mto_set_code_lifetime, code_lifetime, 1, MTO_MAX_CODE_LIFETIME)
MTO_SECONDS_SETTER(mto_set_approval_lifetime, approval_lifetime, 0, APR_INT64_C(315360000))
MTO_SECONDS_SETTER(mto_set_cache_ttl, cache_ttl, 0, APR_INT64_C(86400))
MTO_SECONDS_SETTER(mto_set_purge_interval, purge_interval, 0, APR_INT64_C(86400))

/* MyTimetableOAuthClientAuthLimit N SECONDS, or off. */
static const char *mto_set_client_auth_limit(cmd_parms *cmd, void *dc, const char *n,
                                             const char *secs)
{
    mto_server_conf_t *c = mto_server_conf(cmd->server);
    const char *err = mto_server_only(cmd);
    char *end1 = NULL, *end2 = NULL;
    apr_int64_t limit, window;

    if (err) {
        return err;
    }
    if (!secs && !strcasecmp(n, "off")) {
        c->auth_limit = 0;
        c->auth_window = 0;
        return NULL;
    }
    errno = 0;
    limit = apr_strtoi64(n, &end1, 10);
    window = secs ? apr_strtoi64(secs, &end2, 10) : 0;
    if (!secs || !*n || *end1 || !*secs || *end2 || errno || limit < 1
        || limit > MTO_THROTTLE_MAX_LIMIT || window < 1 || window > MTO_THROTTLE_MAX_WINDOW) {
        return apr_psprintf(cmd->pool,
                            "MyTimetableOAuthClientAuthLimit: expects N SECONDS (N from 1 to %d, "
                            "SECONDS from 1 to %d) or off, not '%s%s%s'",
                            MTO_THROTTLE_MAX_LIMIT, MTO_THROTTLE_MAX_WINDOW, n, secs ? " " : "",
                            secs ? secs : "");
    }
    c->auth_limit = (int)limit;
    c->auth_window = (int)window;
    return NULL;
}

static const char *mto_set_issuer(cmd_parms *cmd, void *dc, const char *arg)
{
    mto_server_conf_t *c = mto_server_conf(cmd->server);
    const char *err = mto_server_only(cmd);
    apr_uri_t uri;
    apr_size_t len;

    if (err) {
        return err;
    }
    /* RFC 8414 §2: an https URL (http allowed for tests) without query or fragment. */
    if (apr_uri_parse(cmd->pool, arg, &uri) != APR_SUCCESS || !uri.scheme || !uri.hostname
        || !*uri.hostname || (strcasecmp(uri.scheme, "https") && strcasecmp(uri.scheme, "http"))
        || uri.query || uri.fragment || strchr(arg, '?') || strchr(arg, '#')) {
        return apr_psprintf(cmd->pool,
                            "MyTimetableOAuthIssuer: '%s' is not an absolute "
                            "http(s) URL without query or fragment",
                            arg);
    }
    len = strlen(arg);
    while (len > 0 && arg[len - 1] == '/') {
        len--; /* metadata paths are appended to it */
    }
    c->issuer = apr_pstrmemdup(cmd->pool, arg, len);
    return NULL;
}

static const char *mto_set_require_pkce(cmd_parms *cmd, void *dc, int on)
{
    const char *err = mto_server_only(cmd);

    if (err) {
        return err;
    }
    mto_server_conf(cmd->server)->require_pkce = on ? 1 : 0;
    return NULL;
}

static const char *mto_set_cache(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *err = mto_server_only(cmd);

    if (err) {
        return err;
    }
    if (!*arg || *arg == ':') {
        return "MyTimetableOAuthCache: expects PROVIDER[:ARGS] or none";
    }
    mto_server_conf(cmd->server)->cache_spec = arg;
    return NULL;
}

static const char *mto_set_accept_in(cmd_parms *cmd, void *dcv, const char *arg)
{
    mto_dir_conf_t *dc = dcv;

    if (dc->accept_in == MTO_UNSET) {
        dc->accept_in = 0;
    }
    if (!strcasecmp(arg, "header")) {
        dc->accept_in |= MTO_TOKEN_IN_HEADER;
    }
    else if (!strcasecmp(arg, "query")) {
        dc->accept_in |= MTO_TOKEN_IN_QUERY;
    }
    else {
        return apr_psprintf(cmd->pool,
                            "MyTimetableOAuthAcceptTokenIn: '%s' is neither "
                            "'header' nor 'query'",
                            arg);
    }
    return NULL;
}

/* offsetof, not APR_OFFSETOF: APR's macro subtracts from a null pointer,
 * which is undefined behaviour (clang -Wnull-pointer-subtraction). */
const command_rec mto_directives[] = {
    AP_INIT_TAKE1(
        "MyTimetableOAuthIssuer", mto_set_issuer, NULL, RSRC_CONF,
        "Issuer URL of this authorization server (default: scheme://host[:port] of the request)"),
    AP_INIT_TAKE1(
        "MyTimetableOAuthTokenLifetime", mto_set_token_lifetime, NULL, RSRC_CONF,
        "Access token lifetime in seconds when access_token_validity is NULL (default 43200)"),
    AP_INIT_TAKE1("MyTimetableOAuthCodeLifetime", mto_set_code_lifetime, NULL, RSRC_CONF,
                  "Authorization code lifetime in seconds, 1 to 600 (default 300)"),
    AP_INIT_TAKE1(
        "MyTimetableOAuthApprovalLifetime", mto_set_approval_lifetime, NULL, RSRC_CONF,
        "How long a user's consent is remembered, in seconds; 0 asks every time (default 2592000)"),
    AP_INIT_FLAG("MyTimetableOAuthRequirePKCE", mto_set_require_pkce, NULL, RSRC_CONF,
                 "On: refuse authorization requests without an S256 PKCE challenge (default Off)"),
    AP_INIT_TAKE1(
        "MyTimetableOAuthCache", mto_set_cache, NULL, RSRC_CONF,
        "socache provider for clients, API tokens and token look-ups: PROVIDER[:ARGS] or none (default shmcb)"),
    AP_INIT_TAKE1("MyTimetableOAuthCacheTTL", mto_set_cache_ttl, NULL, RSRC_CONF,
                  "Seconds a cached entry may be served (default 300)"),
    AP_INIT_TAKE1(
        "MyTimetableOAuthPurgeInterval", mto_set_purge_interval, NULL, RSRC_CONF,
        "Seconds between purges of expired codes, tokens and approvals, per child; 0: never (default 60)"),
    AP_INIT_TAKE12(
        "MyTimetableOAuthClientAuthLimit", mto_set_client_auth_limit, NULL, RSRC_CONF,
        "Failed client authentications per client_id and address: N SECONDS, or off (default 10 60)"),
    AP_INIT_TAKE23("MyTimetableOAuthScope", mto_add_scope, NULL, RSRC_CONF,
                   "A scope and its consent text: NAME \"description\" [LANG] (default: the six "
                   "built-in scopes, in English and Dutch)"),
    AP_INIT_TAKE12("MyTimetableOAuthConsentTemplate", mto_set_consent_template, NULL, RSRC_CONF,
                   "HTML template file of the consent page: FILE [LANG] (default: built-in page)"),
    AP_INIT_TAKE1("MyTimetableOAuthSecretKeyFile", mto_set_secret_key_file, NULL, RSRC_CONF,
                  "File of the key behind consent forms (default: a random key per start)"),
    AP_INIT_ITERATE(
        "MyTimetableOAuthAcceptTokenIn", mto_set_accept_in, NULL, ACCESS_CONF | OR_AUTHCFG,
        "Where the gate looks for an access token: header and/or query (default: header query)"),
    AP_INIT_FLAG("MyTimetableOAuthRequireApiToken", ap_set_flag_slot,
                 (void *)offsetof(mto_dir_conf_t, require_api_token), ACCESS_CONF | OR_AUTHCFG,
                 "On: every request must carry a valid apiToken header (default Off)"),
    AP_INIT_FLAG(
        "MyTimetableOAuthPassToken", ap_set_flag_slot, (void *)offsetof(mto_dir_conf_t, pass_token),
        ACCESS_CONF | OR_AUTHCFG,
        "On: the backend sees the access token; Off removes header and query parameter (default Off)"),
    /* The core's directive: noted for the metadata (endpoints/metadata.c),
     * then declined to the core, so with the core's contexts and syntax. */
    AP_INIT_RAW_ARGS("SetHandler", mto_metadata_note_handler, NULL, OR_FILEINFO,
                     "a handler name that overrides any other configured handler (the core's)"),
    /* mod_dbd's: noted for the cache keys (store/database.c), then declined
     * to mod_dbd, with its contexts and syntax.  httpd offers a directive to
     * every module that declares it, whatever the order of LoadModule. */
    AP_INIT_TAKE1("DBDriver", mto_store_note_dbd, NULL, RSRC_CONF, "SQL driver (mod_dbd's)"),
    AP_INIT_TAKE1("DBDParams", mto_store_note_dbd, NULL, RSRC_CONF,
                  "SQL driver parameters (mod_dbd's)"),
    { NULL }
};
