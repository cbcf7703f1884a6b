# A database outage fails fast (README "Database down"): after a connection
# could not be opened, the database is marked down in that httpd process for
# a second, and every request that needs it meanwhile gets its 503 at once,
# without trying (and sleeping through the retries) again; one request per
# process and second tries.  The error log
# gets one MTO0040 line per process and second, and service comes back by
# itself once the database does, without a restart.  The db_down_fast
# virtual host (t/conf/db_down_fast.conf.in) has an SQLite file of its own,
# made unreadable (MTO::Test::sqlite_unreadable) and then restored.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use Time::HiRes ();
use Time::Local ();
use MTO::Test;

my @SECRETS;
my $db = Apache::Test::vars('t_dir') . '/db/down_fast/oauth.db';  # as in the .conf.in

sub junk_token { join '', map { ('A' .. 'Z', 'a' .. 'z', 0 .. 9)[rand 62] } 1 .. 43 }

# A request and how long it took (seconds).
sub timed {
    my ($send) = @_;
    my $t0 = [Time::HiRes::gettimeofday()];
    my $res = $send->();
    return ($res, Time::HiRes::tv_interval($t0));
}

# The MTO0040 lines since $mark as [pid, seconds since the epoch].
my %MONTH = (Jan => 0, Feb => 1, Mar => 2, Apr => 3, May => 4, Jun => 5, Jul => 6, Aug => 7,
             Sep => 8, Oct => 9, Nov => 10, Dec => 11);

sub down_lines {
    my ($mark) = @_;
    my @out;
    for (error_log_since($mark)) {
        next unless /MTO0040: /;
        my ($mon, $day, $h, $m, $s, $us, $year, $pid) =
            /^\[\w+ (\w+) (\d+) (\d+):(\d+):(\d+)\.(\d+) (\d+)\].*\[pid (\d+)/ or next;
        push @out, [$pid, Time::Local::timelocal($s, $m, $h, $day, $MONTH{$mon}, $year) + $us / 1e6];
    }
    return @out;
}

sqlite_db_create($db);
Apache::TestRequest::module('db_down_fast');
my $client = add_client(driver => 'sqlite3', params => $db, autoapprove => 'true');
push @SECRETS, $client->{secret};
ok eval { obtain_token(client => $client)->{access_token} }, 'before: a whole flow works' or diag $@;

# --- the outage ----------------------------------------------------------------

sqlite_unreadable($db);
my $mark = error_log_mark();
my $slow_limit = time_budget(0.1);
my (@codes, @slow);
my $t_start = [Time::HiRes::gettimeofday()];
for my $i (1 .. 40) {
    my ($res, $took) = timed(sub { GET '/cache-gate/token', Authorization => 'Bearer ' . junk_token() });
    push @codes, $res->code;
    push @slow, sprintf('%d: %.0f ms', $i, $took * 1000) if $took > $slow_limit;
    Time::HiRes::sleep(0.06);
}
my $spent = Time::HiRes::tv_interval($t_start);
is join(' ', sort { $a <=> $b } keys %{ { map { $_ => 1 } @codes } }), '503',
    'during the outage: 40 junk tokens at the gate, every one answered 503';
my @lines = down_lines($mark);
my %pids = map { $_->[0] => 1 } @lines;
ok scalar(@lines), 'the error log says the database is unreachable (MTO0040)';
# The one request per process and second that tries retries while the
# failures are quick (store/dbd.c); every other one answers at once.
cmp_ok scalar(@slow), '<=', scalar(@lines),
    "no more slow answers (over ${slow_limit} s) than tries, one per process and second"
    or diag "slow: @slow";
# Each httpd process that gets one of the 40 pays its own try per second,
# so how many are fast depends on how many processes the pool spreads them
# over (the test server closes connections): one try per process and second
# is what the check above bounds.  Without the down mark every one is slow.
cmp_ok 40 - scalar(@slow), '>=', 10, 'many answered at once' or diag "slow: @slow";

my @too_close;
my %last;
for my $l (sort { $a->[1] <=> $b->[1] } @lines) {
    my ($pid, $t) = @$l;
    push @too_close, sprintf('pid %d: %.3f s apart', $pid, $t - $last{$pid})
        if defined $last{$pid} && $t - $last{$pid} < 0.9;
    $last{$pid} = $t;
}
is_deeply \@too_close, [], 'one MTO0040 line per process and second at most';
cmp_ok scalar(@lines), '<=', scalar(keys %pids) * (int($spent) + 2),
    sprintf('%d lines over %.1f s from %d process(es)', scalar(@lines), $spent, scalar(keys %pids));

my $code = eval { obtain_code(client => $client)->{code} };
ok !$code, 'during the outage no code is issued either';
my ($res, $took) = timed(sub {
    POST '/oauth/token', [grant_type => 'client_credentials', client_id => $client->{id},
                          client_secret => $client->{secret}] });
is $res->code, 503, 'the token endpoint answers 503 too';

# --- the recovery -----------------------------------------------------------------

my $back = [Time::HiRes::gettimeofday()];
sqlite_readable();          # (which waits out the down interval)
my $status;
while (1) {
    $status = GET('/cache-gate/token', Authorization => 'Bearer ' . junk_token())->code;
    last if $status != 503 || Time::HiRes::tv_interval($back) > time_budget(5);
    Time::HiRes::sleep(0.05);
}
is $status, 401, 'database back: a junk token gets its 401 again, without an httpd restart';
cmp_ok Time::HiRes::tv_interval($back), '<', time_budget(3),
    'within the down interval and a little (under 3 s)';
my $token = eval { obtain_token(client => $client)->{access_token} };
push @SECRETS, $token if $token;
ok $token, 'database back: a whole flow works' or diag $@;
$token //= '';
is GET('/cache-gate/token', Authorization => "Bearer $token")->code, 200,
    'database back: the new token opens the gate';

is_deeply [map { log_grep($_) } @SECRETS], [], 'no secret of this test in any log';
Apache::TestRequest::module('default');
done_testing();
