# Restarts under load (docs/failure-behaviour.md): `httpd -k graceful`, then
# `-k graceful-stop` and `-k start`, while a few clients run whole flows
# (authorize, token, gate) and gate requests against the faults virtual
# host (t/conf/faults.conf.in: shmcb, which every generation starts empty).
#  * A graceful restart loses nothing: every request gets its normal answer,
#    none is refused or cut off.
#  * graceful-stop lets the requests in progress finish; until the new
#    server listens, connections are refused.  The clients send those
#    requests again (a refused connection carried nothing, so no code can
#    have been used by it); they are counted, and only that gap has them.
#    Connections queued on the listening socket but not yet accepted when
#    graceful-stop closes it are reset by the kernel: counted too, allowed
#    only at that moment, and a token request among them is shown not to
#    have been processed (its code redeems afterwards, once).
#  * No code is redeemed twice (no MTO0014 replay, no code with two tokens);
#    the module logs no error or warning through all of it.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use Time::HiRes ();
use MTO::Test;
use MTO::Httpd;
use MTO::Load;

plan skip_all => 'runs once per build/test, in the SQLite run: a graceful restart under load does not depend on the database (t/fault_kill_child.t and t/code_race.t run on each)'
    if ($ENV{MTO_DBD_DRIVER} // 'sqlite3') ne 'sqlite3';

Apache::TestRequest::module('faults');
my $client = add_client(autoapprove => 'true');
my $gate_token = obtain_token(client => $client)->{access_token};
my $first = httpd_pid();
ok $first, 'httpd runs';

my $mark = error_log_mark();
my $load = MTO::Load->start(client => $client, token => $gate_token, workers => 4,
                            retry_refused => 1, mix => [qw(flow gate)]);
Time::HiRes::sleep(1.5);

# --- graceful ---------------------------------------------------------------------
my $restart_mark = error_log_mark();
ok httpd_ctl('graceful'), 'httpd -k graceful';
ok httpd_wait_generation($restart_mark), 'the new generation resumed normal operations';
is httpd_pid(), $first, 'the same parent';
Time::HiRes::sleep(1.5);

# --- graceful-stop, start ----------------------------------------------------------
my $stop_at = Time::HiRes::time();
ok httpd_ctl('graceful-stop'), 'httpd -k graceful-stop';
ok httpd_wait_gone($first), 'the old server finished its requests and exited';
ok httpd_ctl('start'), 'httpd -k start';
ok httpd_wait_up(), 'the new server listens';
my $up_at = Time::HiRes::time();
my $second;
Time::HiRes::sleep(0.05) until ($second = httpd_pid()) || Time::HiRes::time() > $up_at + 10;
ok $second && $second != $first, 'a new parent';
Time::HiRes::sleep(1.5);
my @ops = $load->finish;
my @lines = error_log_since($mark);     # before this test presents codes again itself
note MTO::Load::summary(@ops);

# --- what the clients saw -----------------------------------------------------------

# Connections the kernel had queued on the listening socket but the old
# server had not accepted yet are reset when graceful-stop closes it
# (httpd's, not the module's: the request never reached httpd).  Those are
# the only failures allowed, and only at that moment.
my $cut = sub { $_->{status} == 0 && $_->{t} > $stop_at - time_budget(0.5) && $_->{t} < $up_at };
my @failed = grep { !$cut->() } MTO::Load::failures(@ops);
my @reset = grep { $cut->() } MTO::Load::failures(@ops);
is_deeply [map { sprintf "%s/%s: %s %s (began %.2f s after graceful-stop)", $_->{op}, $_->{step},
                 $_->{status}, $_->{error} // '', $_->{t} - $stop_at } @failed], [],
    'zero failed requests: every one of ' . scalar(@ops) . ' operations succeeded, but for '
    . scalar(@reset) . ' connections reset at graceful-stop';
cmp_ok scalar(@reset), '<=', 4, 'at most one reset per client';
for my $op (grep { $_->{step} eq 'token' } @reset) {
    my $redeem = sub {
        POST('/oauth/token', [grant_type => 'authorization_code', code => $op->{code},
            redirect_uri => 'http://localhost/cb', client_id => $client->{id},
            client_secret => $client->{secret}])->code;
    };
    is $redeem->() . ' ' . $redeem->(), '200 400',
        'a token request reset at graceful-stop had not been processed: its code redeems now, once';
}
my @retried = grep { $_->{retries} } @ops;
my $retries = 0;
$retries += $_->{retries} for @retried;
note "$retries connections refused (and sent again) in " . scalar(@retried)
    . ' operations, between graceful-stop and start';
# An operation retried is one that was under way when the old server closed
# its listener: it began before the new server was up.
is_deeply [map { sprintf '%s started %.2f s after the start', $_->{op}, $_->{t} - $up_at }
           grep { $_->{t} > $up_at } @retried], [],
    'connections were refused only in the gap between graceful-stop and start';
is_deeply [map { sprintf '%s started %.2f s before graceful-stop', $_->{op}, $stop_at - $_->{t} }
           grep { $_->{t} < $stop_at - time_budget(1) } @retried], [],
    'none during the graceful restart (nor in operations begun over a second before graceful-stop)';
my @flows = grep { $_->{op} eq 'flow' } @ops;
cmp_ok scalar(@flows), '>=', 10, scalar(@flows) . ' whole flows through the restarts';

# --- no code twice ---------------------------------------------------------------------

my %seen;
my @twice = grep { $seen{ $_->{code} }++ } grep { $_->{code} } @flows;
is_deeply \@twice, [], 'every flow redeemed a code of its own';
is db_value("SELECT COUNT(*) FROM (SELECT code_hash FROM mto_access_token WHERE client_id = '$client->{id}' "
            . "AND code_hash IS NOT NULL GROUP BY code_hash HAVING COUNT(*) > 1) AS twice"), 0,
    'no code has two access tokens';
is_deeply [grep { /MTO0014: / } @lines], [], 'no code was presented twice (no MTO0014)';
is_deeply [grep { /\[mytimetable_oauth:(warn|error|crit|alert|emerg)\]/ } @lines], [],
    'the module logged no warning or error';
is_deeply [grep { /exit signal|AH00052/ } @lines], [], 'no child died of a signal';
is GET('/cache-gate/token', Authorization => "Bearer $gate_token")->code, 200,
    'afterwards: the token of before still opens the gate';

MTO::Load::forget_client($client);
Apache::TestRequest::module('default');
done_testing();
