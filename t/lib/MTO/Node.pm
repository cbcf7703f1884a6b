package MTO::Node;
# The suite's Node.js programs in t/node/ (its package.json and committed
# package-lock.json): t/native_app.t and t/tsql_schema.t.
#
#   node_tools_present();                 # skips the test without node or npm
#   npm_ci_unless('oauth4webapi');        # npm ci when that module is missing
#   my ($status, $out, $err) = run_in_node_dir({ env => {...}, stdin => '...' }, @cmd);
use strict;
use warnings;

use Exporter 'import';
use Apache::Test ();
use File::Temp ();
use Test::More;

our @EXPORT = qw(node_tools_present npm_ci_unless run_in_node_dir);

my $DIR = Apache::Test::vars('top_dir') . '/t/node';

sub _have { my ($cmd) = @_; return !system "command -v $cmd >/dev/null 2>&1" }

sub node_tools_present {
    plan skip_all => 'node is not installed (Debian package nodejs)' unless _have('node');
    plan skip_all => 'npm is not installed (Debian package npm)' unless _have('npm');
}

# @cmd run in t/node with a time limit, its environment extended by
# $opt->{env} and $opt->{stdin} on its standard input: (exit status, stdout,
# stderr).  Standard error goes to a temporary file outside t/logs: an error
# could quote a token.
sub run_in_node_dir {
    my ($opt, @cmd) = @_;
    my ($in, $err) = (File::Temp->new, File::Temp->new);
    print {$in} $opt->{stdin} // '';
    close $in;
    my $env = $opt->{env} // {};
    local @ENV{ keys %$env } = values %$env;
    open my $out, '-|', 'sh', '-c', 'in=$0 err=$1; cd "$2" && shift 2 && exec timeout 120 "$@" <"$in" 2>"$err"',
        "$in", "$err", $DIR, @cmd or die "MTO::Node: @cmd: $!\n";
    my $stdout = do { local $/; <$out> } // '';
    close $out;
    my $status = $?;
    my $stderr = do { local (@ARGV, $/) = ("$err"); <> } // '';
    return ($status, $stdout, $stderr);
}

# npm ci in t/node unless node_modules/$module is there; skips the test when
# npm cannot reach its registry, dies on any other failure.
sub npm_ci_unless {
    my ($module) = @_;
    return if -d "$DIR/node_modules/$module";
    my ($status, $out, $err) = run_in_node_dir({}, qw(npm ci --no-audit --no-fund --prefer-offline));
    return unless $status;
    plan skip_all => "npm ci could not reach the npm registry: $1"
        if $err =~ /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH)\b/;
    die "npm ci in t/node failed:\n$out$err";
}

1;
