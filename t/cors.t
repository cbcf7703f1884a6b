# CORS for browser apps (docs/endpoints.md, "For app developers", "CORS"): the metadata
# answers any Origin with Access-Control-Allow-Origin: *; the token and
# revocation endpoints answer a preflight for any Origin, and name the
# Origin on the real answer only when it is the origin of one of the
# client's redirect URIs or in its allowed_origins; the authorize and
# introspection endpoints never send a CORS header.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use HTTP::Request ();
use MTO::Test;

my $SPA = 'https://spa.example.org';
my $EXTRA = 'http://localhost:5173';
my $OTHER = 'https://evil.example.net';

my $spa = add_client(public => undef, autoapprove => 'true',
                     grant_types => 'authorization_code,refresh_token',
                     redirect_uri => "$SPA/callback", allowed_origin => [$EXTRA]);
my $web = add_client(autoapprove => 'true');

sub cors_headers {
    my ($res) = @_;
    return join ' ', map { defined $res->header($_) ? "$_=" . $res->header($_) : () }
        qw(Access-Control-Allow-Origin Access-Control-Allow-Methods Access-Control-Allow-Headers
           Access-Control-Allow-Credentials Access-Control-Expose-Headers);
}

sub options {
    my ($path, $origin, @more) = @_;
    my $req = HTTP::Request->new(OPTIONS => Apache::TestRequest::resolve_url($path));
    $req->header(Origin => $origin);
    $req->header('Access-Control-Request-Method' => 'POST');
    $req->header('Access-Control-Request-Headers' => 'authorization, content-type');
    $req->header(@more) if @more;
    return Apache::TestRequest::user_agent()->request($req);
}

# --- metadata -------------------------------------------------------------

for my $origin ($OTHER, 'null') {
    my $res = GET '/.well-known/oauth-authorization-server', Origin => $origin;
    is $res->code, 200, "metadata with Origin $origin: 200";
    is $res->header('Access-Control-Allow-Origin'), '*', "metadata with Origin $origin: ACAO *";
}
my $res = GET '/.well-known/oauth-authorization-server';
is $res->header('Access-Control-Allow-Origin'), '*',
    'metadata without Origin: the same cacheable answer, ACAO *';

# --- preflight ----------------------------------------------------------------

for my $path ('/oauth/token', '/oauth/revoke') {
    for my $origin ($SPA, $OTHER) {
        $res = options($path, $origin);
        ok $res->code == 204 || $res->code == 200, "preflight $path from $origin: 2xx";
        my $acao = $res->header('Access-Control-Allow-Origin') // '';
        ok $acao eq '*' || $acao eq $origin, "preflight $path from $origin: the origin may ask";
        like $res->header('Access-Control-Allow-Methods') // '', qr/^POST$/,
            "preflight $path: methods POST";
        is lc($res->header('Access-Control-Allow-Headers') // ''), 'authorization, content-type',
            "preflight $path: headers Authorization, Content-Type";
        ok !defined $res->header('Access-Control-Allow-Credentials'),
            "preflight $path: no credentials";
    }
}
for my $path ('/oauth/introspect', '/oauth/authorize') {
    $res = options($path, $SPA, basic_header(alice => $USERS{alice}));
    is cors_headers($res), '', "preflight $path: no CORS header";
    isnt $res->code, 204, "preflight $path: not answered as a preflight";
}
$res = Apache::TestRequest::user_agent()->request(
    HTTP::Request->new(OPTIONS => Apache::TestRequest::resolve_url('/oauth/token')));
is $res->code, 405, 'OPTIONS without Origin at the token endpoint: 405 as before';
is cors_headers($res), '', 'OPTIONS without Origin: no CORS header';

# --- the real answers -----------------------------------------------------------

sub fresh_tokens {
    my ($origin) = @_;
    my $got = obtain_code(client => $spa, redirect_uri => "$SPA/callback",
                          code_challenge => 'A' x 43, code_challenge_method => 'S256');
    return POST '/oauth/token', [grant_type => 'authorization_code', code => $got->{code},
                                 redirect_uri => "$SPA/callback", client_id => $spa->{id},
                                 code_verifier => 'x' x 43],
        Origin => $origin;
}

# A verifier that does not match: invalid_grant, which the app must read too.
for my $origin ($SPA, $EXTRA) {
    $res = fresh_tokens($origin);
    is $res->code, 400, "token error from $origin: 400";
    is $res->header('Access-Control-Allow-Origin'), $origin, "token error from $origin: ACAO $origin";
    like $res->header('Vary') // '', qr/\bOrigin\b/, "token error from $origin: Vary: Origin";
}
$res = fresh_tokens($OTHER);
is cors_headers($res), '', 'token answer to an origin the client does not have: no CORS header';
$res = fresh_tokens("$SPA:443");
is cors_headers($res), '', 'an Origin that is not serialized as a browser does: no CORS header';

# A real token for the SPA, through its own origin.
{
    use Digest::SHA qw(sha256);
    use MIME::Base64 qw(encode_base64);
    my $verifier = 'v' x 50;
    (my $challenge = encode_base64(sha256($verifier), '')) =~ tr{+/=}{-_}d;
    my $got = obtain_code(client => $spa, redirect_uri => "$SPA/callback",
                          code_challenge => $challenge, code_challenge_method => 'S256');
    $res = POST '/oauth/token', [grant_type => 'authorization_code', code => $got->{code},
                                 redirect_uri => "$SPA/callback", client_id => $spa->{id},
                                 code_verifier => $verifier], Origin => $SPA;
    is $res->code, 200, 'token from the SPA origin: 200';
    is $res->header('Access-Control-Allow-Origin'), $SPA, 'token from the SPA origin: ACAO';
    ok !defined $res->header('Access-Control-Allow-Credentials'), 'token: no credentials';
    my $tok = eval { json_body($res) } || {};

    $res = POST '/oauth/introspect', [token => $tok->{access_token}, client_creds($web)],
        Origin => $SPA;
    is $res->code, 200, 'introspect with an Origin: 200';
    is cors_headers($res), '', 'introspect: never a CORS header';

    $res = POST '/oauth/revoke', [token => $tok->{access_token}, client_id => $spa->{id}],
        Origin => $OTHER;
    is $res->code, 200, 'revoke from another origin: done (CORS only guards reading)';
    is cors_headers($res), '', 'revoke from another origin: no CORS header';
    $res = POST '/oauth/revoke', [token => $tok->{refresh_token}, client_id => $spa->{id}],
        Origin => $EXTRA;
    is $res->code, 200, 'revoke from an allowed origin: 200';
    is $res->header('Access-Control-Allow-Origin'), $EXTRA, 'revoke from an allowed origin: ACAO';
    like $res->header('Vary') // '', qr/\bOrigin\b/, 'revoke from an allowed origin: Vary: Origin';
}

# A confidential web client: the origin of its redirect URI.
$res = POST '/oauth/token', [grant_type => 'authorization_code', code => 'nope' x 8,
                             client_creds($web)], Origin => 'http://localhost';
is $res->header('Access-Control-Allow-Origin'), 'http://localhost',
    'confidential client: the origin of its redirect URI is allowed';
$res = POST '/oauth/token', [grant_type => 'authorization_code', code => 'nope' x 8,
                             client_creds($web)], Origin => $SPA;
is cors_headers($res), '', "confidential client: another client's origin is not";

# --- authorize never ---------------------------------------------------------

$res = GET authorize_url(response_type => 'code', client_id => $spa->{id},
                         redirect_uri => "$SPA/callback", code_challenge => 'A' x 43,
                         code_challenge_method => 'S256'),
    basic_header(alice => $USERS{alice}), Origin => $SPA, redirect_ok => 0;
is $res->code, 302, 'authorize with an Origin: the redirect';
is cors_headers($res), '', 'authorize: never a CORS header';

done_testing;
