/*
 * dialect.c - a connection's SQL dialect (dialect.h).
 *
 * With DBDriver odbc the SQL to send depends on the database behind the
 * ODBC data source, which only the connection knows: ODBC's SQLGetInfo
 * (SQL_DBMS_NAME) tells it.  The module does not link the ODBC library;
 * apr_dbd loaded it with its odbc driver, so SQLGetInfo is looked up in the
 * process once that driver is there.
 */
#include <dlfcn.h>
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "store/dialect.h"

/* ODBC's SQLGetInfo and SQL_DBMS_NAME (sql.h), without its headers. */
typedef short (*mto_sqlgetinfo_fn)(void *hdbc, unsigned short type, void *value, short buflen,
                                   short *outlen);
#define MTO_SQL_DBMS_NAME 17

static int mto_driver_is(const apr_dbd_driver_t *driver, const char *name)
{
    return !strcmp(apr_dbd_name(driver), name);
}

/* apr-util 1.6's odbc driver calls itself "ODBC_DRIVER_NAME" (a macro its
 * source stringifies once too few times). */
static int mto_driver_is_odbc(const apr_dbd_driver_t *driver)
{
    return mto_driver_is(driver, "odbc") || mto_driver_is(driver, "ODBC_DRIVER_NAME");
}

/* SQLGetInfo of the ODBC library that apr_dbd_odbc brought in: unixODBC's
 * (RTLD_NOLOAD: only if it is loaded already), else any in the process. */
static void *mto_sqlgetinfo(void)
{
    void *lib = dlopen("libodbc.so.2", RTLD_NOW | RTLD_NOLOAD);
    void *fn = lib ? dlsym(lib, "SQLGetInfo") : NULL;

    if (lib) {
        dlclose(lib); /* only drops the reference RTLD_NOLOAD took */
    }
    return fn ? fn : dlsym(RTLD_DEFAULT, "SQLGetInfo");
}

/* The DBMS name into buf, or "" (not odbc, or not known). */
static void mto_odbc_dbms(const apr_dbd_driver_t *driver, apr_dbd_t *handle, char *buf,
                          short size)
{
    mto_sqlgetinfo_fn getinfo;
    short len = 0;

    buf[0] = '\0';
    if (!mto_driver_is_odbc(driver)) {
        return;
    }
    *(void **)&getinfo = mto_sqlgetinfo();
    /* SQL_SUCCESS is 0, SQL_SUCCESS_WITH_INFO (truncated) 1. */
    if (!getinfo
        || (getinfo(apr_dbd_native_handle(driver, handle), MTO_SQL_DBMS_NAME, buf, size, &len)
            & ~1)) {
        buf[0] = '\0';
    }
    buf[size - 1] = '\0';
}

const char *mto_odbc_dbms_name(const apr_dbd_driver_t *driver, apr_dbd_t *handle, apr_pool_t *p)
{
    char name[128];

    mto_odbc_dbms(driver, handle, name, (short)sizeof(name));
    return *name ? apr_pstrdup(p, name) : NULL;
}

/* A DBMS name in any case contains one of these. */
static const struct {
    const char *name_part;
    const char *dialect;
} mto_dbms_dialects[] = {
    { "sql server", "tsql" }, { "postgresql", "pgsql" }, { "mariadb", "mysql" },
    { "mysql", "mysql" },     { "sqlite", "sqlite3" },
};

const char *mto_sql_dialect(const apr_dbd_driver_t *driver, apr_dbd_t *handle)
{
    char name[128];
    size_t i;

    if (!mto_driver_is_odbc(driver)) {
        return apr_dbd_name(driver);
    }
    mto_odbc_dbms(driver, handle, name, (short)sizeof(name));
    for (i = 0; name[i]; i++) {
        name[i] = (char)apr_tolower(name[i]);
    }
    for (i = 0; i < sizeof(mto_dbms_dialects) / sizeof(mto_dbms_dialects[0]); i++) {
        if (strstr(name, mto_dbms_dialects[i].name_part)) {
            return mto_dbms_dialects[i].dialect;
        }
    }
    return "odbc";
}

int mto_dbd_random(const apr_dbd_driver_t *driver)
{
    return !mto_driver_is(driver, "mysql") && !mto_driver_is_odbc(driver);
}

int mto_dbd_query_rv(const apr_dbd_driver_t *driver, apr_dbd_t *handle, int rv, int *nrows)
{
    const char *msg;

    if (rv == 0 || !mto_driver_is_odbc(driver)) {
        return rv;
    }
    msg = apr_dbd_error(driver, handle, rv);
    if (msg && strstr(msg, "SQLExecute returned SQL_NO_DATA")) {
        *nrows = 0;
        return 0;
    }
    return rv;
}
