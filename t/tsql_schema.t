# The SQL Server schema (mod_mytimetable_oauth/schema/tsql.sql, docs/databases.md
# "MyTimetable on SQL Server"): no SQL Server runs here, so each of its
# statements, split as the admin tool's init splits them, is parsed as T-SQL
# by node-sql-parser (npm, t/node/); so is a broken statement, which must
# fail.  It creates the same tables as the other schemas.
#
# npm ci installs t/node/node_modules when node-sql-parser is missing.
# Skips when node or npm is not installed, or npm cannot reach its registry.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use JSON ();
use MTO::Node;

plan skip_all => 'runs once per build/test, in the SQLite run: it reads files only'
    if ($ENV{MTO_DBD_DRIVER} // 'sqlite3') ne 'sqlite3';

my $top = Apache::Test::vars('top_dir');
node_tools_present();
npm_ci_unless('node-sql-parser');

# The schema's statements as tool_db.c splits them: comments out, on ';'.
sub statements {
    my ($file) = @_;
    open my $fh, '<', $file or die "$file: $!\n";
    my $sql = join '', map { s/--.*//r } <$fh>;
    return grep { /\S/ } map { s/^\s+|\s+$//gr } split /;/, $sql;
}

sub tables { my %t = map { /CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)/i ? (lc $1 => 1) : () } @_; [sort keys %t] }

my @stmts = statements("$top/mod_mytimetable_oauth/schema/tsql.sql");
my $broken = "IF OBJECT_ID(N'x', N'U') IS NULL CREATE TABLE x (a BIGINT NOT NULL DEFAULT)";
my ($status, $out, $err) = run_in_node_dir({ stdin => JSON->new->encode([@stmts, $broken]) },
                                           'node', 'tsql_parse.mjs');
is $status, 0, 'node-sql-parser ran' or diag $err;
my $results = eval { JSON->new->decode($out) } || [];
is scalar @$results, @stmts + 1, 'an answer for every statement';
ok !$results->[-1]{ok}, 'a broken statement does not parse (the check can fail)';
for my $i (0 .. $#stmts) {
    my $what = substr($stmts[$i] =~ s/\s+/ /gr, 0, 70);
    ok $results->[$i]{ok}, "parses as T-SQL: $what" or diag $results->[$i]{error};
}
is_deeply tables(@stmts), tables(statements("$top/mod_mytimetable_oauth/schema/pgsql.sql")),
    'the same tables as the PostgreSQL schema';
cmp_ok scalar(grep { /^IF OBJECT_ID\(N'\w+', N'U'\) IS NULL\s+CREATE TABLE/ } @stmts), '==',
    scalar @{ tables(@stmts) }, 'every table is created only if it is missing';

done_testing();
