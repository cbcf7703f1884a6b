/*
 * status.c - the status page (mytimetable-oauth-status, docs/status.md):
 * the counters of every child since httpd started, in the Prometheus text
 * exposition format, for GET and HEAD.  Who may read it is the admin's
 * Require lines; the page holds counts only, never a user, a client or a
 * token.
 */
#include "log.h"
#include "respond/respond.h"
#include "endpoints/endpoints.h"
#include "stats/stats.h"

#include <http_protocol.h>

/* Prometheus' text format, version 0.0.4. */
#define MTO_STATUS_TYPE "text/plain; version=0.0.4; charset=utf-8"

int mto_handle_status(request_rec *r)
{
    apr_uint64_t values[MTO_STAT_COUNT];

    if (r->method_number != M_GET) { /* HEAD is a GET without its body */
        apr_table_setn(r->headers_out, "Allow", "GET, HEAD");
        return mto_send_text(r, HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
                             "The status page answers GET and HEAD only.\n");
    }
    if (!mto_stats_read(values)) {
        return mto_send_text(r, HTTP_SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
                             "The counters have no shared memory (MTO0090 in the error log).\n");
    }
    return mto_send_text(r, HTTP_OK, MTO_STATUS_TYPE, mto_stats_format(r->pool, values));
}
