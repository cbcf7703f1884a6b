/*
 * log.c - values from clients made fit for the error log.
 */
#include "log.h"

#include <apr_strings.h>

const char *mto_log_safe(request_rec *r, const char *value)
{
    char *cut;

    if (!value) {
        return "(none)";
    }
    cut = apr_pstrndup(r->pool, value, 64);
    return apr_pstrcat(r->pool, "'", ap_escape_logitem(r->pool, cut),
                       strlen(value) > 64 ? "'…" : "'", NULL);
}
