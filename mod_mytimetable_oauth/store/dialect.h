/*
 * dialect.h - which SQL a connection speaks, and how its apr_dbd driver
 * reads results (store/dialect.c).  Shared by the module's store/dbd.c and
 * the admin tool's store/tool_db.c.
 */
#ifndef MTO_STORE_DIALECT_H
#define MTO_STORE_DIALECT_H

#include <apr_dbd.h>

/* The SQL dialect of an open connection, for mto_statement_sql: the
 * driver's name ("sqlite3", "pgsql", "mysql"), except with the odbc
 * driver, where the database behind it decides (ODBC's SQL_DBMS_NAME):
 * "tsql" for Microsoft SQL Server, "pgsql", "mysql" (MariaDB, MySQL) or
 * "sqlite3"; "odbc" for any other (the statements common to every
 * dialect). */
const char *mto_sql_dialect(const apr_dbd_driver_t *driver, apr_dbd_t *handle);

/* The DBMS name an ODBC connection reports, or NULL (not odbc, or unknown). */
const char *mto_odbc_dbms_name(const apr_dbd_driver_t *driver, apr_dbd_t *handle, apr_pool_t *p);

/* The "random" argument of apr_dbd_pselect for this driver; the rows are
 * then read in order (apr_dbd_get_row with -1) to the end.  pgsql: 1, its
 * asynchronous results report a failed query as "no rows".  mysql: 0, its
 * random results answer "no row" to -1.  odbc: 0, random asks for a
 * scrollable cursor that some ODBC drivers do not have.  sqlite3: either. */
int mto_dbd_random(const apr_dbd_driver_t *driver);

/* A query's rv, except that apr_dbd_odbc's failure for a statement that
 * changed no row (ODBC answers SQL_NO_DATA, which it counts as an error)
 * is success with *nrows 0. */
int mto_dbd_query_rv(const apr_dbd_driver_t *driver, apr_dbd_t *handle, int rv, int *nrows);

#endif /* MTO_STORE_DIALECT_H */
