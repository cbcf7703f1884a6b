# The introspection endpoint (RFC 7662, docs/endpoints.md): POST only, client
# authentication as at the token endpoint; {"active":false} and nothing else
# for anything unknown, expired, revoked, rotated or issued to another
# client; for a live token of the client: active, scope, client_id, username,
# sub (the user again), token_type, exp (unless it never expires), iat, iss
# (the issuer exactly as the metadata says).  Resource servers, who may
# introspect other clients' tokens: t/resource_server.t.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use Digest::SHA qw(sha256_hex);
use JSON ();
use MTO::Test;

my $client = add_client();
my $other = add_client();
my @SECRETS = ($client->{secret}, $other->{secret});

sub introspect {
    my ($c, @form) = @_;
    return POST '/oauth/introspect', [@form, client_creds($c)];
}

# 200, no-store, and the decoded answer.
sub answer {
    my ($res, $name) = @_;
    is $res->code, 200, "$name: 200";
    is $res->header('Cache-Control'), 'no-store', "$name: Cache-Control: no-store";
    like $res->header('Content-Type') // '', qr{^application/json\b}, "$name: JSON";
    return eval { json_body($res) } || {};
}

sub inactive_ok {
    my ($res, $name) = @_;
    my $body = answer($res, $name);
    is_deeply $body, { active => JSON::false }, "$name: {\"active\":false} and nothing else";
    ok defined $body->{active} && !$body->{active} && JSON::is_bool($body->{active}),
        "$name: active is the JSON false";
}

sub row {
    my ($table, $token, @cols) = @_;
    my ($r) = db_sql('SELECT ' . join(', ', @cols) . " FROM $table WHERE token_hash = '"
                     . sha256_hex($token) . "'");
    return $r;
}

# --- the request -------------------------------------------------------------

method_refused('/oauth/introspect', 'POST', qw(GET PUT));
client_auth_refused('/oauth/introspect', $client, [token => 'x' x 43], 'introspect');
oauth_error_is(POST('/oauth/introspect', [client_creds($client)]), 400, 'invalid_request', 'no token');
oauth_error_is(introspect($client, token => ''), 400, 'invalid_request', 'an empty token');
oauth_error_is(introspect($client, token => 'a', token => 'a'), 400, 'invalid_request',
               'token given twice');

inactive_ok(introspect($client, token => 'no-such-token'), 'an unknown token');

# --- a live access token -------------------------------------------------------

my $got = obtain_token(client => $client, scope => 'profile_read alltimetables');
my $token = $got->{access_token};
push @SECRETS, $token;
my ($issued, $expires) = @{ row('mto_access_token', $token, qw(issued_at expires_at)) };

my $body = answer(introspect($client, token => $token), 'live access token');
ok JSON::is_bool($body->{active}) && $body->{active}, 'live access token: active is the JSON true';
is $body->{scope}, 'profile_read alltimetables', 'live access token: scope, space separated';
is $body->{client_id}, $client->{id}, 'live access token: client_id';
is $body->{username}, 'alice', 'live access token: username is the user it was issued to';
is $body->{token_type}, 'bearer', 'live access token: token_type bearer (as the token endpoint says)';
is $body->{iat}, $issued, 'live access token: iat is when it was issued';
is $body->{exp}, $expires, 'live access token: exp is when it expires';
is $body->{exp} - $body->{iat}, $got->{expires_in}, 'live access token: exp - iat is expires_in';
is $body->{sub}, 'alice', 'live access token: sub is the user as well (what resource servers read)';
my $metadata = json_body(GET '/.well-known/oauth-authorization-server');
is $body->{iss}, $metadata->{issuer}, 'live access token: iss is the issuer exactly as the metadata says';
is_deeply [sort keys %$body], [sort qw(active scope client_id username sub token_type exp iat iss)],
    'live access token: exactly the members of docs/endpoints.md';

# A configured issuer (t/conf/endpoints.conf.in), trailing slash and all.
Apache::TestRequest::module('endpoints_issuer');
is answer(introspect($client, token => $token), 'live access token at a configured issuer')->{iss},
    'https://as.example.org', 'a configured issuer: iss is MyTimetableOAuthIssuer without its trailing /';
is json_body(GET '/.well-known/oauth-authorization-server')->{issuer}, 'https://as.example.org',
    '(the metadata says the same)';
Apache::TestRequest::module('default');

$body = answer(POST('/oauth/introspect', [token => $token],
                    client_basic_header($client->{id}, $client->{secret})),
               'live access token (client_secret_basic)');
ok $body->{active}, 'live access token (client_secret_basic): active';

for my $hint (qw(access_token refresh_token something_else)) {
    $body = answer(introspect($client, token => $token, token_type_hint => $hint),
                   "live access token, token_type_hint=$hint");
    is $body->{token_type}, 'bearer', "live access token, token_type_hint=$hint: found all the same";
}

my $forever = add_token(client => $client->{id}, expires => 0, user => 'bob', scope => 'username');
push @SECRETS, $forever;
$body = answer(introspect($client, token => $forever), 'an access token that never expires');
ok $body->{active}, 'an access token that never expires: active';
ok !exists $body->{exp}, 'an access token that never expires: no exp';
is $body->{username}, 'bob', 'an access token that never expires: username';

# --- inactive: expired, revoked, another client's ------------------------------

my $expired = add_token(client => $client->{id}, expires => time - 1);
push @SECRETS, $expired;
inactive_ok(introspect($client, token => $expired), 'an expired access token');

my $revoked = obtain_token(client => $client)->{access_token};
push @SECRETS, $revoked;
is POST('/oauth/revoke', [token => $revoked, client_creds($client)])->code, 200, 'revoking a token: 200';
inactive_ok(introspect($client, token => $revoked), 'a revoked access token');

my $theirs = obtain_token(client => $other)->{access_token};
push @SECRETS, $theirs;
inactive_ok(introspect($client, token => $theirs), "another client's live access token");
ok answer(introspect($other, token => $theirs), 'the same token, asked by its client')->{active},
    'the same token, asked by its client: active';

# --- refresh tokens -------------------------------------------------------------

my $refresh = add_token(kind => 'refresh', client => $client->{id}, scope => 'profile_read');
push @SECRETS, $refresh;
my ($r_issued, $r_expires) = @{ row('mto_refresh_token', $refresh, qw(issued_at expires_at)) };
$body = answer(introspect($client, token => $refresh, token_type_hint => 'refresh_token'),
               'live refresh token');
ok $body->{active}, 'live refresh token: active';
is $body->{token_type}, 'refresh_token', 'live refresh token: token_type refresh_token, not bearer';
is_deeply [@$body{qw(scope client_id username sub iat exp)}],
    ['profile_read', $client->{id}, 'alice', 'alice', $r_issued, $r_expires],
    'live refresh token: scope, client_id, username, sub, iat, exp of its row';
is answer(introspect($client, token => $refresh), 'live refresh token without a hint')->{token_type},
    'refresh_token', 'live refresh token without a hint: found in the refresh tokens';

my $rotated = add_token(kind => 'refresh', client => $client->{id}, rotated => time - 1);
push @SECRETS, $rotated;
inactive_ok(introspect($client, token => $rotated), 'a rotated refresh token');

my $r_expired = add_token(kind => 'refresh', client => $client->{id}, expires => time - 1);
push @SECRETS, $r_expired;
inactive_ok(introspect($client, token => $r_expired), 'an expired refresh token');

my $r_forever = add_token(kind => 'refresh', client => $client->{id}, expires => 0);
push @SECRETS, $r_forever;
$body = answer(introspect($client, token => $r_forever), 'a refresh token that never expires');
ok $body->{active} && !exists $body->{exp}, 'a refresh token that never expires: active, no exp';

my $their_r = add_token(kind => 'refresh', client => $other->{id});
push @SECRETS, $their_r;
inactive_ok(introspect($client, token => $their_r), "another client's refresh token");

# --- a user name that is not UTF-8 (SQLite stores any bytes) --------------------

SKIP: {
    skip 'PostgreSQL stores only UTF-8 text', 3 unless ($ENV{MTO_DBD_DRIVER} // 'sqlite3') eq 'sqlite3';
    my $latin1 = add_token(client => $client->{id}, user => 'placeholder');
    push @SECRETS, $latin1;
    db_sql("UPDATE mto_access_token SET user_name = CAST(X'6AF67267' AS TEXT) WHERE token_hash = '"
           . sha256_hex($latin1) . "'");
    $body = answer(introspect($client, token => $latin1), 'a Latin-1 user name');
    ok $body->{active}, 'a Latin-1 user name: still active';
    ok !exists $body->{username} && !exists $body->{sub},
        'a Latin-1 user name: username and sub left out (not UTF-8)';
}

# --- logs --------------------------------------------------------------------

my @leaks = map { log_grep($_) } @SECRETS;
is_deeply \@leaks, [], 'no token or client secret of this test in any log';

done_testing();
