# API tokens at the gate (README "Using an existing MyTimetable database" api_tokens, docs/gate.md, issue #3): the apiToken
# header is looked up in api_tokens (token in clear or as {SHA-256}hex in
# either case; booleans as the database stores them).  Unknown: 401 JSON
# invalid_api_token.  authentication_required: an OAuth token must come too.
# is_elevated + requestedAuth: the request runs as that user with every
# scope, logged with the token's name; requestedAuth otherwise: 403.
# Require api-token [NAME], MyTimetableOAuthRequireApiToken On,
# MYTIMETABLE_API_TOKEN at the backend; no API token in any log.
# Locations: t/conf/gate.conf.in.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use MTO::Test;

use Digest::SHA qw(sha256_hex);

my $REALM = 'MyTimetable';
my @presented;                          # every API token sent: none may reach a log

sub api_token {
    my $token = add_api_token(@_);
    push @presented, $token;
    return $token;
}

my $client = add_client();
my $oauth = obtain_token(client => $client, user => 'bob',
                         scope => 'username profile_read')->{access_token};
sub bearer { (Authorization => "Bearer $oauth") }

# A 200 from the echo backend; returns what it saw.
sub granted {
    my ($res, $what) = @_;
    is $res->code, 200, "$what: 200" or diag $res->as_string;
    return $res->code == 200 ? json_body($res) : {};
}

# $status with a JSON body {"error":$error}.
sub json_error {
    my ($res, $status, $error, $what) = @_;
    is $res->code, $status, "$what: $status" or diag $res->as_string;
    is $res->content_type, 'application/json', "$what: Content-Type application/json";
    is((eval { json_body($res) } // {})->{error}, $error, qq{$what: body {"error":"$error"}});
}

# ------------------------------------------------------- unknown API token

json_error(GET('/gate/api', apiToken => 'no-such-api-token'), 401, 'invalid_api_token',
           'an unknown apiToken');
json_error(GET('/gate/cgi', bearer(), apiToken => 'no-such-api-token'), 401, 'invalid_api_token',
           'an unknown apiToken beside a valid OAuth token');
json_error(GET('/gate/api', apiToken => ''), 401, 'invalid_api_token', 'an empty apiToken');

# ------------------------------------------------- how the token is stored

for my $stored (qw(clear sha256 SHA256)) {
    my $name = "stored-$stored";
    my $token = api_token(name => $name, stored => $stored);
    my $seen = granted(GET('/gate/api', apiToken => $token),
                       "Require api-token, a token stored as $stored");
    is $seen->{MYTIMETABLE_API_TOKEN}, $name,
        "a token stored as $stored: MYTIMETABLE_API_TOKEN is its name";
    json_error(GET('/gate/api', apiToken => uc $token), 401, 'invalid_api_token',
               "a token stored as $stored, presented in upper case");
}
my $hashed = api_token(stored => 'sha256');
json_error(GET('/gate/api', apiToken => '{SHA-256}' . sha256_hex($hashed)), 401, 'invalid_api_token',
           'the stored {SHA-256}hex itself, presented as the token');

# ------------------------------------------------- booleans as stored

for my $pair (['true', 'false'], ['1', '0'], ['t', 'f']) {
    my ($yes, $no) = @$pair;

    my $token = api_token(authentication_required => $yes);
    my $res = GET('/gate/api', apiToken => $token);
    is $res->code, 401, "authentication_required '$yes': the API token alone is refused";
    granted(GET('/gate/api', apiToken => $token, bearer()),
            "authentication_required '$yes', with an OAuth token");
    granted(GET('/gate/api', apiToken => api_token(authentication_required => $no)),
            "authentication_required '$no': the API token alone");

    my $seen = granted(GET('/gate/user', apiToken => api_token(is_elevated => $yes),
                           requestedAuth => 'alice'),
                       "is_elevated '$yes': requestedAuth alice");
    is $seen->{REMOTE_USER}, 'alice', "is_elevated '$yes': runs as alice";
    json_error(GET('/gate/user', apiToken => api_token(is_elevated => $no),
                   requestedAuth => 'alice'),
               403, 'access_denied', "is_elevated '$no': requestedAuth is refused");
}

# ---------------------------------------------- Require api-token [NAME]

my $partner = api_token(name => 'partner');
my $other = api_token(name => 'other');
granted(GET('/gate/api', apiToken => $other), 'Require api-token (no names), any known token');
my $seen = granted(GET('/gate/partner', apiToken => $partner),
                   'Require api-token partner, the token named partner');
is $seen->{MYTIMETABLE_API_TOKEN}, 'partner', 'Require api-token partner: MYTIMETABLE_API_TOKEN';
json_error(GET('/gate/partner', apiToken => $other), 401, 'invalid_api_token',
           'Require api-token partner, a token named other');
json_error(GET('/gate/partner', apiToken => $other, bearer()), 401, 'invalid_api_token',
           'Require api-token partner, a token named other and a valid OAuth token');
json_error(GET('/gate/api', bearer()), 401, 'invalid_api_token',
           'Require api-token, an OAuth token and no API token');
my $res = GET('/gate/api');
is $res->code, 401, 'Require api-token, no credentials at all: 401';
is_deeply bearer_challenge($res), { scheme => 'Bearer', realm => $REALM },
    qq{Require api-token, no credentials at all: WWW-Authenticate: Bearer realm="$REALM"};

# ------------------------------------------------ authentication_required

my $needs_auth = api_token(name => 'needs-auth', authentication_required => 'true');
$res = GET('/gate/api', apiToken => $needs_auth);
is $res->code, 401, 'authentication_required: the API token alone is 401';
is_deeply bearer_challenge($res), { scheme => 'Bearer', realm => $REALM },
    qq{authentication_required, API token alone: WWW-Authenticate: Bearer realm="$REALM"};
$seen = granted(GET('/gate/api', apiToken => $needs_auth, bearer()),
                'authentication_required, with a valid OAuth token');
is_deeply [@$seen{qw(REMOTE_USER OAUTH_USER MYTIMETABLE_API_TOKEN)}], ['bob', 'bob', 'needs-auth'],
    'authentication_required with an OAuth token: runs as its user, MYTIMETABLE_API_TOKEN set';
$res = GET('/gate/api', apiToken => $needs_auth, Authorization => 'Bearer no-such-token');
is $res->code, 401, 'authentication_required, with an unknown OAuth token: 401';
is((bearer_challenge($res) // {})->{error}, 'invalid_token',
   'authentication_required, with an unknown OAuth token: error="invalid_token"');

# ------------------------------------------- is_elevated + requestedAuth

my $elevated_name = "elevated-portal-$$";
my $elevated = api_token(name => $elevated_name, is_elevated => 'true');
$seen = granted(GET('/gate/cgi', apiToken => $elevated, requestedAuth => 'alice'),
                'an elevated API token with requestedAuth alice, on Require oauth-scope');
is_deeply [@$seen{qw(REMOTE_USER OAUTH_USER)}], ['alice', 'alice'],
    'requestedAuth alice: REMOTE_USER and OAUTH_USER are alice';
is join(' ', sort split / /, $seen->{OAUTH_SCOPE} // ''), join(' ', sort @SCOPES),
    'requestedAuth alice: OAUTH_SCOPE is every configured scope';
is $seen->{MYTIMETABLE_API_TOKEN}, $elevated_name,
    'requestedAuth alice: MYTIMETABLE_API_TOKEN is the elevated token\'s name';
ok !exists $seen->{OAUTH_CLIENT_ID}, 'requestedAuth alice: no OAUTH_CLIENT_ID (no client)';
ok scalar(grep { /:info\]/ && /(?<!')'\Q$elevated_name\E'(?!')/ && /'alice'/ }
          log_grep($elevated_name)),
    "requestedAuth: an info line in the error log names the token ('NAME') and the user";

$res = GET('/gate/cgi', apiToken => $elevated, requestedAuth => 'alice', bearer());
$seen = granted($res, 'requestedAuth alice beside a valid OAuth token of bob');
is $seen->{REMOTE_USER}, 'alice', 'requestedAuth beside an OAuth token: runs as alice';

json_error(GET('/gate/cgi', apiToken => $other, requestedAuth => 'alice'), 403, 'access_denied',
           'requestedAuth with a non-elevated API token');
json_error(GET('/gate/cgi', apiToken => $other, requestedAuth => 'alice', bearer()),
           403, 'access_denied', 'requestedAuth with a non-elevated API token and an OAuth token');
$res = GET('/gate/cgi', requestedAuth => 'alice');
is $res->code, 403, 'requestedAuth without an API token: 403';
$res = GET('/gate/cgi', requestedAuth => 'alice', bearer());
is $res->code, 403, 'requestedAuth without an API token, with an OAuth token: 403';

# ------------------------------------ MyTimetableOAuthRequireApiToken On

json_error(GET('/gate/need-api'), 401, 'invalid_api_token',
           'MyTimetableOAuthRequireApiToken On, no credentials');
json_error(GET('/gate/need-api', bearer()), 401, 'invalid_api_token',
           'MyTimetableOAuthRequireApiToken On, an OAuth token and no API token');
$seen = granted(GET('/gate/need-api', apiToken => $other, bearer()),
                'MyTimetableOAuthRequireApiToken On, an API token and an OAuth token');
is_deeply [@$seen{qw(REMOTE_USER MYTIMETABLE_API_TOKEN)}], ['bob', 'other'],
    'MyTimetableOAuthRequireApiToken On: the backend sees the user and the API token\'s name';

# ------------------------------------------------------------------- logs

GET('/gate/api');                        # the access log line of the last check
select undef, undef, undef, 0.3;
my @leaks = map { log_grep($_) } @presented;
is_deeply \@leaks, [], 'no API token appears in any log';

done_testing();
