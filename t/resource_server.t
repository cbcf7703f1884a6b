# Resource servers (RFC 7662 §4; README "Other resource servers"): a client
# whose authorities column names ROLE_RESOURCE_SERVER (what `client add
# --resource-server` writes) or Spring's ROLE_TRUSTED_CLIENT may introspect
# the live access tokens of every client, and nothing else: no code, no
# token, no revocation of other clients' tokens.  An ordinary client still
# learns only about its own tokens.  Introspection answers carry sub and iss.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use Digest::SHA qw(sha256_hex);
use JSON ();
use MTO::Test;

my $seq = 0;
sub fresh_id { sprintf '%s-%d-%d-%d', $_[0], $$, time, ++$seq }

# --- the clients ------------------------------------------------------------------

# A resource server as the admin tool registers it.
my $rs = { id => fresh_id('rs'), secret => join('', map { sprintf '%02x', int rand 256 } 1 .. 16) };
tool({ stdin => "$rs->{secret}\n" }, 'client', 'add', $rs->{id}, '--secret-stdin',
     '--resource-server');
remember_secret('client secret', $rs->{secret});

# Spring's conventional trusted client, as an existing MyTimetable database may
# hold it: with a redirect URI and grant types, which it may not use here.
my $trusted = { id => fresh_id('trusted'), secret => 'trusted-client-secret-' . $$ };
remember_secret('client secret', $trusted->{secret});
db_sql('INSERT INTO oauth_client_details (client_id, resource_ids, client_secret, scope, '
    . 'authorized_grant_types, web_server_redirect_uri, authorities, access_token_validity, '
    . 'refresh_token_validity, additional_information, autoapprove) VALUES '
    . "('$trusted->{id}', NULL, '{SHA-256}" . sha256_hex($trusted->{secret}) . "', "
    . "'profile_read,alltimetables', 'authorization_code,refresh_token', 'http://localhost/cb', "
    . "'ROLE_CLIENT, ROLE_TRUSTED_CLIENT', NULL, NULL, NULL, 'true')");

my $app = add_client(grant_types => 'authorization_code,refresh_token');
my $other = add_client();

sub introspect {
    my ($c, @form) = @_;
    return POST '/oauth/introspect', [@form, client_creds($c)];
}

sub answer {
    my ($res, $name) = @_;
    is $res->code, 200, "$name: 200";
    return eval { json_body($res) } || {};
}

sub inactive_ok {
    my ($res, $name) = @_;
    is_deeply answer($res, $name), { active => JSON::false }, "$name: {\"active\":false}";
}

# --- the admin tool --------------------------------------------------------------

my $show = tool('client', 'show', $rs->{id});
like $show, qr/^authorities:\s+ROLE_RESOURCE_SERVER$/m, 'client add --resource-server: authorities ROLE_RESOURCE_SERVER';
like $show, qr/^web_server_redirect_uri:\s+NULL$/m, '--resource-server: no redirect URI';
like $show, qr/^authorized_grant_types:\s+NULL$/m, '--resource-server: no grant types';
like $show, qr/^scope:\s+NULL$/m, '--resource-server: no scope';
like $show, qr/^client_secret:\s+\{SHA-256\}$/m, '--resource-server: a secret like any client';
# The table's columns are two or more spaces apart; "-" is an empty one.
my ($line) = grep { /^\Q$rs->{id}\E / } split /\n/, tool('client', 'list');
is_deeply [split / {2,}/, $line // ''], [$rs->{id}, '-', '-', '-', 'ROLE_RESOURCE_SERVER'],
    'client list: the authorities are the fifth column';
for my $opt (['--redirect-uri', 'http://localhost/cb'], ['--scope', 'profile_read'],
             ['--grant-types', 'refresh_token'], ['--autoapprove', 'true']) {
    my $r = tool_result('client', 'add', fresh_id('bad-rs'), '--resource-server', @$opt);
    ok $r->{status} == 2 && $r->{err} =~ /\Q$opt->[0]\E does not go with --resource-server/,
        "client add --resource-server $opt->[0]: refused (exit 2)";
}

# --- introspecting another client's live token ----------------------------------------

my $got = obtain_token(client => $app, scope => 'profile_read alltimetables');
my $token = $got->{access_token};
my ($issued, $expires) = @{ (db_sql('SELECT issued_at, expires_at FROM mto_access_token '
                                    . "WHERE token_hash = '" . sha256_hex($token) . "'"))[0] };
my $issuer = json_body(GET '/.well-known/oauth-authorization-server')->{issuer};

for my $who ([resource_server => $rs], [trusted_client => $trusted]) {
    my ($kind, $c) = @$who;
    my $body = answer(introspect($c, token => $token), "$kind introspects the app's live token");
    ok JSON::is_bool($body->{active}) && $body->{active}, "$kind: active";
    is_deeply { map { $_ => $body->{$_} } qw(scope client_id username sub token_type iat exp iss) },
        { scope => 'profile_read alltimetables', client_id => $app->{id}, username => 'alice',
          sub => 'alice', token_type => 'bearer', iat => $issued, exp => $expires, iss => $issuer },
        "$kind: scope, client_id (the app's), username, sub, token_type, iat, exp, iss";
    is_deeply [sort keys %$body], [sort qw(active scope client_id username sub token_type exp iat iss)],
        "$kind: exactly those members";
}
ok answer(POST('/oauth/introspect', [token => $token], client_basic_header($rs->{id}, $rs->{secret})),
          'resource server with client_secret_basic')->{active},
    'resource server with client_secret_basic: active';
oauth_error_is(POST('/oauth/introspect', [token => $token, client_id => $rs->{id},
                                          client_secret => 'wrong-secret']),
               401, 'invalid_client', 'resource server with a wrong secret');

# Through the cache (t/conf/cache.conf.in): the client's entry keeps its role.
Apache::TestRequest::module('cache');
for my $n (1, 2) {
    ok answer(introspect($rs, token => $token), "through the cache, time $n")->{active},
        "through the cache, time $n: active (the cached client is still a resource server)";
}
Apache::TestRequest::module('default');

# An ordinary client learns nothing about another's token, as before.
inactive_ok(introspect($other, token => $token), "an ordinary client introspects the app's token");

# --- inactive ------------------------------------------------------------------------

inactive_ok(introspect($rs, token => 'no-such-token-' . 'x' x 30), 'resource server: an unknown token');
my $expired = add_token(client => $app->{id}, expires => time - 1);
inactive_ok(introspect($rs, token => $expired), 'resource server: an expired token');
my $revoked = obtain_token(client => $app)->{access_token};
is POST('/oauth/revoke', [token => $revoked, client_creds($app)])->code, 200, '(the app revokes a token)';
inactive_ok(introspect($rs, token => $revoked), 'resource server: a revoked token');
# A refresh token is the issuing client's business only (README "Other resource servers").
my $refresh = $got->{refresh_token};
ok defined $refresh, '(the app has a refresh token)';
inactive_ok(introspect($rs, token => $refresh, token_type_hint => 'refresh_token'),
            "resource server: the app's live refresh token");
inactive_ok(introspect($trusted, token => $refresh), "trusted client: the app's live refresh token");
ok answer(introspect($app, token => $refresh), '(the app itself)')->{active},
    "(the app itself still sees its refresh token)";

# --- no codes -------------------------------------------------------------------------

my $mark = error_log_mark();
my $codes = db_value('SELECT COUNT(*) FROM mto_code');
my $res = GET authorize_url(response_type => 'code', client_id => $trusted->{id},
                            redirect_uri => 'http://localhost/cb', state => 'rs-1'),
              basic_header(alice => $USERS{alice}), redirect_ok => 0;
is $res->code, 302, 'authorize for the trusted client (autoapprove true): a redirect';
my $p = eval { location_params($res) } || {};
is $p->{error}, 'unauthorized_client', 'authorize for the trusted client: error=unauthorized_client';
is $p->{state}, 'rs-1', 'authorize for the trusted client: with the state';
ok !exists $p->{code}, 'authorize for the trusted client: no code';
is db_value('SELECT COUNT(*) FROM mto_code'), $codes, 'authorize for the trusted client: no code stored';
ok scalar(grep { /MTO0060: client '?\Q$trusted->{id}\E'? is a resource server/ } error_log_since($mark)),
    'the error log says why (MTO0060)';

$res = GET authorize_url(response_type => 'code', client_id => $rs->{id}, state => 'rs-2'),
           basic_header(alice => $USERS{alice}), redirect_ok => 0;
ok $res->code == 400 && !defined $res->header('Location'),
    'authorize for a --resource-server client (no redirect URI): the HTML error page, no redirect';

# --- no tokens -------------------------------------------------------------------------

# A code and a refresh token of the trusted client, as an older server might have left.
my $code = 'trusted-code-' . join '', map { sprintf '%02x', int rand 256 } 1 .. 16;
remember_secret('authorization code', $code);
db_sql('INSERT INTO mto_code (code_hash, client_id, user_name, scope, redirect_uri, challenge, '
       . "challenge_method, expires_at, used_at) VALUES ('" . sha256_hex($code) . "', "
       . "'$trusted->{id}', 'alice', 'profile_read', 'http://localhost/cb', '', '', "
       . (time + 60) . ', 0)');
my $t_refresh = add_token(kind => 'refresh', client => $trusted->{id}, scope => 'profile_read');
my $tokens = db_value('SELECT COUNT(*) FROM mto_access_token');
$mark = error_log_mark();
oauth_error_is(POST('/oauth/token', [grant_type => 'authorization_code', code => $code,
                                     redirect_uri => 'http://localhost/cb', client_creds($trusted)]),
               400, 'unauthorized_client', 'trusted client redeems a code of its own');
oauth_error_is(POST('/oauth/token', [grant_type => 'refresh_token', refresh_token => $t_refresh,
                                     client_creds($trusted)]),
               400, 'unauthorized_client', 'trusted client uses a refresh token of its own');
oauth_error_is(POST('/oauth/token', [grant_type => 'authorization_code', code => $code,
                                     client_creds($rs)]),
               400, 'unauthorized_client', 'resource server at the token endpoint');
is db_value('SELECT COUNT(*) FROM mto_access_token'), $tokens, 'no token was issued';
is db_value("SELECT used_at FROM mto_code WHERE code_hash = '" . sha256_hex($code) . "'"), 0,
    'the code was not used up';
ok scalar(grep { /MTO0061: client '?\Q$trusted->{id}\E'? is a resource server/ } error_log_since($mark)),
    'the error log says why (MTO0061)';

# --- no revocation of other clients' tokens ---------------------------------------------

for my $who ([resource_server => $rs], [trusted_client => $trusted]) {
    my ($kind, $c) = @$who;
    oauth_error_is(POST('/oauth/revoke', [token => $token, client_creds($c)]), 400,
                   'unauthorized_client', "$kind revokes the app's token");
    ok token_exists($token), "$kind revokes the app's token: the token stays";
}
ok answer(introspect($app, token => $token), '(the app introspects its token)')->{active},
    'the token is still active';

# --- logs ------------------------------------------------------------------------------

my @leaks = map { log_grep($_) } grep { defined }
    $token, $refresh, $revoked, $expired, $code, $t_refresh, $rs->{secret}, $trusted->{secret};
is_deeply \@leaks, [], 'no token, code or secret of this test in any log';

done_testing();
