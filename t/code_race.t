# Parallel redemptions of one authorization code (docs/endpoints.md "a code used twice",
# §7 "a code that works twice"): 20 clients present the same code at the same
# moment.  Exactly one gets a token, the others get invalid_grant, never a
# 5xx and never a second token; and since each loser is a replay, the token
# the winner got is revoked.  Redemption is atomic in the database
# (mto_store_code_exchange); SQLite's "database is locked" under this
# contention must not turn into a 503 either.  The last round's client also
# gets refresh tokens (on PostgreSQL a second insert in the same statement):
# one refresh token is issued, and revoked with the grant.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use Digest::SHA qw(sha256_hex);
use JSON ();
use MTO::Test;

my $PARALLEL = 20;
my $ROUNDS = 3;
my $DEADLINE = time_budget(60); # seconds a round may take, racers included

my $JSON = JSON->new->canonical;
my $plain = add_client(autoapprove => 'true');
my $refreshing = add_client(autoapprove => 'true', grant_types => 'authorization_code,refresh_token');
my $client;

# The raw token request for $code (client_secret_post).
sub token_request {
    my ($code) = @_;
    return raw_form_post('/oauth/token', [grant_type => 'authorization_code', code => $code,
        redirect_uri => 'http://localhost/cb', client_id => $client->{id},
        client_secret => $client->{secret}]);
}

sub token_rows {
    my ($where) = @_;
    return db_value("SELECT COUNT(*) FROM mto_access_token WHERE $where");
}

my @secrets;
for my $round (1 .. $ROUNDS) {
    $client = $round == $ROUNDS ? $refreshing : $plain;
    my $got = obtain_code(client => $client);
    my $code = $got->{code} // die "round $round: no code from the authorize endpoint\n";
    push @secrets, $code;

    my ($ready, @results) = race_requests(token_request($code), $PARALLEL, $DEADLINE);
    is $ready, $PARALLEL, "round $round: $PARALLEL racers hold the same code, ready at once";
    is scalar(@results), $PARALLEL, "round $round: every parallel redemption is answered";

    my @won = grep { $_->{status} == 200 } @results;
    is scalar(@won), 1, "round $round: exactly one parallel redemption gets a token"
        or diag race_summary(@results);
    my $token = eval { $JSON->decode($won[0]{body})->{access_token} } // '';
    ok length($token) >= 43, "round $round: the winner's answer carries an access token";
    push @secrets, $token if $token;
    remember_secret('access token', $token);

    my @lost = grep {
        $_->{status} == 400 && (eval { $JSON->decode($_->{body})->{error} } // '') eq 'invalid_grant'
    } @results;
    is scalar(@lost), $PARALLEL - 1, "round $round: the other " . ($PARALLEL - 1)
        . ' get 400 invalid_grant' or diag race_summary(@results);
    is scalar(grep { $_->{status} >= 500 || $_->{status} == 0 } @results), 0,
        "round $round: no 5xx (nor a dropped connection) under contention"
        or diag race_summary(@results);

    is db_value("SELECT CASE WHEN used_at <> 0 THEN 'used' ELSE 'unused' END FROM mto_code "
                . "WHERE code_hash = '" . sha256_hex($code) . "'"), 'used',
        "round $round: the code is marked used";
    is token_rows("token_hash = '" . sha256_hex($token) . "'"), 0,
        "round $round: the winner's token is revoked (the other presentations are replays)";
    is token_rows("code_hash = '" . sha256_hex($code) . "'"), 0,
        "round $round: no token issued from the raced code remains";

    if ($client == $refreshing) {
        my $refresh = eval { $JSON->decode($won[0]{body})->{refresh_token} } // '';
        ok length($refresh) >= 43, "round $round: the winner got a refresh token too";
        push @secrets, $refresh if $refresh;
        remember_secret('refresh token', $refresh);
        is db_value("SELECT COUNT(*) FROM mto_refresh_token WHERE code_hash = '" . sha256_hex($code)
                    . "'"), 0, "round $round: no refresh token of the raced code remains";
    }

    my $res = Apache::TestRequest::POST('/oauth/token', [
        grant_type => 'authorization_code', code => $code, redirect_uri => 'http://localhost/cb',
        client_id => $client->{id}, client_secret => $client->{secret}]);
    is $res->code, 400, "round $round: the code presented once more afterwards: still 400";
}

my $fresh = obtain_token(client => $plain);
ok length($fresh->{access_token} // '') >= 43, 'after the races a new code still redeems normally';

is_deeply [map { log_grep($_) } @secrets], [],
    'no raced code, token or client secret reaches a log';
is_deeply [log_grep($plain->{secret}), log_grep($refreshing->{secret})], [],
    'neither client secret reaches a log';

done_testing();
