package MTO::DB;
# The command line client that runs SQL on the test database of each driver,
# for t/TEST (a fresh database) and MTO::Test::db_sql.  Output: one line per
# row, columns separated by a tab.
#   sqlite3  the sqlite3 CLI on the file MTO_DBD_PARAMS
#   pgsql    psql with MTO_DBD_PARAMS (libpq's key=value form)
#   mysql    mariadb with MTO_DBD_PARAMS' host, port, user, pass, dbname
#   odbc     psql with MTO_ODBC_PG: the PostgreSQL behind build/test's
#            ODBC data source (MTO_DBD_PARAMS names the data source)
use strict;
use warnings;

use Exporter 'import';
our @EXPORT_OK = qw(sql_command schema_file);

# sql_command($driver, $params): (\@command, \%environment).  The command
# reads the SQL on its standard input.
sub sql_command {
    my ($driver, $params) = @_;
    if ($driver eq 'sqlite3') {
        return ([qw(sqlite3 -batch -bail -cmd), '.timeout 10000', '-separator', "\t", $params], {});
    }
    if ($driver eq 'pgsql' || $driver eq 'odbc') {
        my $conninfo = $driver eq 'odbc' ? $ENV{MTO_ODBC_PG} : $params;
        die "MTO::DB: MTO_ODBC_PG is not set (build/test sets it for odbc)\n" unless $conninfo;
        return ([qw(psql -X -q -A -t -F), "\t", qw(-v ON_ERROR_STOP=1 -d), $conninfo], {});
    }
    if ($driver eq 'mysql') {
        my %p = $params =~ /(\w+)=(\S+)/g;
        # --raw: values as they are (no \t or \n escapes); the password in
        # the environment, not on a command line that ps shows.
        return ([qw(mariadb --no-defaults --batch --raw --skip-column-names),
                 '-h', $p{host} // '127.0.0.1', '-P', $p{port} // 3306, '-u', $p{user} // '',
                 '-D', $p{dbname} // ''], { MYSQL_PWD => $p{pass} // '' });
    }
    die "MTO::DB: no SQL client for the driver '$driver'\n";
}

# schema_file($top, $driver): the schema init runs for the driver's database.
sub schema_file {
    my ($top, $driver) = @_;
    my $dialect = $driver eq 'odbc' ? 'pgsql' : $driver;
    return "$top/mod_mytimetable_oauth/schema/$dialect.sql";
}

1;
