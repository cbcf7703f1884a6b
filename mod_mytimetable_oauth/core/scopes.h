/*
 * scopes.h - the six scopes of the MyTimetable documentation with their
 * consent texts (README, "Directive reference": what the server knows when
 * no MyTimetableOAuthScope is given).  One list for the module and the
 * admin tool.
 */
#ifndef MTO_SCOPES_H
#define MTO_SCOPES_H

/* A scope the server knows, with the text the consent page shows. */
typedef struct {
    const char *name;
    const char *description;
} mto_scope_def_t;

/* A constant expression, so that config/ can wrap the table in a static
 * apr_array_header_t (scopes.c fails to build if it does not match). */
#define MTO_BUILTIN_SCOPE_COUNT 6

extern const mto_scope_def_t mto_builtin_scopes[MTO_BUILTIN_SCOPE_COUNT];

#endif /* MTO_SCOPES_H */
