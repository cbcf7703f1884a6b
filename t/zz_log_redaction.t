# No token, code or secret in any log (README "Security notes"), checked once after the
# whole suite: t/TEST runs the .t files in alphabetical order, so this one
# comes last.  Every access token, refresh token, authorization code, client
# secret, API token, CSRF token and S256 code_verifier the other tests
# handled was recorded by MTO::Test (remember_secret); each is looked for,
# as it is and URL-encoded, in every log the test server and the private
# PostgreSQL wrote.  A failure names the kind of secret, the test that
# recorded it and the log line, never the value.
#
# Not vacuous: with the whole suite, the record must hold at least
# $MIN_SECRETS values and every kind the helpers record, and the scan must
# find a marker that this test itself puts in the access log.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use File::Temp ();
use Apache::TestRequest qw(GET POST);
use File::Basename qw(basename);
use URI::Escape qw(uri_escape);
use MTO::Test;

my $MIN_SECRETS = 50;
my @KINDS = ('access token', 'refresh token', 'authorization code', 'client secret',
             'API token', 'CSRF token', 'PKCE code_verifier');

# The last 64 KiB of a file.
sub log_tail {
    my ($file) = @_;
    open my $fh, '<', $file or return '';
    seek $fh, -65536, 2 or seek $fh, 0, 0;
    local $/;
    return <$fh> // '';
}

my $whole = $ENV{MTO_TEST_WHOLE_SUITE};
my $secrets = recorded_secrets();
plan skip_all => 'no other test ran before this one (run the whole suite: build/test)'
    if !$whole && !%$secrets;

if ($whole) {
    my %kinds = map { $_->{kind} ? ($_->{kind} => 1) : () } values %$secrets;
    cmp_ok scalar(keys %$secrets), '>=', $MIN_SECRETS,
        "the suite recorded at least $MIN_SECRETS secrets (the recorder works)";
    ok $kinds{$_}, "the suite recorded at least one $_" for @KINDS;
}

# needle => what it is ("kind (recorded by test)"); URL-encoded forms too.
# Values a test sent where a log sees them on purpose are left out.
my (%needles, %excused);
while (my ($value, $what) = each %$secrets) {
    if (defined $what->{on_purpose}) {
        $excused{"$what->{test}: $what->{on_purpose}"}++;
        next;
    }
    my $label = ($what->{kind} // 'secret') . " (recorded by $what->{test})";
    $needles{$_} //= $label for $value, uri_escape($value);
}
note "not looked for, $excused{$_} value(s): $_" for sort keys %excused;

# A marker of our own in the access log: proves that the scan reads the logs
# it names and would see a value there.
my $marker = sprintf 'zz-log-redaction-marker-%d-%d', $$, time;
$needles{$marker} = 'the marker';
my $logs_dir = Apache::Test::vars('t_logs');
GET "/$marker";                 # a 404; its line is logged just after the answer
for (1 .. 50) {
    last if index(log_tail("$logs_dir/mto_access_log"), $marker) >= 0;
    select undef, undef, undef, 0.1;
}

my @logs = all_log_files();
ok -s "$logs_dir/error_log" && -s "$logs_dir/mto_access_log",
    'the error log and the access log exist and are not empty';

# One pass over each log by grep -F (Aho-Corasick in C: the suite's logs are
# a hundred MB and its recorded values tens of thousands; a Perl regex of
# them all took minutes).  Needles never hold a newline.
my $list = File::Temp->new;
print {$list} "$_\n" for sort keys %needles;
close $list;

my %marker_found;
local $ENV{LC_ALL} = 'C';     # bytes, and grep's fastest path
for my $file (@logs) {
    my @hits;
    -r $file or do { fail "$file: not readable"; next };
    open my $grep, '-|', 'grep', '-F', '-o', '-n', '-a', '-f', "$list", '--', $file
        or do { fail "grep $file: $!"; next };
    while (my $hit = <$grep>) {
        chomp $hit;
        my ($n, $value) = split /:/, $hit, 2;
        if ($value eq $marker) { $marker_found{$file} = 1; next }
        push @hits, "line $n: " . ($needles{$value} // 'a recorded value');
    }
    close $grep;
    fail "grep $file: exit status " . ($? >> 8) if $? >> 8 > 1;
    is_deeply \@hits, [], 'no recorded token, code or secret in ' . basename($file)
        or diag join "\n", @hits[0 .. ($#hits < 19 ? $#hits : 19)],
                     @hits > 20 ? ('... ' . (@hits - 20) . ' more') : ();
}
ok $marker_found{"$logs_dir/mto_access_log"}, 'the scan finds the marker this test logged';

done_testing();
