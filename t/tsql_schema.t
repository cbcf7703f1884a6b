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
use File::Temp ();
use JSON ();

plan skip_all => 'runs once per build/test, in the SQLite run: it reads files only'
    if ($ENV{MTO_DBD_DRIVER} // 'sqlite3') ne 'sqlite3';

my $top = Apache::Test::vars('top_dir');
my $dir = "$top/t/node";
sub have { my ($cmd) = @_; return !system "command -v $cmd >/dev/null 2>&1" }
plan skip_all => 'node is not installed (Debian package nodejs)' unless have('node');
plan skip_all => 'npm is not installed (Debian package npm)' unless have('npm');

# @cmd run in t/node with $stdin, bounded: (exit status, stdout, stderr).
sub run_in_node_dir {
    my ($stdin, @cmd) = @_;
    my ($in, $err) = (File::Temp->new, File::Temp->new);
    print {$in} $stdin;
    close $in;
    open my $out, '-|', 'sh', '-c', 'cd "$1" && shift && exec timeout 120 "$@" <"$0" 2>"$ERR"',
        "$in", $dir, @cmd or die "t/tsql_schema.t: @cmd: $!\n";
    my $stdout = do { local $/; <$out> } // '';
    close $out;
    my $status = $?;
    my $stderr = do { local (@ARGV, $/) = ("$err"); <> } // '';
    return ($status, $stdout, $stderr);
}

unless (-d "$dir/node_modules/node-sql-parser") {
    local $ENV{ERR} = '/dev/null';
    my ($status, $out, $err) = run_in_node_dir('', qw(npm ci --no-audit --no-fund --prefer-offline));
    if ($status) {
        plan skip_all => 'npm ci could not reach the npm registry' if $err eq '' || $err =~
            /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH)\b/;
        die "t/tsql_schema.t: npm ci in t/node failed:\n$out$err";
    }
}

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
my $err_file = File::Temp->new;
local $ENV{ERR} = "$err_file";
my ($status, $out) = run_in_node_dir(JSON->new->encode([@stmts, $broken]), 'node', 'tsql_parse.mjs');
is $status, 0, 'node-sql-parser ran' or diag do { local (@ARGV, $/) = ("$err_file"); <> };
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
