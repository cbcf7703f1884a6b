# SECURITY.md keeps its promise: every row of its requirement tables either
# names a test that exists, or says why there is none ("not applicable" or
# "known limit").  A test is named as `t/file`: `part of a check's name` (or,
# for checks a helper makes, of the helper's call), and
# that part must appear in the file as it is (so a renamed or deleted check
# shows here).  No server needed.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use MTO::Test;

my $top = Apache::Test::vars('top_dir');
my $doc = "$top/SECURITY.md";
open my $fh, '<', $doc or die "$doc: $!\n";
my @lines = <$fh>;
close $fh;

# The text of a test file as its check names read: \' is a quote there.
my %source;
sub source_of {
    my ($path) = @_;
    return $source{$path} //= do {
        open my $t, '<', "$top/$path" or return undef;
        local $/;
        my $text = <$t>;
        $text =~ s/\\'/'/g;
        $text;
    };
}

# The rows of the tables whose header is "| requirement |" or "| threat ...".
my (@rows, $in_table);
for my $i (0 .. $#lines) {
    my $line = $lines[$i];
    if ($line =~ /^\|\s*(requirement|threat)\b/) { $in_table = 1; next }
    if ($line !~ /^\|/)                          { $in_table = 0; next }
    next if !$in_table || $line =~ /^\|\s*-+\s*\|/;
    push @rows, [$i + 1, $line];
}
cmp_ok scalar(@rows), '>=', 80, 'SECURITY.md has its requirement tables (80 rows at least)';

my ($refs, @bad) = (0);
for my $row (@rows) {
    my ($n, $line) = @$row;
    chomp $line;
    my @cells = split /\s*\|\s*/, $line;
    shift @cells;                               # before the first |
    my ($req) = $cells[0] =~ /^(§[\d.\/§]+)/;
    my $what = "line $n (" . ($req // substr($cells[0] // '', 0, 30)) . ')';
    if (@cells != 3) {
        push @bad, "$what: " . scalar(@cells) . ' cells, not 3';
        next;
    }
    my $shown = $cells[2];
    my $reason = $shown =~ /\*\*(not applicable|known limit)\*\*/;
    my ($file, $tests);
    for my $code ($shown =~ /`([^`]+)`/g) {
        if ($code =~ m{^t/\S+\.(t|c|pm)$}) {
            $file = $code;
            push @bad, "$what: $file does not exist" unless -f "$top/$file";
            $tests++;
            next;
        }
        if (!defined $file) {
            push @bad, "$what: `$code` comes before any test file";
            next;
        }
        my $text = source_of($file) // next;
        $refs++;
        push @bad, "$what: no check '$code' in $file" if index($text, $code) < 0;
    }
    push @bad, "$what: neither a test nor a stated reason" unless $tests || $reason;
}
is_deeply \@bad, [], 'every row names existing tests and checks, or states why it has none'
    or diag join "\n", @bad;
cmp_ok $refs, '>=', 100, 'the rows name checks by name (100 at least)';

# The limits the rows point to exist.
my %limits = map { /^(\d+)\. \*\*/ ? ($1 => 1) : () } @lines;
my @dangling;
for my $row (@rows) {
    my ($n, $line) = @$row;
    while ($line =~ /§1 items? ([\d, and]+)/g) {
        push @dangling, "line $n: §1 item $_" for grep { !$limits{$_} } $1 =~ /(\d+)/g;
    }
}
is_deeply \@dangling, [], 'every "§1 item N" a row names is a known limit in §1';

done_testing();
