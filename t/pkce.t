# PKCE on the authorize side (RFC 7636 §4.3, §4.4.1; docs/endpoints.md): which
# challenges are accepted and bound to the code, which are refused with a
# redirect error=invalid_request, and MyTimetableOAuthRequirePKCE On (the
# "pkce" virtual host, t/conf/pkce.conf.in): S256 only.  The token side
# (missing or wrong code_verifier, a verifier for a code issued without a
# challenge) is in t/token_errors.t.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use Digest::SHA qw(sha256 sha256_hex);
use MIME::Base64 qw(encode_base64);
use MTO::Test;


my $client = add_client(autoapprove => 'true');
my $cb = 'http://localhost/cb';
my @alice = basic_header(alice => $USERS{alice});

sub s256 {
    (my $c = encode_base64(sha256($_[0]), '')) =~ tr{+/=}{-_}d;
    return $c;
}

my $verifier = join '', map { ('A' .. 'Z', 'a' .. 'z', 0 .. 9, '-', '.', '_', '~')[int rand 66] }
    1 .. 64;
my $challenge = s256($verifier);
remember_secret('PKCE code_verifier', $verifier);

# An authorization request with @extra appended (a key may repeat).
sub authz {
    my @extra = @_;
    return GET authorize_url(response_type => 'code', client_id => $client->{id},
                             redirect_uri => $cb, state => 'pk', @extra),
        @alice, redirect_ok => 0;
}

# The request is refused back to the client: 302, error=invalid_request, no code.
sub refused {
    my ($res, $name) = @_;
    is $res->code, 302, "$name: a redirect";
    like $res->header('Location') // '', qr{^\Q$cb\E\?}, "$name: back to the client";
    my $p = eval { location_params($res) } || {};
    is $p->{error}, 'invalid_request', "$name: error=invalid_request";
    is $p->{state}, 'pk', "$name: state comes back";
    ok !defined $p->{code}, "$name: no code";
    # RFC 6749 §4.1.2.1: error_description is printable ASCII without " and \.
    like $p->{error_description} // '', qr/^[\x20\x21\x23-\x5B\x5D-\x7E]+\z/,
        "$name: error_description is printable ASCII";
}

# A code was issued; returns it (or '').
sub issued {
    my ($res, $name) = @_;
    is $res->code, 302, "$name: a redirect";
    my $p = eval { location_params($res) } || {};
    ok !defined $p->{error}, "$name: no error" or diag "error=$p->{error}";
    ok length($p->{code} // '') >= 22, "$name: a code";
    return $p->{code} // '';
}

# The PKCE columns stored with the code.
sub bound {
    my ($code) = @_;
    my ($row) = db_sql("SELECT challenge, challenge_method FROM mto_code WHERE code_hash = '"
                       . sha256_hex($code) . "'");
    return $row ? "@$row" : '(no row)';
}

sub redeem {
    my ($code, $code_verifier) = @_;
    return POST '/oauth/token', [
        grant_type => 'authorization_code', code => $code, redirect_uri => $cb,
        client_id => $client->{id}, client_secret => $client->{secret},
        (defined $code_verifier ? (code_verifier => $code_verifier) : ()),
    ];
}

sub token_status {
    my ($res) = @_;
    my $body = eval { json_body($res) } || {};
    return join ' ', $res->code, $body->{error} // ($body->{access_token} ? 'token' : '-');
}

# --- accepted challenges ------------------------------------------------------

my $code = issued(authz(code_challenge => $challenge, code_challenge_method => 'S256'), 'S256');
is bound($code), "$challenge S256", 'S256: challenge and method are stored with the code';
is token_status(redeem($code, $challenge)), '400 invalid_grant',
    'S256: the challenge itself as code_verifier is refused';
is token_status(redeem($code, $verifier)), '200 token', 'S256: the right code_verifier redeems';

my $plain = 'p' x 43 . '-._~' . join '', map { ('a' .. 'z')[int rand 26] } 1 .. 20;
$code = issued(authz(code_challenge => $plain, code_challenge_method => 'plain'), 'plain');
is bound($code), "$plain plain", 'plain: challenge and method are stored with the code';
is token_status(redeem($code, s256($plain))), '400 invalid_grant',
    'plain: the S256 transform of the challenge is not its verifier';
is token_status(redeem($code, $plain)), '200 token', 'plain: the challenge as code_verifier redeems';

$code = issued(authz(code_challenge => $plain), 'code_challenge without a method');
is bound($code), "$plain plain", 'code_challenge without a method: stored as plain (RFC 7636 §4.3)';

$code = issued(authz(code_challenge => 'm' x 128, code_challenge_method => 'plain'),
               'plain, 128 characters');

# --- refused challenges -------------------------------------------------------

refused(authz(code_challenge => substr($challenge, 0, 42), code_challenge_method => 'S256'),
        'S256 challenge of 42 characters');
refused(authz(code_challenge => "${challenge}A", code_challenge_method => 'S256'),
        'S256 challenge of 44 characters');
refused(authz(code_challenge => "$challenge=", code_challenge_method => 'S256'),
        'S256 challenge with = padding');
(my $std_b64 = $challenge) =~ tr{-_}{+/};
$std_b64 = 'A+/' . substr($std_b64, 3) unless $std_b64 =~ m{[+/]};
refused(authz(code_challenge => $std_b64, code_challenge_method => 'S256'),
        'S256 challenge in standard base64 (+ and /)');
refused(authz(code_challenge => substr($challenge, 0, 42) . 'B', code_challenge_method => 'S256'),
        'S256 challenge no SHA-256 can give (last character carries stray bits)');
refused(authz(code_challenge => 'v' x 64, code_challenge_method => 'S256'),
        'S256 challenge of 64 characters (a verifier sent instead)');
refused(authz(code_challenge => 'p' x 42, code_challenge_method => 'plain'),
        'plain challenge of 42 characters');
refused(authz(code_challenge => 'p' x 129, code_challenge_method => 'plain'),
        'plain challenge of 129 characters');
refused(authz(code_challenge => 'p' x 42 . '+', code_challenge_method => 'plain'),
        'plain challenge with a + (not unreserved)');
refused(authz(code_challenge => 'p' x 42 . ' ', code_challenge_method => 'plain'),
        'plain challenge with a space');
refused(authz(code_challenge => '', code_challenge_method => 'S256'), 'empty code_challenge');

for my $method ('s256', 'SHA256', 'S512', 'none', '') {
    refused(authz(code_challenge => $challenge, code_challenge_method => $method),
            "code_challenge_method '$method'");
}

refused(authz(code_challenge_method => 'S256'), 'code_challenge_method without code_challenge');
refused(authz(code_challenge => $challenge, code_challenge => $challenge,
              code_challenge_method => 'S256'), 'code_challenge given twice (same value)');
refused(authz(code_challenge => $challenge, code_challenge => s256('other' x 10),
              code_challenge_method => 'S256'), 'code_challenge given twice (two values)');
refused(authz(code_challenge => $challenge, code_challenge_method => 'S256',
              code_challenge_method => 'S256'), 'code_challenge_method given twice');

# --- MyTimetableOAuthRequirePKCE On --------------------------------------------

my $main_host = Apache::TestRequest::hostport();
Apache::TestRequest::module('pkce');
isnt Apache::TestRequest::hostport(), $main_host,
    'RequirePKCE On: the pkce virtual host has a port of its own';

refused(authz(), 'RequirePKCE On: no code_challenge');
refused(authz(code_challenge => $plain, code_challenge_method => 'plain'),
        'RequirePKCE On: plain');
refused(authz(code_challenge => $plain), 'RequirePKCE On: code_challenge without a method (plain)');
refused(authz(code_challenge_method => 'S256'), 'RequirePKCE On: S256 without code_challenge');
refused(authz(code_challenge => substr($challenge, 0, 42), code_challenge_method => 'S256'),
        'RequirePKCE On: a malformed S256 challenge');

$code = issued(authz(code_challenge => $challenge, code_challenge_method => 'S256'),
               'RequirePKCE On: S256');
is bound($code), "$challenge S256", 'RequirePKCE On: S256 is stored with the code';
is token_status(redeem($code)), '400 invalid_grant', 'RequirePKCE On: no code_verifier is refused';
my $res = redeem($code, $verifier);
is token_status($res), '200 token', 'RequirePKCE On: S256 works end to end';

Apache::TestRequest::module('default');

# (A plain challenge is its verifier and travels in the URL: that is plain's weakness.)
is scalar(log_grep($verifier)), 0, 'no S256 code_verifier in any log';

done_testing();
