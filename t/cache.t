# The cache (MyTimetableOAuthCache / MyTimetableOAuthCacheTTL, README
# "Caching") with shmcb, in the virtual hosts of t/conf/cache.conf.in:
#  a) cache: the test database.  A look-up reaches the database once, then
#     the cache answers: valid and junk access tokens, API tokens, clients
#     (counted with the "db: <statement>" lines store/dbd.c logs at trace2).
#     Revoking through this server (a replayed code, a reused refresh token)
#     stops the tokens at once; an entry never outlives its token.
#  b) cache_outage, cache_ttl, cache_none: an SQLite database of their own,
#     made unreadable.  A cached token keeps working until its TTL; an
#     uncached one, or any without a cache, gets 503.
# No token, code or secret reaches a log.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use Digest::SHA ();
use Time::HiRes ();
use MTO::Test;

my @SECRETS;                # tokens, codes and secrets that must not reach a log

sub keep_secret { push @SECRETS, grep { defined } @_; return $_[0] }

sub random_token { join '', map { ('A' .. 'Z', 'a' .. 'z', 0 .. 9)[rand 62] } 1 .. 43 }

sub with_token   { GET '/cache-gate/token', Authorization => "Bearer $_[0]" }
sub with_api     { GET '/cache-gate/api', apiToken => $_[0] }

sub token_error {
    my ($res) = @_;
    my $c = eval { bearer_challenge($res) } || {};
    return $c->{error} // '';
}

sub new_token {
    my ($client) = @_;
    my $got = obtain_token(client => $client);
    keep_secret($got->{refresh_token});
    return keep_secret($got->{access_token});
}

sub redeem {
    my ($client, $code) = @_;
    return POST '/oauth/token', [grant_type => 'authorization_code', code => $code,
                                 redirect_uri => 'http://localhost/cb', client_id => $client->{id},
                                 client_secret => $client->{secret}];
}

# --- a) what the cache spares the database -----------------------------------

Apache::TestRequest::module('cache');
my $client = add_client(autoapprove => 'true', grant_types => 'authorization_code,refresh_token');
keep_secret($client->{secret});
generation_settled();

{
    my $token = new_token($client);
    my $mark = error_log_mark();
    my @codes = map { with_token($token)->code } 1 .. 3;
    is "@codes", '200 200 200', 'a valid token is accepted three times';
    is db_statements($mark, 'mto_token_get'), 1,
        'a valid token is looked up in the database once, then the cache answers';

    $mark = error_log_mark();
    my $junk = random_token();
    my @res = map { with_token($junk) } 1 .. 5;
    is join(' ', map { $_->code . '/' . token_error($_) } @res), join(' ', ('401/invalid_token') x 5),
        'a junk token is refused five times with invalid_token';
    is db_statements($mark, 'mto_token_get'), 1,
        'junk tokens after the first do not reach the database (negative entry)';

    # The cached row keeps its end: the entry goes with the token.
    my $short = new_token($client);
    db_sql('UPDATE mto_access_token SET expires_at = ' . (time + 3) . " WHERE token_hash = '"
           . Digest::SHA::sha256_hex($short) . "'");
    is with_token($short)->code, 200, 'a token that expires in 3 s is accepted';
    $mark = error_log_mark();
    is with_token($short)->code, 200, 'a token that expires in 3 s is accepted again';
    is db_statements($mark, 'mto_token_get'), 0, 'the second time from the cache';
    Time::HiRes::sleep(3.5);
    $mark = error_log_mark();
    my $res = with_token($short);
    is $res->code . '/' . token_error($res), '401/invalid_token', 'once expired it is refused';
    is db_statements($mark, 'mto_token_get'), 1,
        'the cache entry of a token ends with the token (not after MyTimetableOAuthCacheTTL)';
}

{
    my $api = keep_secret(add_api_token());
    my $mark = error_log_mark();
    my @codes = map { with_api($api)->code } 1 .. 3;
    is "@codes", '200 200 200', 'a valid API token is accepted three times';
    is db_statements($mark, 'mto_api_token_get'), 1, 'a valid API token costs one query';

    $mark = error_log_mark();
    my $junk = random_token();
    @codes = map { with_api($junk)->code } 1 .. 4;
    is "@codes", '401 401 401 401', 'a junk API token is refused four times';
    is db_statements($mark, 'mto_api_token_get'), 1, 'junk API tokens after the first cost no query';
}

{
    my $other = add_client(autoapprove => 'true');
    keep_secret($other->{secret});
    generation_settled();
    new_token($other);
    my $mark = error_log_mark();
    ok new_token($other), 'a second flow of the same client succeeds';
    is db_statements($mark, 'mto_client_get'), 0,
        'the second flow finds the client in the cache (authorize and token endpoints)';

    $mark = error_log_mark();
    my $unknown = 'no-such-client-' . random_token();
    my @codes = map {
        GET(authorize_url(response_type => 'code', client_id => $unknown), basic_header(alice => $USERS{alice}))->code
    } 1 .. 3;
    is "@codes", '400 400 400', 'an unknown client is refused three times';
    is db_statements($mark, 'mto_client_get'), 1, 'an unknown client costs one query';
}

# Revoking through this server: the cache forgets at once.
{
    my $code = keep_secret(obtain_code(client => $client)->{code});
    my $res = redeem($client, $code);
    is $res->code, 200, 'replay: the code redeems once';
    my $body = eval { json_body($res) } || {};
    my $token = keep_secret($body->{access_token}) // '';
    keep_secret($body->{refresh_token});
    is with_token($token)->code, 200, 'replay: the token works (and is cached)';
    is with_token($token)->code, 200, 'replay: the token works from the cache';

    is redeem($client, $code)->code, 400, 'replay: the code presented again is refused';
    my $mark = error_log_mark();
    $res = with_token($token);
    is $res->code . '/' . token_error($res), '401/invalid_token',
        'replay: the token issued from the code stops at once on this server';
    is db_statements($mark, 'mto_token_get'), 0,
        'replay: the revocation left a negative entry in the cache, which answered';
}

{
    my $first = obtain_token(client => $client);
    keep_secret(@{$first}{qw(access_token refresh_token)});
    is with_token($first->{access_token})->code, 200, 'refresh reuse: the first access token works';
    my $res = POST '/oauth/token', [grant_type => 'refresh_token', refresh_token => $first->{refresh_token},
                                    client_id => $client->{id}, client_secret => $client->{secret}];
    is $res->code, 200, 'refresh reuse: the refresh token is used once';
    my $second = eval { json_body($res) } || {};
    keep_secret(@{$second}{qw(access_token refresh_token)});
    is with_token($second->{access_token} // '')->code, 200, 'refresh reuse: the new access token works';

    $res = POST '/oauth/token', [grant_type => 'refresh_token', refresh_token => $first->{refresh_token},
                                 client_id => $client->{id}, client_secret => $client->{secret}];
    is $res->code, 400, 'refresh reuse: the used refresh token presented again is refused';
    my @after = map { my $r = with_token($_ // ''); $r->code . '/' . token_error($r) }
        $first->{access_token}, $second->{access_token};
    is "@after", '401/invalid_token 401/invalid_token',
        'refresh reuse: both cached access tokens of the grant stop at once';
}

# --- b) the database unreadable ------------------------------------------------

my $db = Apache::Test::vars('t_dir') . '/db/cache/oauth.db';       # as in cache.conf.in

sub outage {
    sqlite_db_create($db);
    Apache::TestRequest::module('cache_outage');
    my $own = add_client(driver => 'sqlite3', params => $db, autoapprove => 'true');
    keep_secret($own->{secret});
    my ($cached, $uncached) = map { new_token($own) } 1 .. 2;
    my $api = keep_secret(random_token());
    tool({ stdin => "$api\n" }, '--driver', 'sqlite3', '--params', $db, 'api-token', 'add',
         'cache-outage', '--token-stdin');
    generation_settled();

    my %before;
    for my $vhost (qw(cache_outage cache_ttl cache_none)) {
        Apache::TestRequest::module($vhost);
        $before{$vhost} = with_token($cached)->code;
    }
    Apache::TestRequest::module('cache_outage');
    $before{api} = with_api($api)->code;
    is join(' ', map { $before{$_} } qw(cache_outage cache_ttl cache_none api)), '200 200 200 200',
        'before the outage: the token works in the three virtual hosts, the API token too';

    sqlite_unreadable($db);
    Apache::TestRequest::module('cache_ttl');
    is with_token($cached)->code, 200, 'database unreadable, TTL 2 s: the cached token still works';
    Apache::TestRequest::module('cache_outage');
    is with_token($cached)->code, 200, 'database unreadable: a cached token keeps working';
    is with_api($api)->code, 200, 'database unreadable: a cached API token keeps working';
    my $res = with_token($uncached);
    is $res->code, 503, 'database unreadable: a token not in the cache gets 503';
    is eval { json_body($res)->{error} }, 'temporarily_unavailable',
        'database unreadable: error=temporarily_unavailable';
    Apache::TestRequest::module('cache_none');
    is with_token($cached)->code, 503, 'database unreadable, MyTimetableOAuthCache none: 503';
    Time::HiRes::sleep(2.5);
    Apache::TestRequest::module('cache_ttl');
    is with_token($cached)->code, 503,
        'database unreadable, TTL 2 s: after the TTL the token is asked of the database again (503)';
    Apache::TestRequest::module('cache_outage');
    is with_token($cached)->code, 200, 'database unreadable, TTL 300 s: the token still works';

    sqlite_readable();
    is with_token($uncached)->code, 200, 'database readable again: the other token works';
    Apache::TestRequest::module('cache_none');
    is with_token($cached)->code, 200, 'database readable again: no cache, the token works';
    Apache::TestRequest::module('default');
}

outage();

is_deeply [map { log_grep($_) } @SECRETS], [], 'no token, code or client secret of this test in any log';

done_testing();
