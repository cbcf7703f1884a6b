# memcached and redis-server stopped during a run of flows and gate
# requests (docs/failure-behaviour.md; README "Caching", MTO0005): every
# request still succeeds, answered from the database, and the module warns
# at most once a minute per httpd process, not once per request; once the
# server is back, the cache is used again without a restart.  The
# servers and virtual hosts are those of t/cache_memcache.t and
# t/cache_redis.t (MTO::SharedCache starts each on its port, stops it by PID).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use Time::HiRes ();
use MTO::Test;
use MTO::Load;
use MTO::SharedCache;

plan skip_all => 'runs once per build/test, in the SQLite run: a cache server stopped under load does not depend on the database'
    if ($ENV{MTO_DBD_DRIVER} // 'sqlite3') ne 'sqlite3';

sub cache_stopped_under_load {
    my (%opt) = @_;
    my $p = $opt{provider};
    my ($why, $bin) = MTO::SharedCache::unavailable(%opt);
    plan skip_all => $why if $why;
    my $dir = MTO::SharedCache::start($bin, %opt);
    pass "$p: $opt{server} listens on 127.0.0.1:$opt{port}";

    Apache::TestRequest::module($opt{vhosts}[0]);
    my $client = add_client(autoapprove => 'true');
    generation_settled();
    my $token = obtain_token(client => $client)->{access_token};
    my $mark = error_log_mark();
    is GET('/cache-gate/token', Authorization => "Bearer $token")->code, 200,
        "$p: a token opens the gate (and is cached in $opt{server})";
    GET('/cache-gate/token', Authorization => "Bearer $token");
    is db_statements($mark, 'mto_token_get'), 1, "$p: the second look-up came from $opt{server}";

    my $load = MTO::Load->start(client => $client, token => $token, workers => 3,
                                mix => [qw(flow gate gate)]);
    Time::HiRes::sleep(1);
    $mark = error_log_mark();
    MTO::SharedCache::stop_server();
    Time::HiRes::sleep(3);
    my @ops = $load->finish;
    note "$p: " . MTO::Load::summary(@ops);

    my @failed = MTO::Load::failures(@ops);
    is_deeply [map { "$_->{op}/$_->{step}: $_->{status}" } @failed], [],
        "$p: every one of " . scalar(@ops) . " operations succeeded, $opt{server} or not";
    my @lines = error_log_since($mark);
    my $from_db = db_statements($mark, 'mto_token_get');
    cmp_ok $from_db, '>', 5, "$p: $opt{server} dead: $from_db token look-ups answered by the database";

    my @warn = grep { /\[mytimetable_oauth:warn\].*MTO0005: cache (read|write) failed / } @lines;
    my %per_pid;
    /\[pid (\d+)/ and $per_pid{$1}++ for @warn;
    ok scalar(@warn), "$p: the module warns (MTO0005)";
    is_deeply [grep { $per_pid{$_} > 1 } sort keys %per_pid], [],
        "$p: at most one MTO0005 warning per process (a minute apart): "
        . join(', ', map { "pid $_: $per_pid{$_}" } sort keys %per_pid);
    my @other = grep { /\[mytimetable_oauth:(warn|error|crit|alert|emerg)\]/ && !/MTO0005: / } @lines;
    is_deeply \@other, [], "$p: and logs no other warning or error";

    # Back: the provider's client library tries a server it marked dead
    # again every 5 s (apr-util's memcache and redis clients), in each child
    # on its own, through a pooled connection that may be one the restart
    # broke.  Nothing needs restarting: within a while, every child uses the
    # cache again.
    MTO::SharedCache::start($bin, %opt);
    my $back = Time::HiRes::time();
    my ($ok, @codes);
    while (!$ok && Time::HiRes::time() < $back + time_budget(60)) {
        Time::HiRes::sleep(1);
        $mark = error_log_mark();
        @codes = map { GET('/cache-gate/token', Authorization => "Bearer $token")->code } 1 .. 10;
        $ok = db_statements($mark, 'mto_token_get') == 0;
    }
    is "@codes", join(' ', (200) x 10), "$p: $opt{server} back: the token still works";
    ok $ok, sprintf '%s: %s back: after %.0f s the cache answers 10 look-ups in a row, '
        . 'without an httpd restart', $p, $opt{server}, Time::HiRes::time() - $back;
    MTO::SharedCache::stop_server();
    MTO::Load::forget_client($client);
    is_deeply [map { log_grep($_) } grep { defined } $token, $client->{secret}], [],
        "$p: no token or secret in any log";
}

subtest 'memcached stopped' => sub { cache_stopped_under_load(%{ $CACHE_SERVERS{memcache} }) };
subtest 'redis-server stopped' => sub { cache_stopped_under_load(%{ $CACHE_SERVERS{redis} }) };
Apache::TestRequest::module('default');
done_testing();
