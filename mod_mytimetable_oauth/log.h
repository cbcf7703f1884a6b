/*
 * log.h - how every httpd-side file of the module logs.
 *
 * APLOG_USE_MODULE tags each line "[mytimetable_oauth:level]" and makes it
 * obey "LogLevel mytimetable_oauth:LEVEL"; it declares the module record
 * too, which mod_mytimetable_oauth.c defines.  No text prefix is needed.
 *
 * Every error and warning line starts with a stable id written into its
 * format, "MTOnnnn: ", like httpd's APLOGNO: README's troubleshooting table
 * says what each one means and what to do.  The ids are never reused, and
 * build/check-boundaries checks that each is used once and documented.
 */
#ifndef MTO_LOG_H
#define MTO_LOG_H

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>

APLOG_USE_MODULE(mytimetable_oauth);

/* A client-supplied value made fit for the error log: quoted, escaped and
 * cut short.  Never pass a secret. */
const char *mto_log_safe(request_rec *r, const char *value);

#endif /* MTO_LOG_H */
