# The revocation endpoint (RFC 7009, docs/endpoints.md): POST only, client
# authentication as at the token endpoint, 200 with an empty body for what
# was revoked and for what is unknown; a live token of another client is
# refused (unauthorized_client) and stays; a refresh token takes its whole
# grant along.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use MTO::Test;

my $client = add_client();
my $other = add_client();
my @SECRETS = ($client->{secret}, $other->{secret});

sub revoke {
    my ($c, @form) = @_;
    return POST '/oauth/revoke', [@form, client_creds($c)];
}

sub revoked_ok {
    my ($res, $name) = @_;
    is $res->code, 200, "$name: 200";
    is $res->content, '', "$name: an empty body";
    is $res->header('Cache-Control'), 'no-store', "$name: Cache-Control: no-store";
}

sub gate_status {
    my ($token) = @_;
    return GET('/gate/cgi', Authorization => "Bearer $token")->code;
}

sub active {
    my ($token) = @_;
    my $res = POST '/oauth/introspect', [token => $token, client_creds($client)];
    return (eval { json_body($res) } || {})->{active} ? 1 : 0;
}

sub fresh_token {
    my $t = obtain_token(client => $client)->{access_token};
    push @SECRETS, $t;
    return $t;
}

# --- the request -------------------------------------------------------------

method_refused('/oauth/revoke', 'POST', qw(GET PUT));
client_auth_refused('/oauth/revoke', $client, [token => 'x' x 43], 'revoke');

oauth_error_is(POST('/oauth/revoke', [client_creds($client)]), 400, 'invalid_request', 'no token');
oauth_error_is(revoke($client, token => ''), 400, 'invalid_request', 'an empty token');
oauth_error_is(revoke($client, token => 'a', token => 'b'), 400, 'invalid_request',
               'token given twice');
oauth_error_is(revoke($client, token => 'a', token_type_hint => 'access_token',
                      token_type_hint => 'access_token'),
               400, 'invalid_request', 'token_type_hint given twice');

revoked_ok(revoke($client, token => 'no-such-token'), 'an unknown token');
revoked_ok(revoke($client, token => 'no-such-token', token_type_hint => 'refresh_token'),
           'an unknown token with a refresh_token hint');

# --- access tokens -------------------------------------------------------------

my $token = fresh_token();
is gate_status($token), 200, 'access token: the gate lets it in before';
is active($token), 1, 'access token: active before';
revoked_ok(revoke($client, token => $token), 'access token (client_secret_post)');
is token_exists($token), 0, 'access token: its row is gone';
my $res = GET '/gate/cgi', Authorization => "Bearer $token";
is $res->code, 401, 'access token revoked: the gate answers 401';
is bearer_challenge($res)->{error}, 'invalid_token', 'access token revoked: error="invalid_token"';
is active($token), 0, 'access token revoked: introspection says inactive';
revoked_ok(revoke($client, token => $token), 'access token revoked twice');

$token = fresh_token();
$res = POST '/oauth/revoke', [token => $token], client_basic_header($client->{id}, $client->{secret});
revoked_ok($res, 'access token (client_secret_basic)');
is gate_status($token), 401, 'access token revoked with Basic: the gate answers 401';

$token = fresh_token();
revoked_ok(revoke($client, token => $token, token_type_hint => 'refresh_token'),
           'access token with a refresh_token hint');
is token_exists($token), 0, 'access token with a refresh_token hint: revoked all the same';

$token = fresh_token();
revoked_ok(revoke($client, token => $token, token_type_hint => 'id_token'),
           'access token with an unknown hint');
is token_exists($token), 0, 'access token with an unknown hint: the hint is ignored';

$token = add_token(client => $client->{id}, expires => 0);
revoked_ok(revoke($client, token => $token), 'an access token that never expires');
is token_exists($token), 0, 'an access token that never expires: its row is gone';

# --- another client's tokens -----------------------------------------------------

my $theirs = obtain_token(client => $other)->{access_token};
push @SECRETS, $theirs;
my $body = oauth_error_is(revoke($client, token => $theirs), 400, 'unauthorized_client',
                          "another client's live access token");
like $body->{error_description} // '', qr/another client/,
    "another client's live access token: the description says why";
is token_exists($theirs), 1, "another client's live access token: its row stays";
is gate_status($theirs), 200, "another client's live access token: it still works at the gate";
revoked_ok(revoke($other, token => $theirs), "another client's token, revoked by that client");
is gate_status($theirs), 401, "another client's token, revoked by that client: the gate refuses it";

my $expired = add_token(client => $other->{id}, expires => time - 60);
revoked_ok(revoke($client, token => $expired), "another client's expired access token");
is token_exists($expired), 1, "another client's expired access token: its row is left alone";

# --- refresh tokens: the whole grant -------------------------------------------

# A grant: the rotated refresh token r1 (access token a1 came from it), the
# current r2 (a2); and a second grant of the same client and user (r3, a3).
my $grant = 'g-' . $$ . '-' . time;
my $r1 = add_token(kind => 'refresh', client => $client->{id}, grant => $grant, rotated => time - 5);
my $r2 = add_token(kind => 'refresh', client => $client->{id}, grant => $grant);
my $a1 = add_token(client => $client->{id}, refresh => $r1);
my $a2 = add_token(client => $client->{id}, refresh => $r2);
my $r3 = add_token(kind => 'refresh', client => $client->{id}, grant => "$grant-other");
my $a3 = add_token(client => $client->{id}, refresh => $r3);
push @SECRETS, $r1, $r2, $r3, $a1, $a2, $a3;
is gate_status($a2), 200, 'refresh token: the access token issued from it works before';

revoked_ok(revoke($client, token => $r2, token_type_hint => 'refresh_token'), 'refresh token');
is token_exists($r2, 'refresh'), 0, 'refresh token: its row is gone';
is token_exists($r1, 'refresh'), 0, 'refresh token: the rotated token of its grant is gone';
is token_exists($a2, 'access') + token_exists($a1, 'access'), 0,
    'refresh token: the access tokens issued from its grant are gone';
is gate_status($a2), 401, 'refresh token revoked: its access token gets 401 at the gate';
is token_exists($r3, 'refresh') + token_exists($a3, 'access'), 2,
    'refresh token: another grant of the same client and user stays';
is active($r2), 0, 'refresh token revoked: introspection says inactive';

revoked_ok(revoke($client, token => $r3, token_type_hint => 'access_token'),
           'refresh token with an access_token hint');
is token_exists($r3, 'refresh') + token_exists($a3, 'access'), 0,
    'refresh token with an access_token hint: its grant is gone all the same';

my $rot = add_token(kind => 'refresh', client => $client->{id}, grant => "$grant-rot",
                    rotated => time - 5);
my $cur = add_token(kind => 'refresh', client => $client->{id}, grant => "$grant-rot");
push @SECRETS, $rot, $cur;
revoked_ok(revoke($client, token => $rot), 'a rotated refresh token');
is token_exists($cur, 'refresh'), 0, 'a rotated refresh token: the current token of its grant goes too';

$token = fresh_token();
my $kept = add_token(kind => 'refresh', client => $client->{id});
push @SECRETS, $kept;
revoked_ok(revoke($client, token => $token), 'an access token beside a refresh token');
is token_exists($kept, 'refresh'), 1, 'an access token beside a refresh token: the refresh token stays';

my $their_r = add_token(kind => 'refresh', client => $other->{id});
my $their_a = add_token(client => $other->{id}, refresh => $their_r);
push @SECRETS, $their_r, $their_a;
oauth_error_is(revoke($client, token => $their_r), 400, 'unauthorized_client',
               "another client's refresh token");
is token_exists($their_r, 'refresh') + token_exists($their_a, 'access'), 2,
    "another client's refresh token: its grant stays";

# --- logs --------------------------------------------------------------------

my @leaks = map { log_grep($_) } @SECRETS;
is_deeply \@leaks, [], 'no token or client secret of this test in any log';

done_testing();
