/*
 * stats.h - the counters of the status page (docs/status.md): one id per
 * counter, which metric and labels it is, and the page they make in the
 * Prometheus text exposition format (version 0.0.4).
 *
 * The counts themselves live in shared memory (stats/stats.c); this part
 * only names them and prints them, so it is unit-tested without a server.
 * Counters of one metric are neighbours in the enum, and metrics follow
 * the order of mto_stat_metric: the page groups each metric's samples
 * under its # HELP and # TYPE lines, as the format requires.
 */
#ifndef MTO_CORE_STATS_H
#define MTO_CORE_STATS_H

#include <apr_pools.h>

typedef enum {
    /* mytimetable_oauth_authorize_total: what the authorization endpoint answered. */
    MTO_STAT_AUTHORIZE_CODE,    /* outcome="code_issued": redirected with a code */
    MTO_STAT_AUTHORIZE_CONSENT, /* outcome="consent_shown": the consent page */
    MTO_STAT_AUTHORIZE_DENIED,  /* outcome="denied": the user said no (access_denied) */
    MTO_STAT_AUTHORIZE_ERR_INVALID_REQUEST, /* outcome="error": redirected with error=… */
    MTO_STAT_AUTHORIZE_ERR_UNAUTHORIZED_CLIENT,
    MTO_STAT_AUTHORIZE_ERR_UNSUPPORTED_RESPONSE_TYPE,
    MTO_STAT_AUTHORIZE_ERR_INVALID_SCOPE,
    MTO_STAT_AUTHORIZE_ERR_SERVER_ERROR,
    MTO_STAT_AUTHORIZE_ERR_TEMPORARILY_UNAVAILABLE,
    MTO_STAT_AUTHORIZE_PAGE_400, /* outcome="error_page": an HTML page, no redirect */
    MTO_STAT_AUTHORIZE_PAGE_405,
    MTO_STAT_AUTHORIZE_PAGE_500,
    MTO_STAT_AUTHORIZE_PAGE_503,
    /* mytimetable_oauth_tokens_issued_total: token endpoint successes. */
    MTO_STAT_TOKEN_AUTHORIZATION_CODE,
    MTO_STAT_TOKEN_REFRESH_TOKEN,
    /* mytimetable_oauth_token_errors_total: token endpoint errors by error. */
    MTO_STAT_TOKEN_ERR_INVALID_REQUEST,
    MTO_STAT_TOKEN_ERR_INVALID_CLIENT,
    MTO_STAT_TOKEN_ERR_INVALID_GRANT,
    MTO_STAT_TOKEN_ERR_UNAUTHORIZED_CLIENT,
    MTO_STAT_TOKEN_ERR_UNSUPPORTED_GRANT_TYPE,
    MTO_STAT_TOKEN_ERR_INVALID_SCOPE,
    MTO_STAT_TOKEN_ERR_SERVER_ERROR,
    MTO_STAT_TOKEN_ERR_TEMPORARILY_UNAVAILABLE,
    /* mytimetable_oauth_gate_decisions_total: the gate's answer to a request. */
    MTO_STAT_GATE_ALLOWED,
    MTO_STAT_GATE_400,
    MTO_STAT_GATE_401,
    MTO_STAT_GATE_403,
    MTO_STAT_GATE_503,
    /* mytimetable_oauth_cache_lookups_total: MyTimetableOAuthCache look-ups. */
    MTO_STAT_CACHE_HIT,
    MTO_STAT_CACHE_MISS,
    /* mytimetable_oauth_database_errors_total */
    MTO_STAT_DB_CONNECTION, /* no connection (or the database is marked down) */
    MTO_STAT_DB_STATEMENT,  /* a statement, a row or a transaction failed */
    /* mytimetable_oauth_client_auth_throttled_total: 429 answers. */
    MTO_STAT_CLIENT_AUTH_THROTTLED,
    MTO_STAT_COUNT /* not a counter: how many there are, and "none" */
} mto_stat_id;

/* The id of an authorization endpoint's error redirect (RFC 6749
 * §4.1.2.1 error code; access_denied is MTO_STAT_AUTHORIZE_DENIED), or of
 * its HTML error page of that status; MTO_STAT_COUNT for another. */
mto_stat_id mto_stat_authorize_error(const char *error);
mto_stat_id mto_stat_authorize_page(int status);

/* The id of a token endpoint error (RFC 6749 §5.2 error code, or
 * server_error, temporarily_unavailable), of a token issued by grant type,
 * of the gate's failure status (400, 401, 403, 503); else MTO_STAT_COUNT. */
mto_stat_id mto_stat_token_error(const char *error);
mto_stat_id mto_stat_token_issued(const char *grant_type);
mto_stat_id mto_stat_gate_failure(int status);

/* The status page: every counter, values[id] for each id, in the
 * Prometheus text format (# HELP, # TYPE counter, one sample a line). */
const char *mto_stats_format(apr_pool_t *p, const apr_uint64_t *values);

/* A fingerprint of the table (names, labels, order): counts kept across a
 * graceful restart are reused only by a module with the same table. */
apr_uint64_t mto_stats_layout(void);

#endif /* MTO_CORE_STATS_H */
