# The libFuzzer targets t/fuzz/fuzz_NAME.c (form, basic, secret, lists, pkce, grant,
# template, bearer…): build/fuzz builds them with clang, ASan and UBSan, and
# runs each from its seed corpus t/fuzz/corpus/NAME for FUZZ_SECONDS (default
# 3, about 30 s for all of them) into a fresh corpus directory.  A target
# passes only if libFuzzer ends its timed run with no crash, sanitizer
# report, leak, timeout or broken invariant (the targets abort on a wrong
# answer, not only on a crash).
#
# No server and no database are involved, so build/test fuzzes once: the run
# against PostgreSQL skips this file when the one against SQLite has fuzzed
# already.  A missing clang skips it too.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use File::Temp ();
use MTO::Test;

my $top = Apache::Test::vars('top_dir');
my $seconds = $ENV{FUZZ_SECONDS} // 3;
my @targets = grep { $_ ne 'alloc' } map { m{/fuzz_(\w+)\.c$} ? $1 : () } glob "$top/t/fuzz/fuzz_*.c";
my $have_clang = grep { -x "$_/clang" } split /:/, $ENV{PATH} // '';
my $driver = $ENV{MTO_DBD_DRIVER} // '';
my $fuzzed_with_sqlite = $driver eq 'pgsql' && ($ENV{MTO_TEST_DRIVERS} // 'sqlite3 pgsql') =~ /\bsqlite3\b/;

plan tests => 1 + 4 * @targets, need {
    'clang not found (Debian package clang): the fuzz targets cannot be built' => $have_clang,
    'no database involved: the fuzz targets ran in the sqlite3 run already' => !$fuzzed_with_sqlite,
};

# build/fuzz with these arguments: its exit code and its output.
sub build_fuzz {
    my @args = @_;
    my $log = File::Temp->new(TMPDIR => 1);
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        open STDOUT, '>', $log->filename or exit 127;
        open STDERR, '>&', \*STDOUT or exit 127;
        open STDIN, '<', '/dev/null' or exit 127;
        exec "$top/build/fuzz", @args or exit 127;
    }
    waitpid $pid, 0;
    return ($? >> 8, do { local (@ARGV, $/) = ($log->filename); <> } // '');
}

sub show_tail {
    my ($what, $out) = @_;
    my @lines = split /\n/, $out;
    splice @lines, 0, @lines - 40 if @lines > 40;
    diag join "\n", "last lines of $what:", @lines;
}

# What libFuzzer grows stays out of fuzz-build/: every run starts from the seeds.
my $grown = File::Temp->newdir(TMPDIR => 1);
$ENV{FUZZ_CORPUS} = $grown->dirname;

my ($rc, $out) = build_fuzz('--build');
is $rc, 0, 'build/fuzz builds every target with clang, ASan and UBSan' or show_tail('build/fuzz --build', $out);

for my $name (@targets) {
    ($rc, $out) = build_fuzz($name, $seconds);
    my @seeds = glob "$top/t/fuzz/corpus/$name/*";
    my ($runs) = $out =~ /^stat::number_of_executed_units:\s*(\d+)/m;

    is $rc, 0, "$name: libFuzzer exits 0 after ${seconds}s";
    like $out, qr/^Done \d+ runs in \d+ second/m, "$name: libFuzzer ran for its whole time budget";
    unlike $out, qr/ERROR: (?:AddressSanitizer|UndefinedBehaviorSanitizer|LeakSanitizer|libFuzzer)|runtime error:|^broken invariant: /m,
        "$name: no crash, sanitizer report, leak, timeout or broken invariant";
    ok defined $runs && $runs > @seeds, "$name: the target ran beyond its seed corpus"
        or diag "executed units: ", $runs // 'none';
    show_tail("build/fuzz $name", $out) if $rc != 0 || !defined $runs;
}
