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

extern const mto_scope_def_t mto_builtin_scopes[];
extern const int mto_builtin_scope_count;

#endif /* MTO_SCOPES_H */
