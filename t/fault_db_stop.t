# The database server stopped during a run of flows and gate requests
# (docs/failure-behaviour.md; README "Database down", "Caching"):
#  * what needs the database gets 503 (the token endpoint, a token the
#    cache does not know; the authorize endpoint, or its redirect with
#    error=temporarily_unavailable once the client is cached), never a
#    401/400/500 that would read as "unknown token" or "unknown client";
#  * a cached token is served from the cache even when another request
#    holds the cache's lock (cache/cached_store.c asks it again, waiting);
#  * a token the cache holds keeps opening the gate until its entry ends
#    (the faults_ttl virtual host: MyTimetableOAuthCacheTTL 4), then 503;
#  * the error log says what failed once per interval and process
#    (MTO0040), plus at most one MTO0020 per pooled connection that died
#    with the server, not a line per request;
#  * once the server is back, service resumes without an httpd restart.
# For any driver with a server: MTO::DbServer stops and starts it (pg_ctl
# for build/test's private PostgreSQL; MTO_DB_STOP_CMD/MTO_DB_START_CMD for
# any other).  SQLite has no server: t/db_outage.t and t/db_down_fast.t
# make its file unreadable instead.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use Time::HiRes ();
use MTO::Test;
use MTO::Httpd;
use MTO::Load;
use MTO::DbServer;

my $TTL = 4;                    # as in t/conf/faults.conf.in
my $OUTAGE = $TTL + 3;          # seconds of load with the database stopped

plan skip_all => 'DBDriver sqlite3 is embedded: there is no database server to stop '
    . '(t/db_outage.t and t/db_down_fast.t make its file unreadable instead)'
    if ($ENV{MTO_DBD_DRIVER} // 'sqlite3') eq 'sqlite3';
my $why = db_server_unavailable();
plan skip_all => $why if $why;

Apache::TestRequest::module('faults_ttl');
my $client = add_client(autoapprove => 'true');
my $gate = sub { GET '/cache-gate/token', Authorization => "Bearer $_[0]" };
my $redeem = sub {
    POST '/oauth/token', [grant_type => 'authorization_code', code => $_[0],
        redirect_uri => 'http://localhost/cb', client_id => $client->{id},
        client_secret => $client->{secret}];
};

my $unseen = add_token(client => $client->{id});     # valid, never looked up
generation_settled();
my $cached = obtain_token(client => $client)->{access_token};
my $code = obtain_code(client => $client)->{code};
my $parent = httpd_pid();
is $gate->($cached)->code, 200, 'before: a token opens the gate (and is cached from now on)';
my $cached_at = Time::HiRes::time();

# --- the outage -------------------------------------------------------------------

my $mark = error_log_mark();
ok db_server('stop'), "the $ENV{MTO_DBD_DRIVER} server stopped";
my $down_at = Time::HiRes::time();
my $load = MTO::Load->start(client => $client, token => $cached, workers => 3,
                            mix => [qw(flow gate gate)]);
my $res = $gate->($unseen);
is $res->code, 503, 'a token the cache does not know: 503 at the gate';
$res = $redeem->($code);
is $res->code . ' ' . (eval { json_body($res)->{error} } // ''), '503 temporarily_unavailable',
    'the token endpoint: 503 temporarily_unavailable';
# The client is cached: the authorize endpoint gets as far as storing the
# code, and redirects with the error (README "Database down").
$res = GET "/oauth/authorize?response_type=code&client_id=$client->{id}", basic_header(alice => $USERS{alice}),
    redirect_ok => 0;
like $res->code . ' ' . ($res->header('Location') // ''), qr/^302 .*[?&]error=temporarily_unavailable\b/,
    'the authorize endpoint: a redirect with error=temporarily_unavailable';
Time::HiRes::sleep($down_at + $OUTAGE - Time::HiRes::time());
my @ops = $load->finish;
my $up_at = Time::HiRes::time();
ok db_server('start'), "the $ENV{MTO_DBD_DRIVER} server started again";
note MTO::Load::summary(@ops);

my @odd = grep { $_->{status} != 200 && $_->{status} != 503
                 && ($_->{oauth_error} // '') ne 'temporarily_unavailable' } @ops;
is_deeply [map { "$_->{op}/$_->{step}: $_->{status}" } @odd], [],
    'during the outage every answer is a 200, a 503 or a redirect with temporarily_unavailable'
    or diag MTO::Load::summary(@ops);
my @flows_ok = grep { $_->{op} eq 'flow' && $_->{status} == 200 } @ops;
is scalar(@flows_ok), 0, 'no flow gets through without the database';
cmp_ok scalar(grep { $_->{op} eq 'flow' } @ops), '>', 0, 'flows were tried';

# A gate request that began a little (0.5 s, stretched by time_budget) before the entry ended may
# still have been served by it; one that began after it cannot be.
my $ends = $cached_at + $TTL;
my @gate = grep { $_->{op} eq 'gate' } @ops;
my $margin = time_budget(0.5);
my @early = grep { $_->{t} < $ends - $margin } @gate;
my @late = grep { $_->{t} > $ends + $margin } @gate;
cmp_ok scalar(@early), '>', 0, scalar(@early) . ' gate requests with the cached token while its entry lived';
is_deeply [map { $_->{status} } grep { $_->{status} != 200 } @early], [],
    'the cached token opens the gate while its cache entry lives, database or not';
cmp_ok scalar(@late), '>', 0, scalar(@late) . ' gate requests with it after the entry ended';
is_deeply [map { $_->{status} } grep { $_->{status} != 503 } @late], [],
    'after the entry ended: 503, the database being down';

# --- what the log says -------------------------------------------------------------

my @lines = error_log_since($mark);
my (%last, @too_close, %pids);
for (@lines) {
    my ($h, $m, $s, $us, $pid) = /^\[\w+ \w+ \d+ (\d+):(\d+):(\d+)\.(\d+) \d+\].*\[pid (\d+).*MTO0040: /
        or next;
    my $t = $h * 3600 + $m * 60 + $s + $us / 1e6;
    push @too_close, sprintf('pid %d: %.3f s apart', $pid, $t - $last{$pid})
        if defined $last{$pid} && $t - $last{$pid} < 0.9;
    $last{$pid} = $t;
    $pids{$pid}++;
}
my @down = grep { /MTO0040: / } @lines;
my @failed = grep { /MTO0020: / } @lines;
my @mine = grep { /\[mytimetable_oauth:(warn|error|crit|alert|emerg)\]/ } @lines;
my $answered = grep { $_->{status} == 503 } @ops;
ok scalar(@down), scalar(@down) . ' MTO0040 lines say there is no database connection';
is_deeply \@too_close, [], 'one MTO0040 line per process and second at most';
/\[pid (\d+)/ and $pids{$1}++ for @mine;
my $procs = keys %pids;
cmp_ok scalar(@down), '<=', $procs * ($OUTAGE + 3),
    "at most one MTO0040 per process and second ($procs processes, ${OUTAGE} s)";
cmp_ok scalar(@failed), '<=', $procs * 8,
    scalar(@failed) . ' MTO0020 lines: at most one per pooled connection (DBDMax 8 per process)';
cmp_ok scalar(@mine), '<', $answered / 2,
    scalar(@mine) . " lines of the module for $answered answers of 503: not one per request";
is_deeply [grep { !/MTO00(20|21|40): / } @mine], [], 'and nothing but those ids';

# --- the recovery -------------------------------------------------------------------

my $tries = 0;
$res = $redeem->($code);
while ($res->code == 503 && $tries++ < 50) {
    Time::HiRes::sleep(0.2);
    $res = $redeem->($code);
}
is $res->code, 200, 'database back: the code kept through the outage redeems';
Time::HiRes::sleep(1.1);        # past every process's down interval
my @tokens = map { eval { obtain_token(client => $client)->{access_token} } } 1 .. 20;
is scalar(grep { defined } @tokens), 20, 'database back: 20 flows in a row succeed';
is $gate->($unseen)->code, 200, 'database back: the token the cache did not know opens the gate';
is httpd_pid(), $parent, 'without an httpd restart';

MTO::Load::forget_client($client);
Apache::TestRequest::module('default');
done_testing();
