# The status page (mytimetable-oauth-status, docs/status.md): Prometheus
# text of counters summed over every child of httpd since it started.
# t/conf/status.conf.in puts it at /oauth/status for 127.0.0.1 only.
#
# The page is read, known traffic is sent (authorize outcomes, tokens
# issued and refused, gate decisions, a client authentication throttled,
# cache look-ups, a database that cannot be opened), the page is read
# again, and every counter must have moved by exactly what was sent and no
# other.  Each request goes on a connection of its own; a graceful restart
# in the middle replaces every child, so the counts of two generations of
# processes (their PIDs logged by status.conf.in) must add up.  Also: HEAD,
# 405 for other methods, Require ip, and nothing secret on the page.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use HTTP::Request::Common ();
use LWP::UserAgent ();
use Time::HiRes ();
use MTO::Test;

my $STATUS = '/oauth/status';
my $TYPE = 'text/plain; version=0.0.4; charset=utf-8';
my $P = 'mytimetable_oauth_';

# The page's samples: {"name{labels}" => value}.  Dies unless it is a 200
# of the Prometheus text format.
sub scrape {
    my $res = GET $STATUS;
    die "GET $STATUS: " . $res->code . "\n" . $res->content unless $res->code == 200;
    my %v;
    for (split /\n/, $res->content) {
        next if /^# (?:HELP|TYPE) /;
        /^(\w+(?:\{[^}]*\})?) (\d+)\z/ or die "not a sample line: $_\n";
        $v{$1} = $2;
    }
    return \%v;
}

# What moved between two scrapes: {sample => difference}.
sub delta {
    my ($before, $after) = @_;
    my %d;
    for (keys %$after) {
        my $n = $after->{$_} - ($before->{$_} // 0);
        $d{$_} = $n if $n;
    }
    return \%d;
}

my %expect;    # sample => how much the traffic below must move it
sub sent { my ($sample, $n) = @_; $expect{"$P$sample"} += $n // 1 }

# --- the page itself -----------------------------------------------------------

my $res = GET $STATUS;
is $res->code, 200, 'GET: 200';
is $res->header('Content-Type'), $TYPE, "GET: Content-Type $TYPE";
my $page = $res->content;
my @metrics = $page =~ /^# TYPE (\w+) counter$/mg;
is scalar(@metrics), 7, 'seven metrics, each a counter';
is scalar(grep { /^mytimetable_oauth_\w+_total\z/ } @metrics), 7,
   'each named mytimetable_oauth_…_total';
is scalar(() = $page =~ /^# HELP mytimetable_oauth_\w+_total \S/mg), 7, 'each has its # HELP line';
my @SAMPLES = (
    'authorize_total{outcome="code_issued"}',
    'authorize_total{outcome="consent_shown"}',
    'authorize_total{outcome="denied"}',
    'authorize_total{outcome="error",error="unsupported_response_type"}',
    'authorize_total{outcome="error_page",status="400"}',
    'tokens_issued_total{grant_type="authorization_code"}',
    'tokens_issued_total{grant_type="refresh_token"}',
    'token_errors_total{error="invalid_grant"}',
    'token_errors_total{error="invalid_client"}',
    'gate_decisions_total{outcome="allowed"}',
    'gate_decisions_total{outcome="400"}',
    'gate_decisions_total{outcome="401"}',
    'gate_decisions_total{outcome="403"}',
    'gate_decisions_total{outcome="503"}',
    'cache_lookups_total{result="hit"}',
    'cache_lookups_total{result="miss"}',
    'database_errors_total{kind="connection"}',
    'database_errors_total{kind="statement"}',
    'client_auth_throttled_total',
);
for my $sample (@SAMPLES) {
    like $page, qr/^\Q$P$sample\E \d+$/m, "the page has $sample";
}

$res = Apache::TestRequest::HEAD($STATUS);
is $res->code, 200, 'HEAD: 200';
is $res->header('Content-Type'), $TYPE, 'HEAD: the same Content-Type';
is $res->content, '', 'HEAD: no body';

for my $m (qw(POST PUT)) {
    my $send = Apache::TestRequest->can($m);
    $res = $send->($STATUS, content => 'x=1');
    is $res->code, 405, "$m: 405";
    is $res->header('Allow'), 'GET, HEAD', "$m: Allow: GET, HEAD";
}

my $other = LWP::UserAgent->new(keep_alive => 0, local_address => '127.0.0.2', timeout => 30);
$res = $other->get('http://' . Apache::TestRequest::hostport() . $STATUS);
is $res->code, 403, 'from 127.0.0.2: 403 (Require ip 127.0.0.1 ::1)';

# --- known traffic, first generation of children ------------------------------

my $before = scrape();
my $pids_mark = -s pids_log() // 0;

# Authorize: a consent page and a code, a denial, an error redirect and an
# error page.  Then the code's token, and a refresh.
my $client = add_client(grant_types => 'authorization_code,refresh_token',
                        scope => 'profile_read,alltimetables,messages_read');
my $tok = obtain_token(client => $client, scope => 'profile_read');
sent('authorize_total{outcome="consent_shown"}');
sent('authorize_total{outcome="code_issued"}');
sent('tokens_issued_total{grant_type="authorization_code"}');
$res = POST '/oauth/token', [grant_type => 'refresh_token', refresh_token => $tok->{refresh_token},
                             client_creds($client)];
is $res->code, 200, 'a refresh: 200';
my $refreshed = json_body($res);
sent('tokens_issued_total{grant_type="refresh_token"}');

my $denier = add_client();
my $url = authorize_url(response_type => 'code', client_id => $denier->{id},
                        redirect_uri => 'http://localhost/cb', state => 's1');
$res = GET $url, basic_header(alice => $USERS{alice}), redirect_ok => 0;
is $res->code, 200, 'another client: the consent page';
sent('authorize_total{outcome="consent_shown"}');
$res = approve_consent($res, 0, 'alice', $USERS{alice}, $url);
is location_params($res)->{error}, 'access_denied', 'Deny: access_denied';
sent('authorize_total{outcome="denied"}');

$res = GET authorize_url(response_type => 'token', client_id => $client->{id},
                         redirect_uri => 'http://localhost/cb'),
           basic_header(alice => $USERS{alice}), redirect_ok => 0;
is location_params($res)->{error}, 'unsupported_response_type',
   'response_type=token: an error redirect';
sent('authorize_total{outcome="error",error="unsupported_response_type"}');
$res = GET authorize_url(response_type => 'code', client_id => "no-such-client-$$"),
           basic_header(alice => $USERS{alice}), redirect_ok => 0;
is $res->code, 400, 'an unknown client: the 400 page';
sent('authorize_total{outcome="error_page",status="400"}');

# Token endpoint errors.
$res = POST '/oauth/token', [grant_type => 'authorization_code', code => 'no-such-code',
                             redirect_uri => 'http://localhost/cb', client_creds($client)];
oauth_error_is($res, 400, 'invalid_grant', 'an unknown code');
sent('token_errors_total{error="invalid_grant"}');
$res = POST '/oauth/token', [grant_type => 'password', client_creds($client)];
oauth_error_is($res, 400, 'unsupported_grant_type', 'grant_type=password');
sent('token_errors_total{error="unsupported_grant_type"}');
$res = POST '/oauth/token', [grant_type => 'authorization_code', code => 'x',
                             client_id => $client->{id}, client_secret => 'wrong'];
oauth_error_is($res, 401, 'invalid_client', 'a wrong secret');
sent('token_errors_total{error="invalid_client"}');

# Gate decisions: a static file behind Require oauth-scope profile_read
# (/gate/static), and one that also needs messages_read (/gate/all).
my $reader = add_token(client => $client->{id}, scope => 'profile_read');
my ($N, $M, $K) = (12, 7, 5);
my %codes;
$codes{ GET('/gate/static', Authorization => "Bearer $reader")->code }++ for 1 .. $N;
$codes{ GET('/gate/static')->code }++ for 1 .. 4;
$codes{ GET('/gate/static', Authorization => 'Bearer no-such-token-' . $_)->code }++
    for 1 .. $M - 4;
$codes{ GET('/gate/all', Authorization => "Bearer $reader")->code }++ for 1 .. $K;
$codes{ GET("/gate/static?access_token=$reader", Authorization => "Bearer $reader")->code }++;
is_deeply \%codes, { 200 => $N, 401 => $M, 403 => $K, 400 => 1 },
          "gate: $N allowed, $M 401, $K 403, one 400";
sent('gate_decisions_total{outcome="allowed"}', $N);
sent('gate_decisions_total{outcome="401"}', $M);
sent('gate_decisions_total{outcome="403"}', $K);
sent('gate_decisions_total{outcome="400"}');

# A client authentication throttled (t/conf/client_auth_limit.conf.in: 3
# failures within 3 seconds): three 401s, then a 429.
Apache::TestRequest::module('client_auth_limit');
my $limited = add_client();
my @form = (grant_type => 'authorization_code', code => 'x', client_id => $limited->{id});
POST('/oauth/token', [@form, client_secret => "wrong-$_"])->code == 401
    or fail("wrong secret $_: 401") for 1 .. 3;
$res = POST '/oauth/token', [@form, client_secret => 'wrong-4'];
is $res->code, 429, 'the fourth wrong secret: 429';
sent('token_errors_total{error="invalid_client"}', 4);
sent('client_auth_throttled_total');

# The cache (t/conf/cache.conf.in: the virtual host cache): every look-up
# is a hit or a miss, the first one a miss.
Apache::TestRequest::module('cache');
my $cached = add_token(client => $client->{id}, scope => 'profile_read');
my @cache = map { GET('/cache-gate/token', Authorization => "Bearer $cached")->code } 1 .. 4;
is "@cache", '200 200 200 200', 'a token at the cache virtual host: four times 200';
sent('gate_decisions_total{outcome="allowed"}', 4);

# A database that cannot be opened: one 503 at the gate, one database error.
Apache::TestRequest::module('status_no_db');
$res = GET '/gate/static', Authorization => "Bearer $reader";
is $res->code, 503, 'no database: the gate answers 503';
sent('gate_decisions_total{outcome="503"}');
sent('database_errors_total{kind="connection"}');
Apache::TestRequest::module('default');

my $after = scrape();
my $moved = delta($before, $after);
my $hits = delete $moved->{"${P}cache_lookups_total{result=\"hit\"}"} // 0;
my $misses = delete $moved->{"${P}cache_lookups_total{result=\"miss\"}"} // 0;
is $hits + $misses, 4, "cache: four look-ups ($hits hits, $misses misses)";
ok $misses >= 1 && $hits >= 1, 'cache: the first a miss, a later one a hit';
is_deeply $moved, \%expect, 'every counter moved by exactly what was sent, no other'
    or diag explain { moved => $moved, expected => \%expect };

my @first_pids = pids_since($pids_mark);
diag 'the first generation served these requests in ' . scalar(@first_pids) . ' process(es)';

# --- a graceful restart: new children, the same counts -----------------------

ok graceful_restart(), 'graceful restart (SIGUSR1 to httpd): httpd resumed normal operations';
# The old children may still be finishing: wait until a new one answers.
Time::HiRes::sleep(0.5);

my $kept = scrape();
is_deeply delta($after, $kept), {}, 'after the restart the counts are those of before';

$pids_mark = -s pids_log() // 0;
my $n2 = 9;
my @again = map { GET('/gate/static', Authorization => "Bearer $reader")->code } 1 .. $n2;
is "@again", join(' ', (200) x $n2), "$n2 more requests allowed after the restart";
GET('/gate/static')->code == 401 or fail('no token after the restart: 401');
my $last = scrape();
is_deeply delta($kept, $last),
          { "${P}gate_decisions_total{outcome=\"allowed\"}" => $n2,
            "${P}gate_decisions_total{outcome=\"401\"}" => 1 },
          'the new children count on into the same counters';
is $last->{"${P}gate_decisions_total{outcome=\"allowed\"}"}
   - $before->{"${P}gate_decisions_total{outcome=\"allowed\"}"}, $N + 4 + $n2,
   'allowed: the sum over both generations';

my @second_pids = pids_since($pids_mark);
my %old = map { $_ => 1 } @first_pids;
ok @first_pids && @second_pids && !grep({ $old{$_} } @second_pids),
   'the requests after the restart were served by other processes than before ('
   . scalar(@first_pids) . ' then ' . scalar(@second_pids) . ')';

# --- nothing secret ---------------------------------------------------------------

$page = GET($STATUS)->content;
my @secrets = ($client->{id}, $client->{secret}, $denier->{id}, $limited->{id},
               $tok->{access_token}, $tok->{refresh_token}, $refreshed->{access_token},
               $refreshed->{refresh_token}, $reader, $cached, 'alice', $USERS{alice});
ok !grep({ index($page, $_) >= 0 } @secrets),
   'no client id, secret, token or user on the page';
ok !grep({ !/^(?:# (?:HELP|TYPE) mytimetable_oauth_\w+ .+|mytimetable_oauth_\w+(?:\{[^}]*\})? \d+)\z/ }
         split /\n/, $page),
   'every line is a # HELP, a # TYPE or a sample of a mytimetable_oauth_ counter';

done_testing();

# --- the PIDs of status.conf.in's log --------------------------------------------

sub pids_log { Apache::Test::vars('t_logs') . '/status_pids_log' }

# The distinct PIDs that served a request (other than the status page)
# since byte $mark of the log.
sub pids_since {
    my ($mark) = @_;
    Time::HiRes::sleep(0.2);    # the last lines are written after the answers
    open my $log, '<', pids_log() or return;
    seek $log, $mark, 0;
    my %pid;
    while (<$log>) {
        $pid{$1} = 1 if m{^(\d+) \d+ (?!\Q$STATUS\E)};
    }
    return sort keys %pid;
}
