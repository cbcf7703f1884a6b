# The token endpoint's errors (docs/endpoints.md, RFC 6749 §5.2): each one a named
# check of status, error code, JSON body and no-store; the code's bindings
# (client, redirect_uri, PKCE, expiry, single use); expires_in.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use Digest::SHA qw(sha256_hex);
use MIME::Base64 qw(encode_base64);
use MTO::Test;


my $client = add_client();
my $other = add_client();
my $cb = 'http://localhost/cb';

sub token_post {
    my ($form, @headers) = @_;
    return POST '/oauth/token', $form, @headers;
}

# A fresh code for $c (default: $client).
sub fresh_code {
    my ($c, %opt) = @_;
    my $got = obtain_code(client => $c // $client, %opt);
    die "no code: " . join(', ', map { "$_=$got->{$_}" } sort keys %$got) . "\n"
        unless $got->{code};
    return $got->{code};
}

# The form of a good token request for $code, with %over replacing (or,
# undef, removing) fields.
sub form_for {
    my ($code, $c, %over) = @_;
    $c //= $client;
    my %f = (grant_type => 'authorization_code', code => $code, redirect_uri => $cb,
             client_id => $c->{id}, client_secret => $c->{secret});
    @f{keys %over} = values %over;
    return [map { defined $f{$_} ? ($_ => $f{$_}) : () }
            qw(grant_type code redirect_uri client_id client_secret code_verifier)];
}

# An RFC 6749 §5.2 error: status, JSON content type, no-store, error code.
sub oauth_error {
    my ($res, $status, $error, $name) = @_;
    is $res->code, $status, "$name: $status";
    like $res->header('Content-Type') // '', qr{^application/json\b}i, "$name: a JSON content type";
    is $res->header('Cache-Control'), 'no-store', "$name: Cache-Control: no-store";
    my $body = eval { json_body($res) } || {};
    is $body->{error}, $error, "$name: error=$error";
    ok !defined $body->{access_token}, "$name: no access_token";
    return $body;
}

sub token_ok {
    my ($res, $name) = @_;
    is $res->code, 200, "$name: 200";
    my $body = eval { json_body($res) } || {};
    ok length($body->{access_token} // '') >= 43, "$name: an access token";
    return $body;
}

sub token_rows {
    my ($token) = @_;
    return db_value("SELECT COUNT(*) FROM mto_access_token WHERE token_hash = '"
                    . sha256_hex($token) . "'");
}

# --- method and content type -------------------------------------------------

my $res = GET '/oauth/token';
is $res->code, 405, 'GET: 405';
is $res->header('Allow'), 'POST', 'GET: Allow: POST';
oauth_error($res, 405, 'invalid_request', 'GET');

$res = Apache::TestRequest::PUT('/oauth/token', content => 'grant_type=authorization_code',
                                'Content-Type' => 'application/x-www-form-urlencoded');
is $res->code, 405, 'PUT: 405';
is $res->header('Allow'), 'POST', 'PUT: Allow: POST';

my $code = fresh_code();
my $form_text = join '&', 'grant_type=authorization_code', "code=$code",
    'redirect_uri=http%3A%2F%2Flocalhost%2Fcb', "client_id=$client->{id}",
    "client_secret=$client->{secret}";
$res = POST '/oauth/token', 'Content-Type' => 'application/json',
    content => qq({"grant_type":"authorization_code","code":"$code"});
oauth_error($res, 400, 'invalid_request', 'Content-Type: application/json');
$res = POST '/oauth/token', 'Content-Type' => 'text/plain', content => $form_text;
oauth_error($res, 400, 'invalid_request', 'a form body sent as text/plain');
$res = POST '/oauth/token', 'Content-Type' => 'application/x-www-form-urlencodedx',
    content => $form_text;
oauth_error($res, 400, 'invalid_request', 'Content-Type: application/x-www-form-urlencodedx');
$res = POST '/oauth/token', [@{ form_for($code) }],
    'Content-Type' => 'multipart/form-data';
oauth_error($res, 400, 'invalid_request', 'multipart/form-data');

# --- parameters given twice ---------------------------------------------------

for my $dup (qw(code grant_type client_id redirect_uri client_secret)) {
    my @f = @{ form_for($code) };
    my %f = @f;
    $res = token_post([@f, $dup => $f{$dup}]);
    oauth_error($res, 400, 'invalid_request', "$dup given twice");
}
$res = token_post([@{ form_for($code) }, Code => $code]);
oauth_error($res, 400, 'invalid_request', 'code beside Code (a case variant)');
token_ok(token_post(form_for($code)), 'the code refused for duplicates still redeems');

# --- client authentication ----------------------------------------------------

$code = fresh_code();
$res = token_post(form_for($code), client_basic_header($client->{id}, $client->{secret}));
oauth_error($res, 400, 'invalid_request', 'Basic and client_secret in the body');
$res = token_post(form_for($code, undef, client_id => $other->{id}, client_secret => undef),
                  client_basic_header($client->{id}, $client->{secret}));
oauth_error($res, 400, 'invalid_request', 'Basic for one client, client_id of another in the body');

$res = token_post(form_for($code, undef, client_id => undef, client_secret => undef));
oauth_error($res, 401, 'invalid_client', 'no client authentication');
$res = token_post(form_for($code, undef, client_secret => undef));
oauth_error($res, 401, 'invalid_client', 'client_id without client_secret');
$res = token_post(form_for($code, undef, client_id => undef));
oauth_error($res, 401, 'invalid_client', 'client_secret without client_id');

$res = token_post(form_for($code, undef, client_id => 'no-such-client'));
oauth_error($res, 401, 'invalid_client', 'unknown client (post)');
$res = token_post(form_for($code, undef, client_id => undef, client_secret => undef),
                  client_basic_header('no-such-client', 'x'));
oauth_error($res, 401, 'invalid_client', 'unknown client (Basic)');
like $res->header('WWW-Authenticate') // '', qr/^Basic\b/i,
    'unknown client (Basic): WWW-Authenticate: Basic';

$res = token_post(form_for($code, undef, client_id => undef, client_secret => undef),
                  client_basic_header($client->{id}, 'wrong-secret'));
oauth_error($res, 401, 'invalid_client', 'wrong secret (Basic)');
like $res->header('WWW-Authenticate') // '', qr/^Basic\b/i,
    'wrong secret (Basic): WWW-Authenticate: Basic';

$res = token_post(form_for($code, undef, client_secret => 'wrong-secret'));
oauth_error($res, 401, 'invalid_client', 'wrong secret (post)');
unlike $res->header('WWW-Authenticate') // '', qr/Basic/i,
    'wrong secret (post): no WWW-Authenticate: Basic';

$res = token_post(form_for($code, undef, client_secret => ''));
oauth_error($res, 401, 'invalid_client', 'empty client_secret (post)');

$res = token_post(form_for($code, undef, client_id => undef, client_secret => undef),
                  Authorization => 'Basic !!not-base64!!');
oauth_error($res, 401, 'invalid_client', 'malformed Basic credentials');
like $res->header('WWW-Authenticate') // '', qr/^Basic\b/i,
    'malformed Basic credentials: WWW-Authenticate: Basic';
$res = token_post(form_for($code, undef, client_id => undef, client_secret => undef),
                  Authorization => 'Basic ' . encode_base64("$client->{id}$client->{secret}", ''));
oauth_error($res, 401, 'invalid_client', 'Basic credentials without a colon');
$res = token_post(form_for($code, undef, client_id => undef, client_secret => undef),
                  Authorization => 'Bearer ' . $client->{secret});
oauth_error($res, 401, 'invalid_client', 'Authorization: Bearer instead of Basic');

token_ok(token_post(form_for($code, undef, client_id => undef, client_secret => undef),
                    client_basic_header($client->{id}, $client->{secret})),
         'the same code then redeems with good Basic credentials');

# --- grant_type ---------------------------------------------------------------

$code = fresh_code();
oauth_error(token_post(form_for($code, undef, grant_type => undef)), 400, 'invalid_request',
            'no grant_type');
oauth_error(token_post(form_for($code, undef, grant_type => 'password')), 400,
            'unsupported_grant_type', 'grant_type=password');
oauth_error(token_post(form_for($code, undef, grant_type => 'client_credentials')), 400,
            'unsupported_grant_type', 'grant_type=client_credentials');
oauth_error(token_post(form_for($code, undef, grant_type => 'Authorization_Code')), 400,
            'unsupported_grant_type', 'grant_type is case-sensitive');

# The admin tool insists on authorization_code; an existing MyTimetable
# database may hold other grant types.
my $nogrant = { id => "no-code-grant-$$-" . time, secret => 'no-code-grant-secret' };
db_sql('INSERT INTO oauth_client_details (client_id, resource_ids, client_secret, scope, '
    . 'authorized_grant_types, web_server_redirect_uri, authorities, access_token_validity, '
    . 'refresh_token_validity, additional_information, autoapprove) VALUES '
    . "('$nogrant->{id}', NULL, '{SHA-256}" . sha256_hex($nogrant->{secret}) . "', "
    . "'profile_read', 'password,refresh_token', 'http://localhost/cb', NULL, NULL, NULL, "
    . 'NULL, NULL)');
oauth_error(token_post(form_for('whatever', $nogrant)), 400, 'unauthorized_client',
            'a client without the authorization_code grant');

# --- the code -----------------------------------------------------------------

oauth_error(token_post(form_for(undef)), 400, 'invalid_request', 'no code');
oauth_error(token_post(form_for('')), 400, 'invalid_request', 'empty code');
oauth_error(token_post(form_for('no-such-code-' . 'x' x 30)), 400, 'invalid_grant', 'unknown code');

oauth_error(token_post(form_for($code, $other)), 400, 'invalid_grant',
            'a code issued to another client');

oauth_error(token_post(form_for($code, undef, redirect_uri => 'http://localhost/other')), 400,
            'invalid_grant', 'redirect_uri differs from the authorization request');
oauth_error(token_post(form_for($code, undef, redirect_uri => "$cb/")), 400,
            'invalid_grant', 'redirect_uri differs by a trailing slash');
oauth_error(token_post(form_for($code, undef, redirect_uri => undef)), 400,
            'invalid_grant', 'redirect_uri missing though the authorization request had one');
token_ok(token_post(form_for($code)), 'the code then redeems for its own client and redirect_uri');

# Authorization request without redirect_uri (one registered): none needed,
# and a registered one is accepted (RFC 6749 §4.1.3 asks it only when sent).
$code = fresh_code(undef, redirect_uri => undef);
oauth_error(token_post(form_for($code, undef, redirect_uri => 'http://localhost/other')), 400,
            'invalid_grant', 'no redirect_uri at authorize, an unregistered one at the token endpoint');
token_ok(token_post(form_for($code, undef, redirect_uri => undef)),
         'no redirect_uri at authorize nor at the token endpoint');

# Expired.
$code = fresh_code();
db_sql("UPDATE mto_code SET expires_at = 1 WHERE code_hash = '" . sha256_hex($code) . "'");
oauth_error(token_post(form_for($code)), 400, 'invalid_grant', 'an expired code');

# PKCE bindings (RFC 7636 §4.6).
my $verifier = 'v' x 43 . '-._~0123456789';
(my $challenge = MIME::Base64::encode_base64(Digest::SHA::sha256($verifier), '')) =~ tr{+/=}{-_}d;
$code = fresh_code(undef, code_challenge => $challenge, code_challenge_method => 'S256');
oauth_error(token_post(form_for($code)), 400, 'invalid_grant', 'PKCE: code_verifier missing');
oauth_error(token_post(form_for($code, undef, code_verifier => 'w' x 43)), 400, 'invalid_grant',
            'PKCE: wrong code_verifier');
token_ok(token_post(form_for($code, undef, code_verifier => $verifier)), 'PKCE: right code_verifier');
$code = fresh_code();
oauth_error(token_post(form_for($code, undef, code_verifier => $verifier)), 400, 'invalid_grant',
            'PKCE: code_verifier for a code issued without code_challenge');

# Replay: invalid_grant, and the token issued from the code is revoked.
$code = fresh_code();
my $tok = token_ok(token_post(form_for($code)), 'replay: the first redemption');
is token_rows($tok->{access_token}), 1, 'replay: the first token is in mto_access_token';
is db_value("SELECT COUNT(*) FROM mto_access_token WHERE token_hash = '$tok->{access_token}'"), 0,
    'the access token is stored only as its SHA-256, not in clear';
is db_value("SELECT COUNT(*) FROM mto_code WHERE code_hash = '$code'"), 0,
    'the code is stored only as its SHA-256, not in clear';
my $body = oauth_error(token_post(form_for($code)), 400, 'invalid_grant', 'replay: the second redemption');
unlike $body->{error_description} // '', qr/\Q$code\E/, 'replay: the description does not quote the code';
is token_rows($tok->{access_token}), 0, 'replay: the first token is gone from mto_access_token';
oauth_error(token_post(form_for($code)), 400, 'invalid_grant', 'replay: a third redemption');
is scalar(log_grep($code)), 0, 'replay: the code is in no log line';

# --- expires_in ---------------------------------------------------------------

my $forever = add_client(access_validity => 0);
$tok = token_ok(token_post(form_for(fresh_code($forever), $forever)), 'access_token_validity 0');
ok !exists $tok->{expires_in}, 'access_token_validity 0: no expires_in';
is db_value("SELECT expires_at FROM mto_access_token WHERE token_hash = '"
            . sha256_hex($tok->{access_token}) . "'"), 0,
    'access_token_validity 0: stored with expires_at 0';

my $short = add_client(access_validity => 1234);
$tok = token_ok(token_post(form_for(fresh_code($short), $short)), 'access_token_validity 1234');
is $tok->{expires_in}, 1234, 'access_token_validity 1234: expires_in 1234';
is $tok->{token_type}, 'bearer', 'token_type bearer';

done_testing();
