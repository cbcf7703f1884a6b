# The gate's bearer tokens (docs/gate.md, RFC 6750): where a token may come
# from and the errors when it is wrong, tokens expiring or revoked while in
# use, what the backend is told and what it never sees (forged identity
# headers, the token itself), the logs, and sub-requests and internal
# redirects (one credential look-up per request).
#
# Locations: /gate/* (t/conf/gate.conf.in) and /gb/* (t/conf/gate_bearer.conf.in),
# whose echo backends are given the Authorization header (CGIPassAuth), so
# that its absence proves something.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use Digest::SHA qw(sha256_hex);
use MTO::Test;

my $REALM = 'Bearer realm="MyTimetable"';
my $client = add_client();

sub new_token {
    my ($scope) = @_;
    return obtain_token(client => $client, user => 'alice', scope => $scope)->{access_token};
}

my $token = new_token('profile_read alltimetables');
my $narrow = new_token('username');                 # lacks the scopes of /gate/cgi
my $pass_token = new_token('profile_read');         # PassToken On only: it reaches logs
logged_on_purpose('PassToken On hands the query token to an ungated backend URL, whose '
                  . 'access log line the gate cannot redact', $pass_token);
my $spelt = new_token('profile_read');             # sent as %61ccess_token
my $unknown = 'gate-bearer-unknown-' . join '', map { ('a' .. 'z')[rand 26] } 1 .. 24;

sub bearer { return (Authorization => "Bearer $_[0]") }

sub token_row {
    my ($t) = @_;
    my ($row) = db_sql('SELECT user_name, scope, client_id, expires_at FROM mto_access_token '
                       . "WHERE token_hash = '" . sha256_hex($t) . "';");
    return $row;
}

# A success: 200, no challenge (RFC 6750 only challenges on errors), and
# the echo backend's view as a hash.
sub ok_echo {
    my ($res, $name) = @_;
    is $res->code, 200, "$name: 200";
    ok !defined $res->header('WWW-Authenticate'), "$name: no WWW-Authenticate on a 200";
    return eval { json_body($res) } || {};
}

# No credentials (RFC 6750 §3.1): 401 with the realm only, no error code.
sub bare_challenge {
    my ($res, $name) = @_;
    is $res->code, 401, "$name: 401";
    is $res->header('WWW-Authenticate'), $REALM, "$name: WWW-Authenticate is the bare challenge";
}

# An RFC 6750 §3 error: status, the challenge with its error code, a JSON body.
sub bearer_error {
    my ($res, $status, $error, $name) = @_;
    is $res->code, $status, "$name: $status";
    like $res->header('WWW-Authenticate') // '',
        qr/^\Q$REALM\E, error="\Q$error\E"(, error_description="[^"\\]*")?$/,
        "$name: WWW-Authenticate carries error=\"$error\"";
    my $body = eval { json_body($res) } || {};
    is $body->{error}, $error, "$name: JSON body error=$error";
}

sub private_cache {
    my ($res, $name) = @_;
    is $res->header('Cache-Control'), 'private', "$name: Cache-Control: private";
}

# ------------------------------------------------------------ token sources
bare_challenge(GET('/gate/cgi'), 'no credentials');

my $echo = ok_echo(GET('/gate/cgi', bearer($token)), 'Authorization: Bearer');
is $echo->{REMOTE_USER}, 'alice', 'Authorization: Bearer: the token\'s user';
$echo = ok_echo(GET("/gate/cgi?access_token=$token"), 'access_token in the query');
is $echo->{REMOTE_USER}, 'alice', 'access_token in the query: the token\'s user';

for my $scheme (qw(bearer BEARER bEaReR)) {
    ok_echo(GET('/gate/cgi', Authorization => "$scheme $token"),
            "auth-scheme \"$scheme\": case-insensitive (RFC 6750 §2.1)");
}
ok_echo(GET('/gate/cgi', Authorization => "Bearer    $token"),
        'several spaces between Bearer and the token');

bearer_error(GET("/gate/cgi?access_token=$token", bearer($token)), 400, 'invalid_request',
             'token in the header and in the query');
bearer_error(GET("/gate/cgi?access_token=$token&access_token=$token"), 400, 'invalid_request',
             'access_token twice');
bearer_error(GET("/gate/cgi?access_token=$token&access_token=$narrow"), 400, 'invalid_request',
             'access_token twice, different values');
bearer_error(GET('/gate/cgi?access_token='), 400, 'invalid_request', 'empty access_token');
bearer_error(GET('/gate/cgi?access_token'), 400, 'invalid_request', 'access_token without a value');
bearer_error(GET('/gate/cgi', Authorization => ''), 400, 'invalid_request',
             'empty Authorization header');
for my $bad ('Bearer', 'Bearer ', "Bearer $token x", "Bearer $token,x", 'Bearer t%6Fken', ', x') {
    bearer_error(GET('/gate/cgi', Authorization => $bad), 400, 'invalid_request',
                 "malformed Authorization \"$bad\"");
}
bare_challenge(GET('/gate/cgi', basic_header(alice => $USERS{alice})),
               'Authorization: Basic (another scheme) is no credential');

ok_echo(GET('/gate/header-only', bearer($token)), 'AcceptTokenIn header: header token accepted');
bare_challenge(GET("/gate/header-only?access_token=$token"),
               'AcceptTokenIn header: a query token is no credential');
ok_echo(GET("/gate/query-only?access_token=$token"), 'AcceptTokenIn query: query token accepted');
bare_challenge(GET('/gate/query-only', bearer($token)),
               'AcceptTokenIn query: a header token is no credential');
ok_echo(GET("/gate/cgi?%61ccess_token=$spelt"), 'access_token with an encoded name: still the token');

# ------------------------------------------------- unknown, expired, revoked
bearer_error(GET('/gate/cgi', bearer($unknown)), 401, 'invalid_token', 'unknown token');
bearer_error(GET("/gate/cgi?access_token=$unknown"), 401, 'invalid_token', 'unknown query token');

{
    my $t = new_token('profile_read');
    my $hash = sha256_hex($t);
    ok_echo(GET('/gate/cgi', bearer($t)), 'expiry while in use: the token works');
    db_sql('UPDATE mto_access_token SET expires_at = ' . (time + 3600)
           . " WHERE token_hash = '$hash';");
    ok_echo(GET('/gate/cgi', bearer($t)), 'expiry while in use: still works before expires_at');
    db_sql('UPDATE mto_access_token SET expires_at = ' . (time - 5)
           . " WHERE token_hash = '$hash';");
    bearer_error(GET('/gate/cgi', bearer($t)), 401, 'invalid_token',
                 'expiry while in use: expires_at passed');
}
{
    my $t = new_token('profile_read');
    ok_echo(GET('/gate/cgi', bearer($t)), 'revoked in the database: the token works');
    db_sql("DELETE FROM mto_access_token WHERE token_hash = '" . sha256_hex($t) . "';");
    bearer_error(GET('/gate/cgi', bearer($t)), 401, 'invalid_token',
                 'revoked in the database: row deleted');
}
{
    my $t = new_token('profile_read');
    ok_echo(GET('/gate/proxy', bearer($t)), 'revoked with the admin tool: the token works');
    like tool({ stdin => "$t\n" }, qw(token revoke --token-stdin)), qr/revoked 1 access token/,
         'revoked with the admin tool: token revoke --token-stdin';
    bearer_error(GET('/gate/proxy', bearer($t)), 401, 'invalid_token',
                 'revoked with the admin tool: mytimetable-oauth token revoke');
}

# ------------------------------------------------- Cache-Control: private
private_cache(GET("/gate/cgi?access_token=$token"), 'query token, CGI 200');
private_cache(GET("/gate/proxy?access_token=$token"), 'query token, proxied 200');
private_cache(GET("/gate/cgi?access_token=$unknown"), 'query token, 401 invalid_token');
private_cache(GET("/gate/cgi?access_token=$token&access_token=$token"), 'query token twice, 400');
private_cache(GET("/gate/cgi?access_token=$token", bearer($token)), 'query and header token, 400');
{
    my $res = GET("/gate/cgi?access_token=$narrow");
    is $res->code, 403, 'query token lacking the scope: 403';
    private_cache($res, 'query token, 403 insufficient_scope');
}

# ------------------------------------------------- identity to the backend
{
    my $row = token_row($token);
    my ($user, $scope, $client_id, $expires) = @$row;
    is_deeply [$user, $client_id], ['alice', $client->{id}], 'the token row: alice, our client';

    $echo = ok_echo(GET('/gate/cgi', bearer($token)), 'identity through CGI');
    is $echo->{REMOTE_USER}, $user, 'CGI: REMOTE_USER is the token\'s user';
    is $echo->{OAUTH_USER}, $user, 'CGI: OAUTH_USER is the token\'s user';
    is $echo->{OAUTH_SCOPE}, join(' ', split ' ', $scope), 'CGI: OAUTH_SCOPE is the token\'s scope, space separated';
    is $echo->{OAUTH_CLIENT_ID}, $client_id, 'CGI: OAUTH_CLIENT_ID is the token\'s client';
    is $echo->{OAUTH_EXPIRES}, $expires, 'CGI: OAUTH_EXPIRES is the token row\'s expires_at';

    $echo = ok_echo(GET('/gate/proxy', bearer($token)), 'identity through mod_proxy');
    is $echo->{HTTP_X_OAUTH_USER}, $user, 'proxied backend: X-OAuth-User is the token\'s user';
    is $echo->{HTTP_X_OAUTH_SCOPE}, join(' ', split ' ', $scope),
       'proxied backend: X-OAuth-Scope is the token\'s scope';
    is $echo->{HTTP_X_OAUTH_CLIENT_ID}, $client_id,
       'proxied backend: X-OAuth-Client-Id is the token\'s client';
}

# ------------------------------------------------- forged identity headers
my @forged = ('X-OAuth-User' => 'mallory', 'X-OAuth-Scope' => 'admin',
              'X-OAuth-Client-Id' => 'forged-client');

# What the backend saw of the forged values: none may show.
sub no_forgery {
    my ($echo, $name) = @_;
    my @seen = grep { /^(REDIRECT_)?HTTP_X_OAUTH_/ && $echo->{$_} =~ /^(mallory|admin|forged-client)$/ }
               sort keys %$echo;
    is "@seen", '', "$name: no forged X-OAuth-* header reaches the backend";
}

# A failing request reaches no backend but its ErrorDocument, an echo
# (/gb-echo) that shows the headers the failing request was left with.  The
# status and the challenge stay the gate's.
for my $case (['no credentials', [], 401, qr/^\Q$REALM\E$/],
              ['unknown token', [bearer($unknown)], 401, qr/^\Q$REALM\E, error="invalid_token"/],
              ['insufficient scope', [bearer($token)], 403,
               qr/^\Q$REALM\E, error="insufficient_scope", .*scope="profile_write"$/],
              ['malformed header', [Authorization => 'Bearer'], 400,
               qr/^\Q$REALM\E, error="invalid_request"/]) {
    my ($what, $cred, $status, $challenge) = @$case;
    my $name = "forged headers, failing request ($what)";
    my $res = GET('/gb/fail', @forged, @$cred);
    my $echo = eval { json_body($res) } || {};
    like $echo->{REDIRECT_STATUS} // '', qr/^4\d\d$/, "$name: the ErrorDocument ran";
    no_forgery($echo, $name);
    is $res->code, $status, "$name: ErrorDocument answered with the gate's status $status";
    like $res->header('WWW-Authenticate') // '', $challenge,
         "$name: ErrorDocument answered with the gate's challenge";
}

for my $url ('/gate/cgi', '/gate/proxy') {
    my $echo = ok_echo(GET($url, @forged, bearer($token)), "forged headers, passing request, $url");
    no_forgery($echo, "forged headers, passing request, $url");
    is $echo->{HTTP_X_OAUTH_USER}, 'alice', "forged headers, passing request, $url: X-OAuth-User is the token's";
}

# An elevated API token acting for a user has no client: a forged
# X-OAuth-Client-Id would be the only one the backend sees.
my $api = 'gate-bearer-api-' . join '', map { ('a' .. 'z')[rand 26] } 1 .. 24;
tool({ stdin => "$api\n" }, qw(api-token add), 'gate_bearer elevated', qw(--elevated --token-stdin));
remember_secret('API token', $api);
for my $url ('/gb/cgi', '/gb/proxy', '/gb-open/ssi/index.shtml') {
    my $echo = ok_echo(GET($url, @forged, apiToken => $api, requestedAuth => 'bob'),
                       "forged headers, elevated API token, $url");
    no_forgery($echo, "forged headers, elevated API token, $url");
    is $echo->{HTTP_X_OAUTH_USER}, 'bob', "forged headers, elevated API token, $url: X-OAuth-User is requestedAuth";
}

# ------------------------------------------------- PassToken Off / On
my $params = 'a=1&q=x%2By+z&b=&a=3';
for my $case (['/gb/cgi', '/gb/cgi'], ['/gb/proxy', '/gb-echo'], ['/gate/proxy', '/echo']) {
    my ($url, $backend) = @$case;
    my $name = "PassToken Off, $url";
    my $echo = ok_echo(GET($url, bearer($token)), "$name, header token");
    ok !exists $echo->{HTTP_AUTHORIZATION}, "$name: no Authorization header at the backend"
        if $url =~ m{^/gb/};
    $echo = ok_echo(GET("$url?a=1&access_token=$token&q=x%2By+z&b=&a=3"), "$name, query token");
    is $echo->{QUERY_STRING}, $params, "$name: QUERY_STRING without access_token, the rest intact, in order";
    is $echo->{REQUEST_URI}, "$backend?$params", "$name: REQUEST_URI without access_token";
    $echo = ok_echo(GET("$url?access_token=$token"), "$name, query token alone");
    is $echo->{QUERY_STRING} // '', '', "$name: token alone: QUERY_STRING empty";
    is $echo->{REQUEST_URI}, $backend, "$name: token alone: REQUEST_URI without a query";
}

for my $case (['/gb/cgi-pass'], ['/gb/pass', '/gb-echo'], ['/gate/pass', '/echo']) {
    my ($url, $backend) = @$case;
    my $name = "PassToken On, $url";
    my $echo;
    if ($url =~ m{^/gb/}) {
        $echo = ok_echo(GET($url, bearer($pass_token)), "$name, header token");
        is $echo->{HTTP_AUTHORIZATION}, "Bearer $pass_token", "$name: the backend sees Authorization";
    }
    $echo = ok_echo(GET("$url?a=1&access_token=$pass_token&b=2"), "$name, query token");
    is $echo->{QUERY_STRING}, "a=1&access_token=$pass_token&b=2", "$name: the backend sees access_token";
    is $echo->{REQUEST_URI}, "$backend?a=1&access_token=$pass_token&b=2",
       "$name: the proxied request carries access_token" if $backend;
}

# ------------------------------------------------- sub-requests, internal redirects
my $error_log = Apache::Test::vars('t_logs') . '/error_log';

# The gate's look-up lines (trace1, LogLevel of /gb) logged while $code runs.
sub lookups_during {
    my ($code) = @_;
    my $from = -s $error_log // 0;
    my $res = $code->();
    open my $fh, '<', $error_log or die "$error_log: $!";
    seek $fh, $from, 0;
    my @lines = grep { /credentials looked up for / } <$fh>;
    return ($res, map { m{looked up for (\S+)} ? $1 : '?' } @lines);
}

{
    my ($res, @looked) = lookups_during(sub { GET('/gb-open/ssi/index.shtml', bearer($token)) });
    my $echo = ok_echo($res, 'ungated SSI page including a gated CGI');
    is $echo->{OAUTH_USER}, 'alice', 'ungated SSI page: the gated sub-request authenticates itself';
    is "@looked", '/gb/cgi/included', 'ungated SSI page: the gated sub-request looks its credentials up';
}
for my $case (['/gb/ssi/index.shtml', 'SSI include virtual (sub-request)', 200],
              ['/gb/ssi/', 'DirectoryIndex (mod_dir sub-request) of an SSI page', 200],
              ['/gb/missing', 'ErrorDocument (internal redirect)', 404],
              ["/gb/ssi/index.shtml?access_token=$token", 'SSI include, query token', 200]) {
    my ($url, $what, $status) = @$case;
    my ($res, @looked) = lookups_during(sub { GET($url, $url =~ /access_token/ ? () : bearer($token)) });
    is $res->code, $status, "$what: $status";
    my $echo = eval { json_body($res) } || {};
    is $echo->{OAUTH_USER}, 'alice', "$what: the included/redirected CGI runs as the token's user";
    is $echo->{OAUTH_CLIENT_ID}, $client->{id}, "$what: and with the token's client";
    is scalar(@looked), 1, "$what: the credentials are looked up once (@looked)";
}

# ------------------------------------------------- tokens and the logs
# Last request: once its line is in the access logs, every earlier one is.
my $marker = 'gate-bearer-marker-' . time;
ok_echo(GET("/gb/cgi?marker=$marker", bearer($token)), 'marker request');
my $bearer_log = Apache::Test::vars('t_logs') . '/gate_bearer_log';
my $mto_log = Apache::Test::vars('t_logs') . '/mto_access_log';

sub grep_file {
    my ($file, $needle) = @_;
    open my $fh, '<', $file or return ();
    return grep { index($_, $needle) >= 0 } <$fh>;
}
for (1 .. 50) {
    last if grep_file($bearer_log, $marker) && grep_file($mto_log, $marker);
    select undef, undef, undef, 0.1;
}
ok scalar(grep_file($bearer_log, $marker)), 'the %U%q access log has the last request';
ok scalar(grep_file($mto_log, $marker)),
   'the %r/%q access log has the last request';
ok scalar(grep_file($bearer_log, 'access_token=REDACTED')),
   'the %U%q access log shows where a query token was (REDACTED)';
for my $case ([$token, 'the valid token (200s, 400s)'], [$unknown, 'an unknown token (401)'],
              [$narrow, 'a token lacking the scope (403)'], [$spelt, 'a token as %61ccess_token']) {
    my ($t, $what) = @$case;
    my @hits = (log_grep($t), map { "$bearer_log: $_" } grep_file($bearer_log, $t));
    is scalar(@hits), 0, "$what: in no log (error_log, access_log %r %q, %U%q)"
        or diag explain \@hits;
}

done_testing;
