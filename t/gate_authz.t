# The gate's Require providers (docs/gate.md, issue #3): Require oauth-scope
# (any one of the listed scopes), Require api-token, and how they combine
# with Require valid-user, <RequireAll>, <RequireAny> and <RequireNone>.
# A missing scope is 403 insufficient_scope with scope="<the Require
# line's scopes>" (RFC 6750 §3.1), without AuthzSendForbiddenOnFailure; no
# successful response carries a challenge.  Locations: t/conf/gate.conf.in
# (realm "MyTimetable") and t/conf/gate_authz.conf.in ("MyTimetable authz").
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use MTO::Test;

my $REALM = 'MyTimetable';
my $AUTHZ_REALM = 'MyTimetable authz';

my $client = add_client();
my %tokens;                             # scope => access token of alice

sub token_with {
    my ($scope) = @_;
    return $tokens{$scope} //= obtain_token(client => $client, user => 'alice',
                                            scope => $scope)->{access_token};
}

sub bearer { (Authorization => "Bearer $_[0]") }

# A 200 from the echo backend, with no challenge; returns what it saw.
sub granted {
    my ($res, $what) = @_;
    is $res->code, 200, "$what: 200" or diag $res->as_string;
    ok !defined $res->header('WWW-Authenticate'), "$what: no WWW-Authenticate on the 200";
    return $res->code == 200 ? json_body($res) : {};
}

# 401 with nothing but the realm in the challenge (RFC 6750 §3.1).
sub challenged {
    my ($res, $realm, $what) = @_;
    is $res->code, 401, "$what: 401" or diag $res->as_string;
    is_deeply bearer_challenge($res), { scheme => 'Bearer', realm => $realm },
        qq{$what: WWW-Authenticate: Bearer realm="$realm", no error code};
}

# 403 insufficient_scope naming $scope, in the challenge and the JSON body.
sub insufficient_scope {
    my ($res, $realm, $scope, $what) = @_;
    is $res->code, 403, "$what: 403, not 401" or diag $res->as_string;
    my $c = bearer_challenge($res) // {};
    delete $c->{error_description};
    is_deeply $c, { scheme => 'Bearer', realm => $realm, error => 'insufficient_scope',
                    scope => $scope },
        qq{$what: WWW-Authenticate: Bearer realm="$realm", error="insufficient_scope", }
      . qq{scope="$scope"};
    is $res->content_type, 'application/json', "$what: a JSON body";
    my $body = eval { json_body($res) } // {};
    is_deeply [@$body{qw(error scope)}], ['insufficient_scope', $scope],
        qq{$what: body {"error":"insufficient_scope","scope":"$scope"}};
}

# --------------------------------------------------- the premise of the 403s

my @forbidding = grep {
    open my $fh, '<', $_ or die "$_: $!\n";
    grep { /^\s*AuthzSendForbiddenOnFailure\s+on\b/i } <$fh>;
} glob(Apache::Test::vars('t_conf') . '/*.conf');
is_deeply \@forbidding, [], 'the test server has no AuthzSendForbiddenOnFailure On anywhere';

# ------------------------------------------------ Require oauth-scope, one

my $seen = granted(GET('/authz/one', bearer(token_with('profile_read'))),
                   'Require oauth-scope profile_read, token with profile_read');
is $seen->{REMOTE_USER}, 'alice', 'Require oauth-scope: the backend runs as the token\'s user';
granted(GET('/authz/one', bearer(token_with('messages_read profile_read'))),
        'Require oauth-scope profile_read, token with more scopes than that');
insufficient_scope(GET('/authz/one', bearer(token_with('messages_read'))),
                   $AUTHZ_REALM, 'profile_read',
                   'Require oauth-scope profile_read, token without it');
challenged(GET('/authz/one'), $AUTHZ_REALM, 'Require oauth-scope, no token');

# ------------------------------------------- Require oauth-scope, several

granted(GET('/gate/cgi', bearer(token_with('profile_read'))),
        'Require oauth-scope profile_read alltimetables, token with the first');
granted(GET('/gate/cgi', bearer(token_with('alltimetables'))),
        'Require oauth-scope profile_read alltimetables, token with the second');
insufficient_scope(GET('/gate/cgi', bearer(token_with('messages_read'))),
                   $REALM, 'profile_read alltimetables',
                   'Require oauth-scope profile_read alltimetables, token with neither');
insufficient_scope(GET('/gate/proxy/x', bearer(token_with('messages_read'))),
                   $REALM, 'profile_read alltimetables',
                   'Require oauth-scope in front of mod_proxy, token with neither');

# ------------------------------------------------------------ <RequireAll>

insufficient_scope(GET('/gate/all', bearer(token_with('profile_read'))),
                   $REALM, 'messages_read',
                   '<RequireAll> profile_read + messages_read, token without messages_read');
insufficient_scope(GET('/gate/all', bearer(token_with('messages_read'))),
                   $REALM, 'profile_read',
                   '<RequireAll> profile_read + messages_read, token without profile_read');
granted(GET('/gate/all', bearer(token_with('messages_read profile_read'))),
        '<RequireAll> profile_read + messages_read, token with both');

# ------------------------------------------------------------ <RequireAny>

my $api_name = 'authz-any';
my $api = add_api_token(name => $api_name);

$seen = granted(GET('/gate/any', bearer(token_with('profile_write'))),
                '<RequireAny> profile_write | api-token, the scope only');
is $seen->{REMOTE_USER}, 'alice', '<RequireAny>, the scope only: the backend runs as alice';
$seen = granted(GET('/gate/any', apiToken => $api),
                '<RequireAny> profile_write | api-token, an API token and no Authorization');
is $seen->{MYTIMETABLE_API_TOKEN}, $api_name,
    '<RequireAny>, the API token only: MYTIMETABLE_API_TOKEN is its name';
ok !exists $seen->{REMOTE_USER} && !exists $seen->{OAUTH_USER},
    '<RequireAny>, the API token only: no user';
$seen = granted(GET('/gate/any', bearer(token_with('messages_read')), apiToken => $api),
                '<RequireAny> profile_write | api-token, the API token and a token without '
              . 'the scope');
is $seen->{OAUTH_USER}, 'alice', '<RequireAny>, API token and OAuth token: OAUTH_USER is alice';
challenged(GET('/gate/any'), $REALM, '<RequireAny> profile_write | api-token, no credentials');
insufficient_scope(GET('/gate/any', bearer(token_with('messages_read'))),
                   $REALM, 'profile_write',
                   '<RequireAny> profile_write | api-token, a token without the scope, no API token');

# -------------------------------------------- <RequireNone> in <RequireAll>

$seen = granted(GET('/authz/not-writer', bearer(token_with('profile_read'))),
                'valid-user and <RequireNone> oauth-scope profile_write, token without it');
is $seen->{REMOTE_USER}, 'alice', '<RequireNone> passed: the backend runs as alice';
my $res = GET('/authz/not-writer', bearer(token_with('profile_read profile_write')));
is $res->code, 403, 'valid-user and <RequireNone> oauth-scope profile_write, token with it: 403 '
  . '(a good token that more tokens cannot help)' or diag $res->as_string;
ok !defined $res->header('WWW-Authenticate'),
    '<RequireNone> denial: no challenge (the token is not invalid, no scope is missing)';
is((eval { json_body($res) } // {})->{error}, 'access_denied',
   '<RequireNone> denial: JSON body {"error":"access_denied"}');
challenged(GET('/authz/not-writer'), $AUTHZ_REALM, '<RequireNone> in <RequireAll>, no credentials');

# ------------------------------------------------------ Require valid-user

$seen = granted(GET('/gate/user', bearer(token_with('username'))),
                'Require valid-user, a valid token');
is_deeply [@$seen{qw(REMOTE_USER AUTH_TYPE)}], ['alice', 'mytimetable-oauth'],
    'Require valid-user: REMOTE_USER alice, AUTH_TYPE mytimetable-oauth';
challenged(GET('/gate/user'), $REALM, 'Require valid-user, no token');
$res = GET('/gate/user', bearer('no-such-token-' . time));
is $res->code, 401, 'Require valid-user, an unknown token: 401';
is((bearer_challenge($res) // {})->{error}, 'invalid_token',
   'Require valid-user, an unknown token: error="invalid_token"');

# ------------------------------------- Require oauth-scope at config time

my $location = sub {
    "<Location /api>\n    @_\n</Location>";
};
my ($status, $out) = httpd_syntax_check($location->('Require oauth-scope profile_read timetable:read'));
ok $status == 0 && $out =~ /Syntax OK/, 'apache2 -t: Require oauth-scope with good scope names'
    or diag $out;
for my $case (['profile_read pro"file', 'a double quote in a scope name'],
              ['profile_read profile\\read', 'a backslash in a scope name'],
              ["profile_read profil\xc3\xa9", 'a non-ASCII scope name'],
              ['', 'no scope at all']) {
    my ($scopes, $what) = @$case;
    ($status, $out) = httpd_syntax_check($location->("Require oauth-scope $scopes"));
    ok $status != 0 && $out !~ /Syntax OK|Invalid command/ && $out =~ /oauth-scope/,
        "apache2 -t fails on Require oauth-scope with $what" or diag $out;
}

done_testing();
