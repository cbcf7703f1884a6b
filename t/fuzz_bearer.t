# The libFuzzer target for bearer.c (t/fuzz/fuzz_bearer.c): build/fuzz
# builds it with clang, ASan and UBSan and runs it from the seed corpus
# t/fuzz/corpus/bearer for FUZZ_SECONDS (default 20).  It passes only if
# libFuzzer ends its timed run with no crash, sanitizer report or broken
# invariant (the target aborts on a wrong answer, not only on a crash).
# No server is involved; only a missing clang skips it.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use File::Temp ();
use MTO::Test;

my $top = Apache::Test::vars('top_dir');
my $have_clang = grep { -x "$_/clang" } split /:/, $ENV{PATH} // '';

plan tests => 4, need { 'clang not found (Debian package clang): the libFuzzer target cannot be built'
                        => $have_clang };

my $log = File::Temp->new(TMPDIR => 1);
my $pid = fork // die "fork: $!";
if (!$pid) {
    open STDOUT, '>', $log->filename or exit 127;
    open STDERR, '>&', \*STDOUT or exit 127;
    open STDIN, '<', '/dev/null' or exit 127;
    exec "$top/build/fuzz", 'bearer' or exit 127;
}
waitpid $pid, 0;
my $rc = $? >> 8;
my $out = do { local (@ARGV, $/) = ($log->filename); <> } // '';

my @seeds = glob "$top/t/fuzz/corpus/bearer/*";
my ($runs) = $out =~ /^stat::number_of_executed_units:\s*(\d+)/m;

is $rc, 0, 'build/fuzz builds the bearer target and libFuzzer exits 0';
like $out, qr/^Done \d+ runs in \d+ second/m, 'libFuzzer ran for its whole time budget';
unlike $out, qr/ERROR: (?:AddressSanitizer|UndefinedBehaviorSanitizer|LeakSanitizer|libFuzzer)|runtime error:|^fuzz_bearer: /m,
    'no crash, sanitizer report or broken invariant';
ok defined $runs && $runs > @seeds, 'the target ran beyond the seed corpus'
    or diag "executed units: ", $runs // 'none';

if ($rc != 0 || !defined $runs) {
    my @lines = split /\n/, $out;
    splice @lines, 0, @lines - 40 if @lines > 40;
    diag join "\n", 'last lines of build/fuzz:', @lines;
}
