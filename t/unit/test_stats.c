/*
 * test_stats.c - unit tests for stats.c: the status page in the Prometheus
 * text format (each metric's # HELP and # TYPE before its samples, every
 * sample a counter named mytimetable_oauth_…_total), every counter on it
 * once with its value, the error codes, statuses and grant types that find
 * their counters, and a layout fingerprint that changes with the table.
 * Prints TAP; t/unit/stats.t runs it.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "core/core.h"
#include "tap.h"

/* The line of the page that starts with prefix (up to its newline), or NULL. */
static const char *line_of(apr_pool_t *p, const char *page, const char *prefix)
{
    const char *at = page;
    apr_size_t n = strlen(prefix);

    while (at && *at) {
        if (!strncmp(at, prefix, n)) {
            return apr_pstrndup(p, at, strcspn(at, "\n"));
        }
        at = strchr(at, '\n');
        at = at ? at + 1 : NULL;
    }
    return NULL;
}

static void test_format(apr_pool_t *p)
{
    apr_uint64_t values[MTO_STAT_COUNT];
    const char *page, *at;
    int i, samples = 0, bad = 0, help = 0, type = 0;
    const char *metric = NULL;

    for (i = 0; i < MTO_STAT_COUNT; i++) {
        values[i] = (apr_uint64_t)(1000 + i);
    }
    values[MTO_STAT_GATE_401] = APR_UINT64_C(18446744073709551615);
    page = mto_stats_format(p, values);
    ok(page && page[strlen(page) - 1] == '\n', "the page ends with a newline");

    /* Every line: a # HELP, a # TYPE … counter for the metric just named,
     * or a sample of that metric. */
    for (at = page; at && *at; at = strchr(at, '\n') + 1) {
        char *l = apr_pstrndup(p, at, strcspn(at, "\n"));
        char name[128];

        if (sscanf(l, "# HELP %127s ", name) == 1) {
            metric = apr_pstrdup(p, name);
            help++;
            bad += strncmp(name, "mytimetable_oauth_", 18) != 0
                   || strcmp(name + strlen(name) - 6, "_total") != 0;
        }
        else if (!strncmp(l, "# TYPE ", 7)) {
            type++;
            bad += !metric || strcmp(l, apr_pstrcat(p, "# TYPE ", metric, " counter", NULL)) != 0;
        }
        else {
            samples++;
            bad += !metric || strncmp(l, metric, strlen(metric)) != 0
                   || (l[strlen(metric)] != ' ' && l[strlen(metric)] != '{');
        }
    }
    ok(bad == 0, "each sample follows its metric's # HELP and # TYPE counter lines");
    ok(help == 7 && type == 7, "seven metrics (%d HELP, %d TYPE lines)", help, type);
    ok(samples == MTO_STAT_COUNT, "one sample per counter (%d of %d)", samples, MTO_STAT_COUNT);

    is_str(line_of(p, page, "mytimetable_oauth_gate_decisions_total{outcome=\"allowed\"}"),
           apr_psprintf(p, "mytimetable_oauth_gate_decisions_total{outcome=\"allowed\"} %d",
                        1000 + MTO_STAT_GATE_ALLOWED),
           "a counter with its label and value");
    is_str(line_of(p, page, "mytimetable_oauth_gate_decisions_total{outcome=\"401\"}"),
           "mytimetable_oauth_gate_decisions_total{outcome=\"401\"} 18446744073709551615",
           "64-bit values in full");
    is_str(line_of(p, page, "mytimetable_oauth_authorize_total{outcome=\"error\",error=\"invalid_scope\"}"),
           apr_psprintf(p, "mytimetable_oauth_authorize_total{outcome=\"error\",error=\"invalid_scope\"} %d",
                        1000 + MTO_STAT_AUTHORIZE_ERR_INVALID_SCOPE),
           "two labels, comma separated");
    is_str(line_of(p, page, "mytimetable_oauth_client_auth_throttled_total "),
           apr_psprintf(p, "mytimetable_oauth_client_auth_throttled_total %d",
                        1000 + MTO_STAT_CLIENT_AUTH_THROTTLED),
           "a counter without labels has no braces");
    ok(line_of(p, page, "# HELP mytimetable_oauth_token_errors_total ") != NULL,
       "token errors have their help line");
}

static void test_lookups(void)
{
    static const char *const authz[] = { "invalid_request", "unauthorized_client",
                                         "unsupported_response_type", "invalid_scope",
                                         "server_error", "temporarily_unavailable", NULL };
    static const char *const token[] = { "invalid_request", "invalid_client", "invalid_grant",
                                         "unauthorized_client", "unsupported_grant_type",
                                         "invalid_scope", "server_error",
                                         "temporarily_unavailable", NULL };
    int i, found = 0;

    for (i = 0; authz[i]; i++) {
        found += mto_stat_authorize_error(authz[i]) != MTO_STAT_COUNT;
    }
    ok(found == 6, "every RFC 6749 §4.1.2.1 error code has its authorize counter");
    ok(mto_stat_authorize_error("access_denied") == MTO_STAT_AUTHORIZE_DENIED,
       "access_denied is the outcome denied");
    ok(mto_stat_authorize_error("invalid_grant") == MTO_STAT_COUNT
           && mto_stat_authorize_error("400") == MTO_STAT_COUNT
           && mto_stat_authorize_error(NULL) == MTO_STAT_COUNT,
       "an error the endpoint never sends, a status, NULL: no counter");
    ok(mto_stat_authorize_page(400) == MTO_STAT_AUTHORIZE_PAGE_400
           && mto_stat_authorize_page(503) == MTO_STAT_AUTHORIZE_PAGE_503
           && mto_stat_authorize_page(404) == MTO_STAT_COUNT,
       "error pages by status");
    for (i = 0, found = 0; token[i]; i++) {
        found += mto_stat_token_error(token[i]) != MTO_STAT_COUNT;
    }
    ok(found == 8, "every token endpoint error has its counter");
    ok(mto_stat_token_error("invalid_grant") == MTO_STAT_TOKEN_ERR_INVALID_GRANT,
       "invalid_grant finds its own counter");
    ok(mto_stat_token_error("access_denied") == MTO_STAT_COUNT, "access_denied is no token error");
    ok(mto_stat_token_issued("authorization_code") == MTO_STAT_TOKEN_AUTHORIZATION_CODE
           && mto_stat_token_issued("refresh_token") == MTO_STAT_TOKEN_REFRESH_TOKEN
           && mto_stat_token_issued("password") == MTO_STAT_COUNT,
       "tokens issued by grant type");
    ok(mto_stat_gate_failure(400) == MTO_STAT_GATE_400 && mto_stat_gate_failure(401) == MTO_STAT_GATE_401
           && mto_stat_gate_failure(403) == MTO_STAT_GATE_403
           && mto_stat_gate_failure(503) == MTO_STAT_GATE_503
           && mto_stat_gate_failure(500) == MTO_STAT_COUNT
           && mto_stat_gate_failure(200) == MTO_STAT_COUNT,
       "the gate's failures by status");
}

int main(void)
{
    apr_pool_t *p;

    apr_initialize();
    apr_pool_create(&p, NULL);
    test_format(p);
    test_lookups();
    ok(mto_stats_layout() == mto_stats_layout() && mto_stats_layout() != 0,
       "the layout fingerprint is stable");
    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
