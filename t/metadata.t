# Authorization server metadata (RFC 8414, docs/endpoints.md): what a strict client
# that discovers the server from <issuer>/.well-known/oauth-authorization-server
# checks (§3.3), with the issuer derived from the request and configured
# (MyTimetableOAuthIssuer); only the endpoints the admin actually mapped are
# listed, and each listed one answers; the issuer is the `iss` of authorize
# redirects (RFC 9207).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use Digest::SHA ();
use JSON ();
use MIME::Base64 ();
use URI;
use MTO::Test;

my $WELL_KNOWN = '/.well-known/oauth-authorization-server';
my @AUTH_METHODS = qw(client_secret_basic client_secret_post);
# Public clients authenticate with client_id alone at the token and revocation endpoints.
my %PUBLIC_OK = (token => 1, revocation => 1);
my @ENDPOINTS = qw(authorization_endpoint token_endpoint revocation_endpoint
                   introspection_endpoint);

my $client = add_client();

# The metadata as a strict client gets it for $issuer (RFC 8414 §3.3): the
# document at $issuer + the well-known path (reached at the selected test
# host, whatever the issuer's host: a proxy in front of it), with the
# issuer it was built from, and every endpoint an absolute URL on that
# issuer.  @headers go with the request.
sub discover {
    my ($issuer, $name, @headers) = @_;
    my $url = URI->new($issuer . $WELL_KNOWN);
    my $res = GET $url->path, @headers;
    is $res->code, 200, "$name: 200";
    like $res->header('Content-Type') // '', qr{^application/json\b}, "$name: JSON";
    like $res->header('Cache-Control') // '', qr/^max-age=\d+$/, "$name: cacheable for a while";
    my $m = eval { json_body($res) } || {};
    is $m->{issuer}, $issuer, "$name: issuer is the issuer the URL was built from";
    my $base = URI->new($issuer);
    for my $member (grep { /_endpoint$/ } sort keys %$m) {
        my $u = URI->new($m->{$member});
        ok $u->scheme && $u->scheme eq $base->scheme && $u->host_port eq $base->host_port,
            "$name: $member is an absolute URL on the issuer ($m->{$member})";
        ok !defined $u->query && !defined $u->fragment, "$name: $member has no query or fragment";
    }
    return $m;
}

# Each listed endpoint answers as the module's handler (its URL's path, at
# the selected test host).
sub endpoints_answer {
    my ($m, $name) = @_;
    my $path = sub { URI->new($m->{ $_[0] })->path };
    if ($m->{authorization_endpoint}) {
        my $res = GET $path->('authorization_endpoint'), basic_header(alice => $USERS{alice});
        ok $res->code == 400 && ($res->header('X-Frame-Options') // '') eq 'DENY',
            "$name: authorization_endpoint answers (the module's 400 page without client_id)";
    }
    for my $member (qw(token_endpoint revocation_endpoint introspection_endpoint)) {
        next unless $m->{$member};
        my $res = POST $path->($member), [grant_type => 'authorization_code', token => 'x'];
        my $body = eval { json_body($res) } || {};
        ok $res->code == 401 && ($body->{error} // '') eq 'invalid_client',
            "$name: $member answers (401 invalid_client without client authentication)";
    }
}

# The capabilities every server states (docs/endpoints.md).
sub capabilities_ok {
    my ($m, $name, $scopes, $pkce) = @_;
    is_deeply $m->{scopes_supported}, $scopes, "$name: scopes_supported are the configured scopes";
    is_deeply $m->{response_types_supported}, ['code'], "$name: response_types_supported [code]";
    is_deeply $m->{response_modes_supported}, ['query'], "$name: response_modes_supported [query]";
    is_deeply $m->{grant_types_supported}, [qw(authorization_code refresh_token)],
        "$name: grant_types_supported";
    for my $ep (qw(token revocation introspection)) {
        is_deeply $m->{"${ep}_endpoint_auth_methods_supported"},
            [@AUTH_METHODS, $PUBLIC_OK{$ep} ? 'none' : ()],
            "$name: ${ep}_endpoint_auth_methods_supported";
    }
    is_deeply $m->{code_challenge_methods_supported}, $pkce, "$name: code_challenge_methods_supported";
    ok JSON::is_bool($m->{authorization_response_iss_parameter_supported})
        && $m->{authorization_response_iss_parameter_supported},
        "$name: authorization_response_iss_parameter_supported true";
}

sub s256 {
    (my $c = MIME::Base64::encode_base64(Digest::SHA::sha256($_[0]), '')) =~ tr{+/=}{-_}d;
    return $c;
}

# --- the main server: the issuer derived from the request -------------------

my $issuer = 'http://' . Apache::TestRequest::hostport();
my $m = discover($issuer, 'derived issuer');
is_deeply [map { $m->{$_} } @ENDPOINTS],
    [map { "$issuer$_" } qw(/oauth/authorize /oauth/token /oauth/revoke /oauth/introspect)],
    'derived issuer: every mapped endpoint, at its <Location>';
capabilities_ok($m, 'derived issuer', \@SCOPES, [qw(S256 plain)]);
endpoints_answer($m, 'derived issuer');
is obtain_code(client => $client)->{iss}, $m->{issuer},
    'derived issuer: the iss of an authorize redirect is the metadata issuer';

$m = discover('http://as.test.example:8443', 'derived issuer, another Host header',
              Host => 'as.test.example:8443');
is $m->{token_endpoint}, 'http://as.test.example:8443/oauth/token',
    'derived issuer, another Host header: the endpoints follow it';

my $res = Apache::TestRequest::HEAD($WELL_KNOWN);
is $res->code, 200, 'HEAD: 200';
is $res->content, '', 'HEAD: no body';
method_refused($WELL_KNOWN, 'GET, HEAD', qw(POST PUT));

# --- a configured issuer ----------------------------------------------------------

Apache::TestRequest::module('endpoints_issuer');
$issuer = 'https://as.example.org';             # configured with a trailing slash
$m = discover($issuer, 'configured issuer');
is_deeply [map { $m->{$_} } @ENDPOINTS],
    [map { "$issuer$_" } qw(/oauth/authorize /oauth/token /oauth/revoke /oauth/introspect)],
    'configured issuer: the endpoints are on the issuer, not on the request\'s host';
capabilities_ok($m, 'configured issuer', [qw(profile_read campus_rooms)], ['S256']);
endpoints_answer($m, 'configured issuer');
is discover($issuer, 'configured issuer, another Host header', Host => 'evil.example')->{issuer},
    $issuer, 'configured issuer: the Host header changes nothing';
is obtain_code(client => $client, scope => 'profile_read', code_challenge => s256('v' x 43),
               code_challenge_method => 'S256')->{iss},
    $issuer, 'configured issuer: the iss of an authorize redirect is the metadata issuer';

# --- only what is mapped ----------------------------------------------------------

Apache::TestRequest::module('endpoints_partial');
$issuer = 'http://' . Apache::TestRequest::hostport();
$m = discover($issuer, 'partly mapped');
is $m->{authorization_endpoint}, "$issuer/oauth/authorize",
    'partly mapped: the inherited authorize endpoint is listed';
is $m->{token_endpoint}, "$issuer/partial/token",
    'partly mapped: the token endpoint at the host\'s own path, not at the one taken away';
ok !exists $m->{introspection_endpoint},
    'partly mapped: no introspection_endpoint (SetHandler none in a later <Location>)';
ok !exists $m->{revocation_endpoint},
    'partly mapped: no revocation_endpoint (SetHandler none in a later <LocationMatch>)';
endpoints_answer($m, 'partly mapped');
for my $path (qw(/oauth/introspect /oauth/revoke /oauth/token)) {
    isnt POST($path, [token => 'x'])->code, 401, "partly mapped: $path does not answer as ours";
}

Apache::TestRequest::module('default');

done_testing();
