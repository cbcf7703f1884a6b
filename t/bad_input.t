# Hostile input (README "Security notes": "a 500 or a crash for any request a client can
# send" never happens).  Every parameter of the authorize endpoint, of its
# consent POST and of the token endpoint, and the token endpoint's Basic
# header, gets: an empty value, 64 KB, %zz, %00, undecodable UTF-8 (%C3%28,
# %FF, and the same bytes raw) and a second copy.  Every answer must be a
# 4xx: JSON with an RFC 6749 §5.2 error at the token endpoint; at the
# authorize endpoint a 400 HTML page or a redirect to the client with error=.
# Afterwards the server still serves a whole good flow.
#
# The requests are written on a raw socket: LWP and URI would re-encode the
# raw bytes this test is about.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use Digest::SHA qw(sha256 sha256_hex);
use HTTP::Response ();
use IO::Socket::INET ();
use MIME::Base64 qw(encode_base64);
use Time::HiRes ();
use URI::Escape qw(uri_escape);
use MTO::Test;


my $started = Time::HiRes::time();
$SIG{PIPE} = 'IGNORE';
my @alice = basic_header(alice => $USERS{alice});
my $cb = 'http://localhost/cb';

my %AUTHZ_ERRORS = map { $_ => 1 }
    qw(invalid_request unauthorized_client access_denied unsupported_response_type invalid_scope);
my %TOKEN_ERRORS = map { $_ => 1 }
    qw(invalid_request invalid_client invalid_grant unauthorized_client unsupported_grant_type
       invalid_scope);

# The bad values, as they go on the wire (already form-encoded, or raw).
my $K64 = 'A' x 65536;
my @VARIANTS = (
    [empty     => ''],
    [long64k   => $K64],
    [pct_zz    => '%zz'],
    [pct_00    => 'a%00b'],
    [pct_c328  => '%C3%28'],
    [pct_ff    => '%FF'],
    [raw_c328  => "\xC3\x28"],
    [raw_ff    => "\xFF"],
    [repeated  => undef],           # the parameter twice, its good value each time
);

# --- a raw HTTP/1.0 client --------------------------------------------------

sub raw_request {
    my ($method, $target, $headers, $body) = @_;
    my $sock = IO::Socket::INET->new(PeerAddr => Apache::TestRequest::hostport(), Timeout => 30)
        or die "connect: $!\n";
    binmode $sock;
    my $req = "$method $target HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n";
    my @h = @{ $headers // [] };
    while (my ($k, $v) = splice @h, 0, 2) {
        $req .= "$k: $v\r\n";
    }
    if (defined $body) {
        $req .= "Content-Type: application/x-www-form-urlencoded\r\n"
              . 'Content-Length: ' . length($body) . "\r\n";
    }
    $req .= "\r\n" . ($body // '');
    print {$sock} $req;
    my $resp = do { local $/; <$sock> } // '';
    close $sock;
    return HTTP::Response->parse($resp);
}

# name=value pairs on the wire: [name, encoded value] each.
sub wire {
    my @pairs = @_;
    return join '&', map { "$_->[0]=$_->[1]" } @pairs;
}

# The good pairs with $param given $variant's value (or twice).
sub spoil {
    my ($pairs, $param, $variant) = @_;
    my ($vname, $value) = @$variant;
    my @out;
    for my $p (@$pairs) {
        if ($p->[0] ne $param) { push @out, $p }
        elsif (!defined $value) { push @out, $p, $p }
        else { push @out, [$param, $value] }
    }
    return @out;
}

sub sql_str { (my $v = shift) =~ s/'/''/g; "'$v'" }

# --- clients ----------------------------------------------------------------

# Autoapproved (no consent page), scope profile_read alltimetables.
my $secret = 'bad-input-' . join '', map { sprintf '%02x', int rand 256 } 1 .. 8;
my $client = { id => "bad-input-$$-" . time, secret => $secret };
db_sql('INSERT INTO oauth_client_details (client_id, resource_ids, client_secret, scope, '
    . 'authorized_grant_types, web_server_redirect_uri, authorities, access_token_validity, '
    . 'refresh_token_validity, additional_information, autoapprove) VALUES ('
    . sql_str($client->{id}) . ', NULL, ' . sql_str('{SHA-256}' . sha256_hex($secret))
    . ", 'profile_read,alltimetables', 'authorization_code', 'http://localhost/cb', NULL, NULL, "
    . "NULL, NULL, 'true')");
remember_secret('client secret', $secret);

my $verifier = join '', map { ('a' .. 'z', 0 .. 9, '-', '_')[int rand 38] } 1 .. 64;
remember_secret('PKCE code_verifier', $verifier);
(my $challenge = encode_base64(sha256($verifier), '')) =~ tr{+/=}{-_}d;

my @AUTHZ_GOOD = (
    [response_type         => 'code'],
    [client_id             => uri_escape($client->{id})],
    [redirect_uri          => uri_escape($cb)],
    [scope                 => 'profile_read'],
    [state                 => 'st-1'],
    [code_challenge        => $challenge],
    [code_challenge_method => 'S256'],
);

sub authorize_raw {
    my ($query, $method, $headers, $body) = @_;
    return raw_request($method // 'GET', "/oauth/authorize?$query", [@alice, @{ $headers // [] }],
                       $body);
}

# What the authorize endpoint may answer: an HTML 400 page without a
# redirect, or a redirect to the client carrying an RFC error.  %allow:
# page => 1 / redirect => 1, success => 1 (a code is a right answer too).
sub authorize_verdict {
    my ($res, $name, %allow) = @_;
    my $code = $res->code // 0;
    my $loc = $res->header('Location');
    if ($code >= 500 || $code < 300) {
        fail "$name: a 4xx or an error redirect, not $code";
        diag substr($res->content // '', 0, 300);
        return;
    }
    if ($code == 302 || $code == 303) {
        my $p = eval { query_params($loc) } || {};
        my $to_client = ($loc // '') =~ /^\Qhttp:\/\/localhost\/cb?\E/;
        if ($allow{success} && $to_client && defined $p->{code} && !defined $p->{error}) {
            pass "$name: $code, a code (an acceptable value)";
            return;
        }
        ok $allow{redirect} && $to_client && $AUTHZ_ERRORS{ $p->{error} // '' },
            "$name: $code to the client with error=" . ($p->{error} // '(none)')
            or diag "Location: " . ($loc // '(none)');
        return;
    }
    if ($code == 400) {
        ok $allow{page} && !defined $loc && ($res->header('Content-Type') // '') =~ m{^text/html},
            "$name: 400 HTML page, no redirect"
            or diag 'Location: ' . ($loc // '(none)') . "\n" . substr($res->content // '', 0, 300);
        return;
    }
    # httpd itself refuses what is beyond its limits (LimitRequestLine).
    ok $allow{core} && $code >= 400 && $code < 500, "$name: $code from httpd's request limits"
        or diag substr($res->content // '', 0, 300);
}

# --- the authorize endpoint -------------------------------------------------

my $res = authorize_raw(wire(@AUTHZ_GOOD));
is $res->code, 302, 'authorize: the good request redirects';
ok defined eval { location_params($res) }->{code}, 'authorize: the good request gets a code';

my %page_params = map { $_ => 1 } qw(client_id redirect_uri);
for my $param (map { $_->[0] } @AUTHZ_GOOD) {
    for my $variant (@VARIANTS, [long6k => 'A' x 6000]) {
        my $name = "authorize $param=$variant->[0]";
        my %allow = $page_params{$param} ? (page => 1) : (redirect => 1);
        # An empty state is no state, a long one is the client's business;
        # an empty scope may read as no scope.
        $allow{success} = 1 if ($param eq 'state' && $variant->[0] =~ /^(empty|long6k)$/)
            || ($param eq 'scope' && $variant->[0] eq 'empty');
        $allow{core} = 1 if $variant->[0] eq 'long64k';
        authorize_verdict(authorize_raw(wire(spoil(\@AUTHZ_GOOD, $param, $variant))), $name, %allow);
    }
}
authorize_verdict(authorize_raw(wire(@AUTHZ_GOOD, ['%zz', 'x'])), 'authorize: a name %zz',
                  redirect => 1);
authorize_verdict(authorize_raw(wire(@AUTHZ_GOOD, ['', 'x'])), 'authorize: an empty name',
                  redirect => 1);
authorize_verdict(authorize_raw(wire(@AUTHZ_GOOD, map { ["p$_", 'x'] } 1 .. 100)),
                  'authorize: 100 more parameters', redirect => 1);

# --- the consent POST -------------------------------------------------------

# A client without autoapprove; bob never approves it, so the page stays.
my $asking = add_client(scope => 'profile_read');
my @bob = basic_header(bob => $USERS{bob});
my $consent_query = wire([response_type => 'code'], [client_id => uri_escape($asking->{id})],
                         [redirect_uri => uri_escape($cb)], [state => 'c1']);
$res = raw_request('GET', "/oauth/authorize?$consent_query", [@bob]);
is $res->code, 200, 'consent: the page is shown';
my $form = consent_form($res) || { fields => [] };
my %fields = @{ $form->{fields} };
ok length($fields{csrf_token} // ''), 'consent: the page has a csrf_token';
my @CONSENT_GOOD = ([csrf_token => uri_escape($fields{csrf_token} // '')],
                    [user_oauth_approval => 'true']);
for my $param (qw(csrf_token user_oauth_approval)) {
    for my $variant (@VARIANTS) {
        my $body = wire(spoil(\@CONSENT_GOOD, $param, $variant));
        $res = raw_request('POST', "/oauth/authorize?$consent_query", [@bob], $body);
        # A body that cannot be decoded has no readable csrf_token either:
        # the page, not a redirect, for an unverified POST.
        authorize_verdict($res, "consent POST $param=$variant->[0]",
                          $param eq 'csrf_token' ? (page => 1) : (redirect => 1, page => 1));
    }
}
$res = raw_request('POST', "/oauth/authorize?$consent_query", [@bob],
                   wire($CONSENT_GOOD[0], [user_oauth_approval => 'false']));
my $denied = eval { location_params($res) } || {};
is $denied->{error}, 'access_denied', 'consent: the CSRF token still works (deny)';

# --- the token endpoint -----------------------------------------------------

sub token_verdict {
    my ($res, $name, %allow) = @_;
    my $code = $res->code // 0;
    my $body = eval { json_body($res) };
    if ($allow{core} && $code >= 400 && $code < 500 && !$body) {
        pass "$name: $code from httpd's request limits";
        return;
    }
    ok $code >= 400 && $code < 500, "$name: a 4xx ($code)"
        or diag substr($res->content // '', 0, 300);
    ok $body && $TOKEN_ERRORS{ $body->{error} // '' }
        && ($code == 401) == ($body->{error} eq 'invalid_client'),
        "$name: JSON error " . ($body ? $body->{error} // '(none)' : '(not JSON)')
        or diag substr($res->content // '', 0, 300);
    ok !($body && $body->{access_token}), "$name: no token";
}

my $got = obtain_code(client => $client, scope => 'profile_read', code_challenge => $challenge,
                      code_challenge_method => 'S256');
my @TOKEN_GOOD = (
    [grant_type    => 'authorization_code'],
    [code          => $got->{code}],
    [redirect_uri  => uri_escape($cb)],
    [client_id     => uri_escape($client->{id})],
    [client_secret => uri_escape($secret)],
    [code_verifier => $verifier],
);
for my $param (map { $_->[0] } @TOKEN_GOOD) {
    for my $variant (@VARIANTS) {
        $res = raw_request('POST', '/oauth/token', [], wire(spoil(\@TOKEN_GOOD, $param, $variant)));
        token_verdict($res, "token $param=$variant->[0]");
    }
}

# The Basic header: what is inside the base64, and the header itself.
my @no_body_auth = grep { $_->[0] !~ /^client_/ } @TOKEN_GOOD;
my $enc_id = uri_escape($client->{id});
my $enc_secret = uri_escape($secret);
my $b64 = sub { 'Basic ' . encode_base64($_[0], '') };
my @BASIC = (
    ['empty header'                => ''],
    ['"Basic" alone'               => 'Basic'],
    ['"Basic " and nothing'        => 'Basic '],
    ['64 KB header'                => $b64->("$enc_id:" . ('A' x 49152))],
    ['6 KB secret'                 => $b64->("$enc_id:" . ('A' x 4500))],
    ['6 KB client id'              => $b64->(('A' x 4500) . ":$enc_secret")],
    ['empty id and secret'         => $b64->(':')],
    ['empty secret'                => $b64->("$enc_id:")],
    ['empty id'                    => $b64->(":$enc_secret")],
    ['no colon'                    => $b64->("$enc_id$enc_secret")],
    ['%zz in the secret'           => $b64->("$enc_id:%zz")],
    ['%zz in the id'               => $b64->("%zz:$enc_secret")],
    ['%00 in the secret'           => $b64->("$enc_id:${enc_secret}%00")],
    ['%00 in the id'               => $b64->("$enc_id%00:$enc_secret")],
    ['%C3%28 in the secret'        => $b64->("$enc_id:%C3%28")],
    ['%FF in the id'               => $b64->("%FF:$enc_secret")],
    ['raw C3 28 in the secret'     => $b64->("$enc_id:\xC3\x28")],
    ['raw FF in the id'            => $b64->("\xFF:$enc_secret")],
    ['raw NUL in the secret'       => $b64->("$enc_id:$enc_secret\0")],
    ['%zz as the credentials'      => 'Basic %zz'],
    ['raw FF as the credentials'   => "Basic \xFF\xC3\x28"],
    ['base64 with bad padding'     => 'Basic ' . encode_base64("$enc_id:$enc_secret", '') . '='],
    ['two credentials'             => $b64->("$enc_id:$enc_secret") . ', '
                                      . $b64->("$enc_id:$enc_secret")],
    ['another scheme'              => "Digest username=\"$enc_id\""],
);
for my $case (@BASIC) {
    my ($name, $value) = @$case;
    $res = raw_request('POST', '/oauth/token', [Authorization => $value], wire(@no_body_auth));
    token_verdict($res, "token Basic: $name", $name =~ /^64 KB/ ? (core => 1) : ());
}
my $good_basic = $b64->("$enc_id:$enc_secret");
$res = raw_request('POST', '/oauth/token', [Authorization => $good_basic,
                                            Authorization => $good_basic], wire(@no_body_auth));
token_verdict($res, 'token Basic: the header given twice');

# Beyond the parameters: names, counts and size.
$res = raw_request('POST', '/oauth/token', [], wire(@TOKEN_GOOD, ['%zz', 'x']));
token_verdict($res, 'token: a parameter name %zz');
$res = raw_request('POST', '/oauth/token', [], wire(@TOKEN_GOOD, ['', 'x']));
token_verdict($res, 'token: an empty parameter name');
$res = raw_request('POST', '/oauth/token', [], wire(@TOKEN_GOOD, ["\xFF", 'x']));
token_verdict($res, 'token: a raw FF parameter name');
$res = raw_request('POST', '/oauth/token', [], wire(@TOKEN_GOOD, map { ["p$_", 'x'] } 1 .. 100));
token_verdict($res, 'token: 100 more parameters');
$res = raw_request('POST', '/oauth/token', [], wire(@TOKEN_GOOD, [pad => 'A' x (300 * 1024)]));
token_verdict($res, 'token: a 300 KB body');
is $res->code, 413, 'token: a 300 KB body is 413';

# None of that spent the code: it still redeems, once.
$res = raw_request('POST', '/oauth/token', [], wire(@TOKEN_GOOD));
is $res->code, 200, 'the code survived every bad request and redeems'
    or diag $res->content;

# --- and the server is still fine -------------------------------------------

my $tok = eval { obtain_token(client => $client, scope => 'alltimetables') } || {};
ok length($tok->{access_token} // '') >= 43, 'afterwards a whole good flow still works';
is scalar(grep { /exit signal|AH00052|Segmentation|double free|corrupted/ } log_grep('')), 0,
    'no child crashed';
is scalar(log_grep($secret)), 0, 'the client secret is in no log line';
my $elapsed = Time::HiRes::time() - $started;
ok $elapsed < 60, sprintf 'the whole test took %.1f s (< 60 s)', $elapsed;

done_testing();
