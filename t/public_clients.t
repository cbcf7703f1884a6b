# Public clients (docs/endpoints.md, "For app developers"; RFC 8252, RFC 9700 §2.1.1):
# a client registered with `client add --public` (no client_secret,
# token_endpoint_auth_method "none" in additional_information) must use
# PKCE S256 whatever MyTimetableOAuthRequirePKCE says, authenticates at the
# token and revocation endpoints with client_id alone, gets rotating refresh
# tokens, and may come back to a registered loopback redirect URI on any
# port (RFC 8252 §7.3).  A confidential client is never downgraded, and
# every other redirect URI (private-use schemes included) matches exactly.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use Digest::SHA qw(sha256);
use MIME::Base64 qw(encode_base64);
use MTO::Test;

my @alice = basic_header(alice => $USERS{alice});

sub s256 {
    (my $c = encode_base64(sha256($_[0]), '')) =~ tr{+/=}{-_}d;
    return $c;
}

sub new_verifier {
    my $v = join '', map { ('A' .. 'Z', 'a' .. 'z', 0 .. 9, '-', '.', '_', '~')[int rand 66] }
        1 .. 64;
    remember_secret('PKCE code_verifier', $v);
    return $v;
}

# The authorize request of $client to $redirect_uri with @extra; the response.
sub authz {
    my ($client, $redirect_uri, @extra) = @_;
    return GET authorize_url(response_type => 'code', client_id => $client->{id},
                             redirect_uri => $redirect_uri, state => 'st', @extra),
        @alice, redirect_ok => 0;
}

# 'code', 'error=X' or the status of a page that does not redirect.
sub outcome {
    my ($res) = @_;
    return 'page ' . $res->code unless $res->is_redirect;
    my $p = location_params($res);
    return $p->{code} ? 'code' : 'error=' . ($p->{error} // '?');
}

sub token_status {
    my ($res) = @_;
    my $body = eval { json_body($res) } || {};
    return join ' ', $res->code, $body->{error} // ($body->{access_token} ? 'token' : '-');
}

my $verifier = new_verifier();
my @s256 = (code_challenge => s256($verifier), code_challenge_method => 'S256');

my $app = add_client(public => undef, autoapprove => 'true',
                     grant_types => 'authorization_code,refresh_token',
                     redirect_uri => ['http://127.0.0.1/cb', 'http://[::1]/cb',
                                      'nl.example.app:/oauth/cb', 'http://localhost/native']);
my $web = add_client(autoapprove => 'true', grant_types => 'authorization_code,refresh_token',
                     redirect_uri => ['http://127.0.0.1/cb', 'http://localhost/cb']);

# --- the row the tool wrote ---------------------------------------------------

my ($row) = db_sql("SELECT client_secret IS NULL, additional_information FROM oauth_client_details "
                   . "WHERE client_id = '$app->{id}'");
ok $row->[0], 'client add --public: no client_secret stored (NULL)';
like $row->[1] // '', qr/"token_endpoint_auth_method"\s*:\s*"none"/,
    'client add --public: token_endpoint_auth_method "none" in additional_information';

# --- PKCE S256 is forced ------------------------------------------------------

is outcome(authz($app, 'http://127.0.0.1/cb')), 'error=invalid_request',
    'public client without PKCE: refused (MyTimetableOAuthRequirePKCE Off on this server)';
is outcome(authz($app, 'http://127.0.0.1/cb', code_challenge => 'p' x 43,
                 code_challenge_method => 'plain')),
    'error=invalid_request', 'public client with a plain challenge: refused';
is outcome(authz($web, 'http://localhost/cb')), 'code',
    'confidential client without PKCE: a code (PKCE not required on this server)';

# --- client_id alone at the token endpoint ------------------------------------

my $res = authz($app, 'http://127.0.0.1:49152/cb', @s256);
is outcome($res), 'code', 'public client, S256, loopback redirect with a port: a code';
like $res->header('Location') // '', qr{^http://127\.0\.0\.1:49152/cb\?},
    'the user goes back to the port the app asked for';
my $code = location_params($res)->{code};
$res = POST '/oauth/token', [grant_type => 'authorization_code', code => $code,
                             redirect_uri => 'http://127.0.0.1:49152/cb', code_verifier => $verifier,
                             client_id => $app->{id}];
is token_status($res), '200 token', 'public client with a secret-less token request: a token';
my $tok = eval { json_body($res) } || {};
ok $tok->{refresh_token}, 'public client: a refresh token too';

$res = POST '/oauth/token', [grant_type => 'refresh_token', refresh_token => $tok->{refresh_token},
                             client_id => $app->{id}];
is token_status($res), '200 token', 'public client refreshes with client_id alone';
my $next = eval { json_body($res) } || {};
isnt $next->{refresh_token} // '', $tok->{refresh_token}, 'the refresh token rotated';
$res = POST '/oauth/token', [grant_type => 'refresh_token', refresh_token => $tok->{refresh_token},
                             client_id => $app->{id}];
is token_status($res), '400 invalid_grant', 'the old refresh token is refused (reuse)';

$code = location_params(authz($app, 'http://[::1]:8080/cb', @s256))->{code};
$res = POST '/oauth/token', [grant_type => 'authorization_code', code => $code,
                             redirect_uri => 'http://[::1]:8080/cb', client_id => $app->{id}];
is token_status($res), '400 invalid_grant', 'public client: a code without its code_verifier is refused';

$res = POST '/oauth/token', [grant_type => 'authorization_code', code => 'x' x 32,
                             client_id => $app->{id}, client_secret => 'guess'];
is token_status($res), '401 invalid_client', 'public client that sends a secret: invalid_client';

# --- a confidential client is never downgraded --------------------------------

$code = location_params(authz($web, 'http://localhost/cb'))->{code};
$res = POST '/oauth/token', [grant_type => 'authorization_code', code => $code,
                             redirect_uri => 'http://localhost/cb', client_id => $web->{id}];
is token_status($res), '401 invalid_client', 'confidential client without its secret: invalid_client';
$res = POST '/oauth/token', [grant_type => 'authorization_code', code => $code,
                             redirect_uri => 'http://localhost/cb', client_creds($web)];
is token_status($res), '200 token', 'the code was not used up by that attempt';

# A row with token_endpoint_auth_method "none" but a secret stays confidential.
my $both = add_client(autoapprove => 'true');
db_sql("UPDATE oauth_client_details SET additional_information = "
       . "'{\"token_endpoint_auth_method\":\"none\"}' WHERE client_id = '$both->{id}'");
$code = location_params(authz($both, 'http://localhost/cb'))->{code};
$res = POST '/oauth/token', [grant_type => 'authorization_code', code => $code,
                             redirect_uri => 'http://localhost/cb', client_id => $both->{id}];
is token_status($res), '401 invalid_client',
    '"none" on a client that has a secret: still confidential, no secret is invalid_client';

# --- loopback redirects: any port, public clients only -------------------------

for my $uri ('http://127.0.0.1:1/cb', 'http://127.0.0.1:65535/cb', 'http://127.0.0.1/cb',
             'http://[::1]:50000/cb') {
    is outcome(authz($app, $uri, @s256)), 'code', "public client: $uri matches";
}
for my $uri ('http://127.0.0.1:8080/cb/x', 'http://127.0.0.1:8080/cb?x=1', 'http://127.0.0.1:/cb',
             'http://127.0.0.1:65536/cb', 'http://127.0.0.1:80@evil.example/cb',
             'http://127.0.0.1:8080.evil.example/cb', 'https://127.0.0.1:8080/cb',
             'http://127.0.0.2:8080/cb', 'http://localhost:8080/native',
             'http://[::1]:8080/cb#f') {
    is outcome(authz($app, $uri, @s256)), 'page 400', "public client: $uri is refused";
}
is outcome(authz($web, 'http://127.0.0.1:8080/cb')), 'page 400',
    'confidential client: a loopback redirect on another port is refused';
is outcome(authz($web, 'http://127.0.0.1/cb')), 'code',
    'confidential client: the registered loopback redirect itself matches';

# --- private-use URI schemes match exactly ------------------------------------

is outcome(authz($app, 'nl.example.app:/oauth/cb', @s256)), 'code',
    'private-use scheme: the registered URI matches';
for my $uri ('nl.example.app:/oauth/cb2', 'nl.example.app:/oauth/cb?x', 'nl.example.app://oauth/cb',
             'NL.example.app:/oauth/cb', 'nl.example.ap:/oauth/cb') {
    is outcome(authz($app, $uri, @s256)), 'page 400', "private-use scheme: $uri is refused";
}

# --- revocation and introspection ------------------------------------------

$res = POST '/oauth/revoke', [token => $next->{access_token}, client_id => $app->{id}];
is $res->code, 200, 'public client revokes its token with client_id alone';
$res = POST '/oauth/introspect', [token => $next->{refresh_token}, client_id => $app->{id}];
is token_status($res), '401 invalid_client',
    'public client cannot introspect with client_id alone (no credentials)';

# --- metadata --------------------------------------------------------------

my $m = eval { json_body(GET '/.well-known/oauth-authorization-server') } || {};
ok((grep { $_ eq 'none' } @{ $m->{token_endpoint_auth_methods_supported} || [] }),
   'metadata: token_endpoint_auth_methods_supported lists none');
ok(!(grep { $_ eq 'none' } @{ $m->{introspection_endpoint_auth_methods_supported} || [] }),
   'metadata: introspection_endpoint_auth_methods_supported does not list none');

done_testing;
