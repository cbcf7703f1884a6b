# An httpd child killed with SIGKILL in the middle of flows (docs/failure-behaviour.md):
# the clients it was serving lose their connection and nothing else; every
# authorization code still works at most once (one whose redemption was cut
# off redeems later or is refused as used, never both); the database holds
# no half-written grant (a code is claimed and its tokens stored in one
# transaction, store/write.c: no token without its used code or its refresh
# row, no live refresh token without its access token, no used code without
# its token); httpd replaces the child and the next flows succeed.  The
# faults virtual host (t/conf/faults.conf.in) uses shmcb, so a child may die
# holding the cache's mutex too.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use Digest::SHA qw(sha256_hex);
use List::Util qw(shuffle);
use Time::HiRes ();
use MTO::Test;
use MTO::Httpd;
use MTO::Load;

my $KILLS = 3;

Apache::TestRequest::module('faults');
my $client = add_client(autoapprove => 'true', grant_types => 'authorization_code,refresh_token');
my $q = sub { "'$_[0]'" };
my $cid = $q->($client->{id});
my $gate_token = obtain_token(client => $client)->{access_token};
is GET('/cache-gate/token', Authorization => "Bearer $gate_token")->code, 200,
    'before: a token opens the gate';

# httpd's children that serve requests: mod_cgid's daemon is a child too,
# with one thread where the event MPM's have several.
sub worker_children {
    return grep {
        open my $fh, '<', "/proc/$_/status" or return 0;
        my ($threads) = join('', <$fh>) =~ /^Threads:\s*(\d+)/m;
        ($threads // 0) > 1;
    } httpd_children();
}

my $parent = httpd_pid();
ok $parent, "httpd runs (pid " . ($parent // '?') . ')';
my $mark = error_log_mark();
my $load = MTO::Load->start(client => $client, token => $gate_token, workers => 4,
                            mix => [qw(flow flow gate)]);
my @killed;
for (1 .. $KILLS) {
    Time::HiRes::sleep(1.5);
    my ($victim) = shuffle(worker_children());
    next unless $victim;
    push @killed, $victim if kill 'KILL', $victim;
}
Time::HiRes::sleep(1.5);
my @ops = $load->finish;
is scalar(@killed), $KILLS, "$KILLS children killed with SIGKILL during the load (@killed)";
is httpd_pid(), $parent, 'the parent lives on';

# (httpd logs nothing for a child that died of SIGKILL: it is how it ends
# its own children.)
is_deeply [grep { kill 0, $_ } @killed], [], 'the killed children are gone';
my $until = time + time_budget(10);
Time::HiRes::sleep(0.2) until worker_children() || time > $until;
ok scalar(worker_children()), 'httpd has children serving requests again';

# --- what the clients saw ------------------------------------------------------

my @flows = grep { $_->{op} eq 'flow' } @ops;
my @done = grep { $_->{step} eq 'done' } @flows;
cmp_ok scalar(@done), '>=', 10, scalar(@done) . ' whole flows succeeded during the load';
my @http_fail = grep { $_->{status} != 200 && $_->{status} != 0 } @ops;
is_deeply [map { "$_->{op}/$_->{step}: $_->{status}" } @http_fail], [],
    'no HTTP error answer at all: only connections of a killed child broke'
    or diag MTO::Load::summary(@ops);
my @broken = grep { $_->{status} == 0 } @ops;
cmp_ok scalar(@broken), '<=', 4 * $KILLS,
    scalar(@broken) . ' broken connections, at most one per worker and kill'
    or diag MTO::Load::summary(@ops);
note MTO::Load::summary(@ops);

# --- no half-written grant -------------------------------------------------------

sub count { db_value("SELECT COUNT(*) FROM $_[0]") }
is count("mto_access_token t WHERE t.client_id = $cid AND t.code_hash IS NOT NULL AND NOT EXISTS "
         . "(SELECT 1 FROM mto_code c WHERE c.code_hash = t.code_hash AND c.used_at <> 0)"), 0,
    'no access token whose code is missing or unused';
is count("mto_access_token t WHERE t.client_id = $cid AND t.refresh_hash IS NOT NULL AND NOT EXISTS "
         . "(SELECT 1 FROM mto_refresh_token r WHERE r.token_hash = t.refresh_hash)"), 0,
    'no access token without its refresh token row';
is count("mto_refresh_token r WHERE r.client_id = $cid AND r.rotated_at = 0 AND NOT EXISTS "
         . "(SELECT 1 FROM mto_access_token t WHERE t.refresh_hash = r.token_hash)"), 0,
    'no live refresh token without its access token';
is count("mto_code c WHERE c.client_id = $cid AND c.used_at <> 0 AND NOT EXISTS "
         . "(SELECT 1 FROM mto_access_token t WHERE t.code_hash = c.code_hash)"), 0,
    'no used code without its access token (nothing was replayed yet)';
is count("(SELECT code_hash FROM mto_access_token WHERE client_id = $cid AND code_hash IS NOT NULL "
         . "GROUP BY code_hash HAVING COUNT(*) > 1) AS twice"), 0,
    'no code has two access tokens';
cmp_ok count("mto_access_token WHERE client_id = $cid"), '>=', scalar(@done),
    'every flow that succeeded left its token';

# --- every code at most once ------------------------------------------------------

sub redeem {
    my ($code) = @_;
    return POST '/oauth/token', [grant_type => 'authorization_code', code => $code,
        redirect_uri => 'http://localhost/cb', client_id => $client->{id},
        client_secret => $client->{secret}];
}

my @cut = grep { $_->{step} eq 'token' && $_->{code} } @broken;
for my $op (@cut) {
    my $used = db_value("SELECT used_at FROM mto_code WHERE code_hash = " . $q->(sha256_hex($op->{code})));
    my $first = redeem($op->{code})->code;
    my $expect = $used ? 400 : 200;
    is $first, $expect, 'a code whose redemption was cut off by the kill: '
        . ($used ? 'it had been redeemed, so it is refused now' : 'it had not been, so it redeems now');
    is redeem($op->{code})->code, 400, '... and it is refused the next time';
}
pass('no redemption was cut off by a kill this time (the checks above cover the rest)') unless @cut;
my @sample = (shuffle(@done))[0 .. 2];
is join(' ', map { redeem($_->{code})->code } @sample), '400 400 400',
    'codes redeemed during the load are refused when presented again';

# --- the next flows -----------------------------------------------------------------

my @next = map { eval { obtain_token(client => $client)->{access_token} } } 1 .. 10;
is scalar(grep { defined } @next), 10, 'after the kills: 10 flows in a row succeed';
is GET('/cache-gate/token', Authorization => "Bearer $gate_token")->code, 200,
    'after the kills: the token of before still opens the gate';
my @errors = grep { /\[mytimetable_oauth:(error|crit|alert|emerg)\]/ } error_log_since($mark);
is_deeply \@errors, [], 'the module logged no error through all this';

MTO::Load::forget_client($client);
Apache::TestRequest::module('default');
done_testing();
