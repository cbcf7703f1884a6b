/*
 * scopes.c - the built-in scopes (README, "Directive reference").
 */
#include "core/scopes.h"

const mto_scope_def_t mto_builtin_scopes[] = {
    { "username", "read user information" },
    { "user_read", "read user information, including user name and roles" },
    { "profile_read", "read user subscriptions and user timetable" },
    { "profile_write", "edit user subscriptions" },
    { "alltimetables", "read any timetables the user has access to" },
    { "messages_read", "read any messages the user has access to" },
};

/* The count in scopes.h is the table's. */
typedef char mto_builtin_scope_count_matches
    [sizeof(mto_builtin_scopes) / sizeof(mto_builtin_scopes[0]) == MTO_BUILTIN_SCOPE_COUNT ? 1 : -1];
