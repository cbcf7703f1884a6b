# A native app (RFC 8252) written with a real client library, not ours:
# t/node/native_app.mjs uses oauth4webapi (npm) as a phone or desktop app
# would (docs/endpoints.md, "For app developers"): discovery from the server's metadata,
# a public client (client_id alone at the token endpoint), a loopback
# redirect on a port the OS picks, PKCE S256, the authorization response's
# state and iss checked (RFC 9207), then one refresh.  Here the tokens it got
# must work at the gate, and the refresh must have rotated.
#
# npm ci installs t/node/node_modules from the committed package-lock.json
# when it is missing.  Skips only when node or npm is not installed, or npm
# cannot reach its registry, or node is older than 20.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use JSON ();
use MTO::Test;
use MTO::Node;

plan skip_all => 'runs once per build/test, in the SQLite run: the flow does not depend on '
               . 'the database' if ($ENV{MTO_DBD_DRIVER} // 'sqlite3') eq 'pgsql';

node_tools_present();
# oauth4webapi 3 needs the global WebCrypto and fetch of node 20 or later.
my ($node_major) = `node --version` =~ /^v([0-9]+)\./;
plan skip_all => "node $node_major is too old for oauth4webapi 3 (20 or later)"
    unless ($node_major // 0) >= 20;

npm_ci_unless('oauth4webapi');

my $issuer = 'http://' . Apache::TestRequest::hostport();
my $app = add_client(public => undef, autoapprove => 'true',
                     grant_types => 'authorization_code,refresh_token',
                     redirect_uri => 'http://127.0.0.1/cb', scope => 'profile_read,alltimetables');

my ($status, $out, $err) = run_in_node_dir(
    { env => { MTO_NATIVE_USER => 'alice', MTO_NATIVE_PASSWORD => $USERS{alice} } },
    'node', 'native_app.mjs', $issuer, $app->{id}, 'profile_read alltimetables');
is $status, 0, 'oauth4webapi: the native-app flow ran to its end' or diag $err;
my @lines = split /\n/, $out;
is scalar @lines, 1, 'oauth4webapi: one JSON line printed';
my $got = eval { JSON->new->decode($lines[0] // '') } || {};
remember_secret('authorization code', $got->{code});
remember_secret('PKCE code_verifier', $got->{code_verifier});
remember_secret('access token', @$got{qw(access_token refreshed_access_token)});
remember_secret('refresh token', @$got{qw(refresh_token refreshed_refresh_token)});

# --- discovery, loopback redirect, PKCE, state and iss -----------------------

is $got->{issuer}, $issuer, 'discovery: oauth4webapi accepted the metadata for this issuer';
like $got->{redirect_uri} // '', qr{^http://127\.0\.0\.1:[1-9][0-9]*/cb$},
    'the app listened on a loopback port of its own (registered without a port)';
is $got->{callback_port}, ($got->{redirect_uri} // '') =~ m{:([0-9]+)/} ? $1 : -1,
    'the authorization response came back to that port';
ok $got->{callback_state_ok}, 'the state came back unchanged';
is $got->{callback_iss}, $issuer, 'the authorization response carries iss, the issuer (RFC 9207)';
ok $got->{wrong_iss_refused}, 'oauth4webapi checks iss: another issuer is refused';
ok $got->{missing_iss_refused}, 'oauth4webapi checks iss: a missing iss is refused (metadata says it is sent)';
ok $got->{wrong_state_refused}, 'oauth4webapi checks state: another state is refused';

# --- the tokens ---------------------------------------------------------------

like $got->{token_type} // '', qr/^bearer$/i, 'token_type Bearer';
for my $case (['access_token', 'the access token'], ['refreshed_access_token', 'the refreshed access token']) {
    my ($key, $name) = @$case;
    my $res = GET '/gb/cgi', Authorization => 'Bearer ' . ($got->{$key} // 'none');
    is $res->code, 200, "$name works at the gate";
    my $echo = eval { json_body($res) } || {};
    is $echo->{REMOTE_USER}, 'alice', "$name: the backend sees the user who signed in";
}
ok $got->{refresh_token} && $got->{refreshed_refresh_token}
    && $got->{refreshed_refresh_token} ne $got->{refresh_token},
    'the refresh rotated the refresh token';
my $res = POST '/oauth/token', [grant_type => 'refresh_token', client_id => $app->{id},
                                refresh_token => $got->{refresh_token} // 'none'];
is $res->code, 400, 'the refresh token the app gave back is refused afterwards';

done_testing;
