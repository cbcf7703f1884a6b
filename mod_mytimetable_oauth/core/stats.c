/*
 * stats.c - the status page's counters named, and printed in the
 * Prometheus text exposition format 0.0.4 (docs/status.md): one # HELP and
 * one # TYPE line per metric, then one sample per counter.  Nothing here
 * comes from a request: no user, client or token can reach the page.
 */
#include "core/stats.h"

#include <apr_strings.h>
#include <apr_tables.h>

#define MTO_STAT_PREFIX "mytimetable_oauth_"

typedef enum {
    MTO_METRIC_AUTHORIZE,
    MTO_METRIC_TOKENS_ISSUED,
    MTO_METRIC_TOKEN_ERRORS,
    MTO_METRIC_GATE,
    MTO_METRIC_CACHE,
    MTO_METRIC_DATABASE,
    MTO_METRIC_THROTTLED,
    MTO_METRIC_COUNT
} mto_metric_id;

static const struct {
    const char *name; /* after the prefix */
    const char *help;
} mto_stat_metric[MTO_METRIC_COUNT] = {
    [MTO_METRIC_AUTHORIZE] = { "authorize_total",
                               "Answers of the authorization endpoint, by outcome." },
    [MTO_METRIC_TOKENS_ISSUED] = { "tokens_issued_total",
                                   "Access tokens issued by the token endpoint, by grant type." },
    [MTO_METRIC_TOKEN_ERRORS] = { "token_errors_total",
                                  "Error answers of the token endpoint, by OAuth error code." },
    [MTO_METRIC_GATE] = { "gate_decisions_total",
                          "Requests behind AuthType mytimetable-oauth, by the gate's answer." },
    [MTO_METRIC_CACHE] = { "cache_lookups_total",
                           "Look-ups in MyTimetableOAuthCache, by result." },
    [MTO_METRIC_DATABASE] = { "database_errors_total", "Database failures, by kind." },
    [MTO_METRIC_THROTTLED] = { "client_auth_throttled_total",
                               "Client authentications refused with 429 by "
                               "MyTimetableOAuthClientAuthLimit." },
};

/* Each counter: its metric, the value that finds it (an error code, a
 * status, a grant type), and its labels as printed. */
static const struct {
    mto_metric_id metric;
    const char *key;
    const char *labels;
} mto_stat_row[MTO_STAT_COUNT] = {
#define AUTHZ(id, key, labels) [MTO_STAT_AUTHORIZE_##id] = { MTO_METRIC_AUTHORIZE, key, labels }
    AUTHZ(CODE, "", "outcome=\"code_issued\""),
    AUTHZ(CONSENT, "", "outcome=\"consent_shown\""),
    AUTHZ(DENIED, "access_denied", "outcome=\"denied\""),
#define AUTHZ_ERR(id, error) AUTHZ(ERR_##id, error, "outcome=\"error\",error=\"" error "\"")
    AUTHZ_ERR(INVALID_REQUEST, "invalid_request"),
    AUTHZ_ERR(UNAUTHORIZED_CLIENT, "unauthorized_client"),
    AUTHZ_ERR(UNSUPPORTED_RESPONSE_TYPE, "unsupported_response_type"),
    AUTHZ_ERR(INVALID_SCOPE, "invalid_scope"),
    AUTHZ_ERR(SERVER_ERROR, "server_error"),
    AUTHZ_ERR(TEMPORARILY_UNAVAILABLE, "temporarily_unavailable"),
#define AUTHZ_PAGE(status) AUTHZ(PAGE_##status, #status, "outcome=\"error_page\",status=\"" #status "\"")
    AUTHZ_PAGE(400),
    AUTHZ_PAGE(405),
    AUTHZ_PAGE(500),
    AUTHZ_PAGE(503),
#define ISSUED(id, grant) \
    [MTO_STAT_TOKEN_##id] = { MTO_METRIC_TOKENS_ISSUED, grant, "grant_type=\"" grant "\"" }
    ISSUED(AUTHORIZATION_CODE, "authorization_code"),
    ISSUED(REFRESH_TOKEN, "refresh_token"),
#define TOKEN_ERR(id, error) \
    [MTO_STAT_TOKEN_ERR_##id] = { MTO_METRIC_TOKEN_ERRORS, error, "error=\"" error "\"" }
    TOKEN_ERR(INVALID_REQUEST, "invalid_request"),
    TOKEN_ERR(INVALID_CLIENT, "invalid_client"),
    TOKEN_ERR(INVALID_GRANT, "invalid_grant"),
    TOKEN_ERR(UNAUTHORIZED_CLIENT, "unauthorized_client"),
    TOKEN_ERR(UNSUPPORTED_GRANT_TYPE, "unsupported_grant_type"),
    TOKEN_ERR(INVALID_SCOPE, "invalid_scope"),
    TOKEN_ERR(SERVER_ERROR, "server_error"),
    TOKEN_ERR(TEMPORARILY_UNAVAILABLE, "temporarily_unavailable"),
#define GATE(id, outcome) [MTO_STAT_GATE_##id] = { MTO_METRIC_GATE, outcome, "outcome=\"" outcome "\"" }
    GATE(ALLOWED, "allowed"),
    GATE(400, "400"),
    GATE(401, "401"),
    GATE(403, "403"),
    GATE(503, "503"),
    [MTO_STAT_CACHE_HIT] = { MTO_METRIC_CACHE, "hit", "result=\"hit\"" },
    [MTO_STAT_CACHE_MISS] = { MTO_METRIC_CACHE, "miss", "result=\"miss\"" },
    [MTO_STAT_DB_CONNECTION] = { MTO_METRIC_DATABASE, "connection", "kind=\"connection\"" },
    [MTO_STAT_DB_STATEMENT] = { MTO_METRIC_DATABASE, "statement", "kind=\"statement\"" },
    [MTO_STAT_CLIENT_AUTH_THROTTLED] = { MTO_METRIC_THROTTLED, "", NULL },
#undef AUTHZ
#undef AUTHZ_ERR
#undef AUTHZ_PAGE
#undef ISSUED
#undef TOKEN_ERR
#undef GATE
};

/* The counter among first … last whose key is key; MTO_STAT_COUNT: none. */
static mto_stat_id mto_stat_find(mto_stat_id first, mto_stat_id last, const char *key)
{
    int id;

    for (id = (int)first; key && id <= (int)last; id++) {
        if (!strcmp(mto_stat_row[id].key, key)) {
            return (mto_stat_id)id;
        }
    }
    return MTO_STAT_COUNT;
}

mto_stat_id mto_stat_authorize_error(const char *error)
{
    return mto_stat_find(MTO_STAT_AUTHORIZE_DENIED, MTO_STAT_AUTHORIZE_ERR_TEMPORARILY_UNAVAILABLE,
                         error);
}

mto_stat_id mto_stat_authorize_page(int status)
{
    char key[16];

    apr_snprintf(key, sizeof(key), "%d", status);
    return mto_stat_find(MTO_STAT_AUTHORIZE_PAGE_400, MTO_STAT_AUTHORIZE_PAGE_503, key);
}

mto_stat_id mto_stat_token_error(const char *error)
{
    return mto_stat_find(MTO_STAT_TOKEN_ERR_INVALID_REQUEST, MTO_STAT_TOKEN_ERR_TEMPORARILY_UNAVAILABLE,
                         error);
}

mto_stat_id mto_stat_token_issued(const char *grant_type)
{
    return mto_stat_find(MTO_STAT_TOKEN_AUTHORIZATION_CODE, MTO_STAT_TOKEN_REFRESH_TOKEN, grant_type);
}

mto_stat_id mto_stat_gate_failure(int status)
{
    switch (status) {
    case 400:
        return MTO_STAT_GATE_400;
    case 401:
        return MTO_STAT_GATE_401;
    case 403:
        return MTO_STAT_GATE_403;
    case 503:
        return MTO_STAT_GATE_503;
    default:
        return MTO_STAT_COUNT;
    }
}

const char *mto_stats_format(apr_pool_t *p, const apr_uint64_t *values)
{
    apr_array_header_t *lines = apr_array_make(p, 2 * MTO_METRIC_COUNT + MTO_STAT_COUNT,
                                               sizeof(const char *));
    int m, id;

    for (m = 0; m < MTO_METRIC_COUNT; m++) {
        const char *name = mto_stat_metric[m].name;

        APR_ARRAY_PUSH(lines, const char *) =
            apr_psprintf(p, "# HELP " MTO_STAT_PREFIX "%s %s\n# TYPE " MTO_STAT_PREFIX
                            "%s counter\n",
                         name, mto_stat_metric[m].help, name);
        for (id = 0; id < MTO_STAT_COUNT; id++) {
            const char *labels = mto_stat_row[id].labels;

            if (mto_stat_row[id].metric == (mto_metric_id)m) {
                APR_ARRAY_PUSH(lines, const char *) =
                    apr_psprintf(p, MTO_STAT_PREFIX "%s%s%s%s %" APR_UINT64_T_FMT "\n", name,
                                 labels ? "{" : "", labels ? labels : "", labels ? "}" : "",
                                 values[id]);
            }
        }
    }
    return apr_array_pstrcat(p, lines, '\0');
}

/* FNV-1a over every name and label, in order. */
static apr_uint64_t mto_fnv(apr_uint64_t h, const char *s)
{
    for (; s && *s; s++) {
        h = (h ^ (unsigned char)*s) * APR_UINT64_C(0x100000001b3);
    }
    return (h ^ '\n') * APR_UINT64_C(0x100000001b3);
}

apr_uint64_t mto_stats_layout(void)
{
    apr_uint64_t h = APR_UINT64_C(0xcbf29ce484222325);
    int i;

    for (i = 0; i < MTO_STAT_COUNT; i++) {
        h = mto_fnv(h, mto_stat_metric[mto_stat_row[i].metric].name);
        h = mto_fnv(h, mto_stat_row[i].labels);
    }
    return h;
}
