# Refresh tokens (RFC 6749 §6, RFC 9700 §4.14.2): issued only to clients with
# the refresh_token grant type, lifetimes from refresh_token_validity,
# rotation on every use with the grant's original expiry, scope narrowing,
# reuse detection that revokes the whole grant (checked in the database and
# at the gate), parallel uses of one refresh token, and a replayed code
# taking the refresh tokens issued from it along.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use Digest::SHA qw(sha256_hex);
use JSON ();
use MTO::Test;

my $PARALLEL = 10;
my $ROUNDS = 2;
my $DEADLINE = time_budget(60); # seconds a race may take, racers included

my $JSON = JSON->new->canonical;
my $cb = 'http://localhost/cb';
my $refreshing = add_client(grant_types => 'authorization_code,refresh_token', autoapprove => 'true');
my @secrets = ($refreshing->{secret});     # none of these may reach a log

# A code, then the token endpoint; the decoded 200 answer.  The tokens go on
# the list of secrets.
sub new_grant {
    my ($client, %opt) = @_;
    my $tok = obtain_token(client => $client, %opt);
    push @secrets, grep { defined } @{$tok}{qw(access_token refresh_token)};
    return $tok;
}

# grant_type=refresh_token for $client (client_secret_post).  %opt: form =>
# [more fields], auth => [fields instead of client_id and client_secret],
# headers => [request headers].
sub refresh {
    my ($client, $refresh_token, %opt) = @_;
    my @auth = $opt{auth} ? @{ $opt{auth} }
                          : (client_id => $client->{id}, client_secret => $client->{secret});
    return POST '/oauth/token', [grant_type => 'refresh_token', refresh_token => $refresh_token,
                                 @auth, @{ $opt{form} || [] }], @{ $opt{headers} || [] };
}

# A 200 answer with both tokens; pushes them on the list of secrets.
sub refreshed_ok {
    my ($res, $name) = @_;
    is $res->code, 200, "$name: 200" or diag $res->content;
    my $body = eval { json_body($res) } || {};
    ok length($body->{access_token} // '') >= 43, "$name: a new access token";
    ok length($body->{refresh_token} // '') >= 43, "$name: a new refresh token";
    is $res->header('Cache-Control'), 'no-store', "$name: Cache-Control: no-store";
    is $res->header('Pragma'), 'no-cache', "$name: Pragma: no-cache";
    push @secrets, grep { defined } @{$body}{qw(access_token refresh_token)};
    return $body;
}

# An RFC 6749 §5.2 error answer.
sub oauth_error {
    my ($res, $status, $error, $name) = @_;
    is $res->code, $status, "$name: $status";
    is $res->header('Cache-Control'), 'no-store', "$name: Cache-Control: no-store";
    my $body = eval { json_body($res) } || {};
    is $body->{error}, $error, "$name: error=$error";
    ok !defined $body->{access_token} && !defined $body->{refresh_token}, "$name: no token";
    return $body;
}

sub refresh_row {
    my ($token, $cols) = @_;
    my ($row) = db_sql("SELECT $cols FROM mto_refresh_token WHERE token_hash = '"
                       . sha256_hex($token) . "'");
    return $row;
}

sub count {
    my ($table, $where) = @_;
    return db_value("SELECT COUNT(*) FROM $table WHERE $where");
}

sub access_rows { count('mto_access_token', "token_hash IN ("
                        . join(', ', map { "'" . sha256_hex($_) . "'" } @_) . ')') }

# The gate's verdict on an access token (/gate/cgi wants profile_read or
# alltimetables): 200, or 401 with its error code.
sub gate {
    my ($token) = @_;
    my $res = GET '/gate/cgi', Authorization => "Bearer $token";
    return $res->code if $res->code != 401;
    my $c = eval { bearer_challenge($res) } || {};
    return '401 ' . ($c->{error} // '-');
}

# --- issued only with the refresh_token grant type --------------------------

my $plain = add_client(autoapprove => 'true');
my $tok = obtain_token(client => $plain);
push @secrets, $tok->{access_token}, $plain->{secret};
ok !exists $tok->{refresh_token}, 'a client without the refresh_token grant type gets no refresh token';
is count('mto_refresh_token', "client_id = '$plain->{id}'"), 0,
    'and no refresh token is stored for it';
oauth_error(refresh($plain, 'x' x 43), 400, 'unauthorized_client',
            'grant_type=refresh_token from a client without that grant type');

my $g = new_grant($refreshing);
ok length($g->{refresh_token} // '') >= 43,
    'a client with the refresh_token grant type gets a refresh token of at least 256 bits';
is $g->{token_type}, 'bearer', 'with a bearer access token beside it';
is $g->{scope}, join(' ', @SCOPES), 'with the scope of the code';
my $row = refresh_row($g->{refresh_token}, 'grant_id, client_id, user_name, scope, rotated_at, code_hash');
ok $row, 'the refresh token is stored under its SHA-256 hex';
is count('mto_refresh_token', "token_hash = '$g->{refresh_token}'"), 0,
    'the refresh token is not stored in clear';
like $row->[0] // '', qr/^[0-9a-f]{64}$/, 'its grant id is 64 hex digits';
is_deeply [@{$row}[1 .. 4]], [$refreshing->{id}, 'alice', join(' ', @SCOPES), 0],
    'the row holds client, user, the grant\'s scope, and is not rotated';
like $row->[5] // '', qr/^[0-9a-f]{64}$/, 'the row names the code the grant began with';
is db_value("SELECT refresh_hash FROM mto_access_token WHERE token_hash = '"
            . sha256_hex($g->{access_token}) . "'"), sha256_hex($g->{refresh_token}),
    'the access token row names the refresh token issued with it';
my $g2 = new_grant($refreshing);
isnt refresh_row($g2->{refresh_token}, 'grant_id')->[0], $row->[0],
    'a second authorization of the same client and user is a grant of its own';

# --- lifetimes ----------------------------------------------------------------

sub lifetime_of {
    my ($validity) = @_;
    my $c = add_client(grant_types => 'authorization_code,refresh_token', autoapprove => 'true',
                       refresh_validity => $validity);
    push @secrets, $c->{secret};
    my $t = new_grant($c);
    my $r = refresh_row($t->{refresh_token}, 'issued_at, expires_at');
    return $r->[1] == 0 ? 'never' : $r->[1] - $r->[0];
}
is lifetime_of('default'), 30 * 86400, 'refresh_token_validity NULL: the grant lasts 30 days';
is lifetime_of(0), 'never', 'refresh_token_validity 0: the grant never expires (expires_at 0)';
is lifetime_of(600), 600, 'refresh_token_validity 600: the grant lasts 600 s';

# --- a refresh ------------------------------------------------------------------

my $first = refresh_row($g->{refresh_token}, 'grant_id, expires_at');
my $r1 = refreshed_ok(refresh($refreshing, $g->{refresh_token}), 'refresh');
isnt $r1->{access_token}, $g->{access_token}, 'refresh: the access token is a new one';
isnt $r1->{refresh_token}, $g->{refresh_token}, 'refresh: the refresh token is a new one (rotation)';
is $r1->{scope}, join(' ', @SCOPES), 'refresh without scope: the grant\'s scope';
is $r1->{expires_in}, 43200, 'refresh: expires_in from the access token lifetime';
isnt refresh_row($g->{refresh_token}, 'rotated_at')->[0], 0, 'refresh: the used refresh token is marked rotated';
is_deeply refresh_row($r1->{refresh_token}, 'grant_id, expires_at, rotated_at'), [@$first, 0],
    'refresh: the new refresh token is of the same grant and keeps the grant\'s expiry';
is db_value("SELECT refresh_hash FROM mto_access_token WHERE token_hash = '"
            . sha256_hex($r1->{access_token}) . "'"), sha256_hex($r1->{refresh_token}),
    'refresh: the new access token row names the new refresh token';
is gate($r1->{access_token}), 200, 'refresh: the new access token passes the gate';
is gate($g->{access_token}), 200, 'refresh: the previous access token still works until it expires';

my $r2 = refreshed_ok(refresh($refreshing, $r1->{refresh_token}, auth => [],
                             headers => [client_basic_header($refreshing->{id}, $refreshing->{secret})]),
                     'refresh with client_secret_basic');
oauth_error(refresh($refreshing, $r2->{refresh_token},
                    auth => [client_id => $refreshing->{id}, client_secret => 'wrong']),
            401, 'invalid_client', 'refresh with a wrong client secret');

# --- scope --------------------------------------------------------------------

my $narrow = refreshed_ok(refresh($refreshing, $r2->{refresh_token}, form => [scope => 'profile_read']),
                          'refresh with a narrower scope');
is $narrow->{scope}, 'profile_read', 'narrower scope: the access token has only it';
is gate($narrow->{access_token}), 200, 'narrower scope: the access token passes a gate that wants it';
is refresh_row($narrow->{refresh_token}, 'scope')->[0], join(' ', @SCOPES),
    'narrower scope: the new refresh token keeps the grant\'s scope';
my $wide = refreshed_ok(refresh($refreshing, $narrow->{refresh_token}),
                        'refresh without scope after a narrower one');
is $wide->{scope}, join(' ', @SCOPES), 'and it gets the grant\'s whole scope again';

my $small = new_grant($refreshing, scope => 'profile_read alltimetables');
oauth_error(refresh($refreshing, $small->{refresh_token}, form => [scope => 'profile_read messages_read']),
            400, 'invalid_scope', 'a scope wider than the grant\'s');
oauth_error(refresh($refreshing, $small->{refresh_token}, form => [scope => 'no_such_scope']),
            400, 'invalid_scope', 'a scope the client does not have');
oauth_error(refresh($refreshing, $small->{refresh_token}, form => [scope => '']),
            400, 'invalid_scope', 'an empty scope');
oauth_error(refresh($refreshing, $small->{refresh_token}, form => [scope => "profile_read\x01"]),
            400, 'invalid_scope', 'a malformed scope');
oauth_error(refresh($refreshing, $small->{refresh_token}, form => [scope => 'profile_read,alltimetables']),
            400, 'invalid_scope', 'a comma is part of one scope token, not a separator');
is refresh_row($small->{refresh_token}, 'rotated_at')->[0], 0,
    'a refused scope does not use the refresh token up';
my $small2 = refreshed_ok(refresh($refreshing, $small->{refresh_token}, form => [scope => 'alltimetables']),
                          'the same refresh token then works with a scope within the grant');

# --- refused refresh tokens -----------------------------------------------------

my $other = add_client(grant_types => 'authorization_code,refresh_token', autoapprove => 'true');
push @secrets, $other->{secret};
oauth_error(refresh($other, $small2->{refresh_token}), 400, 'invalid_grant',
            'another client\'s refresh token');
is refresh_row($small2->{refresh_token}, 'rotated_at')->[0], 0,
    'another client\'s attempt does not use the refresh token up';
oauth_error(refresh($refreshing, 'no-such-refresh-token-' . 'x' x 30), 400, 'invalid_grant',
            'an unknown refresh token');
oauth_error(POST('/oauth/token', [grant_type => 'refresh_token', client_id => $refreshing->{id},
                                  client_secret => $refreshing->{secret}]),
            400, 'invalid_request', 'no refresh_token');
oauth_error(refresh($refreshing, $small2->{refresh_token},
                    form => [refresh_token => $small2->{refresh_token}]),
            400, 'invalid_request', 'refresh_token given twice');

my $old = new_grant($refreshing);
db_sql("UPDATE mto_refresh_token SET expires_at = 1 WHERE token_hash = '"
       . sha256_hex($old->{refresh_token}) . "'");
oauth_error(refresh($refreshing, $old->{refresh_token}), 400, 'invalid_grant', 'an expired refresh token');

my $demoted = add_client(grant_types => 'authorization_code,refresh_token', autoapprove => 'true');
push @secrets, $demoted->{secret};
my $dg = new_grant($demoted);
db_sql("UPDATE oauth_client_details SET authorized_grant_types = 'authorization_code' "
       . "WHERE client_id = '$demoted->{id}'");
oauth_error(refresh($demoted, $dg->{refresh_token}), 400, 'unauthorized_client',
            'a client whose refresh_token grant type was taken away');

# --- reuse of a rotated refresh token --------------------------------------------

my $bystander = new_grant($refreshing);         # the same client and user, another grant
my $a0 = new_grant($refreshing);
my $a1 = refreshed_ok(refresh($refreshing, $a0->{refresh_token}), 'reuse: first rotation');
my $a2 = refreshed_ok(refresh($refreshing, $a1->{refresh_token}), 'reuse: second rotation');
my $grant = refresh_row($a2->{refresh_token}, 'grant_id')->[0];
my @family_access = map { $_->{access_token} } $a0, $a1, $a2;
is_deeply [map { gate($_) } @family_access], [200, 200, 200],
    'reuse: before it, every access token of the grant passes the gate';

my $mark = error_log_mark();
my $body = oauth_error(refresh($refreshing, $a0->{refresh_token}), 400, 'invalid_grant',
                       'reuse of a rotated refresh token');
is count('mto_refresh_token', "grant_id = '$grant'"), 0,
    'reuse: every refresh token of the grant is gone, the newest included';
is access_rows(@family_access), 0, 'reuse: every access token issued from the grant is gone';
is_deeply [map { gate($_) } @family_access], ['401 invalid_token', '401 invalid_token', '401 invalid_token'],
    'reuse: the gate answers 401 invalid_token for each of them';
oauth_error(refresh($refreshing, $a2->{refresh_token}), 400, 'invalid_grant',
            'reuse: the newest refresh token no longer works');
is gate($bystander->{access_token}), 200, 'reuse: another grant of the same client and user stays';
refreshed_ok(refresh($refreshing, $bystander->{refresh_token}),
             'reuse: and its refresh token still works');
my @warn = grep { /\[mytimetable_oauth:warn\]/ && /already used/ } error_log_since($mark);
is scalar(@warn), 1, 'reuse: one warning in the error log';
like $warn[0] // '', qr/\Q$refreshing->{id}\E.*alice/, 'reuse: the warning names the client and the user';

# --- a replayed code takes the grant along ---------------------------------------

my $got = obtain_code(client => $refreshing);
my @code_form = (grant_type => 'authorization_code', code => $got->{code}, redirect_uri => $cb,
                 client_id => $refreshing->{id}, client_secret => $refreshing->{secret});
push @secrets, $got->{code};
my $c0 = refreshed_ok(POST('/oauth/token', [@code_form]), 'code replay: the code redeemed');
my $c1 = refreshed_ok(refresh($refreshing, $c0->{refresh_token}), 'code replay: a rotation');
$grant = refresh_row($c1->{refresh_token}, 'grant_id')->[0];
oauth_error(POST('/oauth/token', [@code_form]), 400, 'invalid_grant', 'code replay');
is count('mto_refresh_token', "grant_id = '$grant'"), 0,
    'code replay: the refresh tokens issued from the code are gone';
is access_rows($c0->{access_token}, $c1->{access_token}), 0,
    'code replay: the access tokens of the grant are gone, the refreshed one included';
is gate($c1->{access_token}), '401 invalid_token', 'code replay: the gate refuses the refreshed access token';
oauth_error(refresh($refreshing, $c1->{refresh_token}), 400, 'invalid_grant',
            'code replay: the newest refresh token no longer works');

# --- parallel uses of one refresh token -------------------------------------------

for my $round (1 .. $ROUNDS) {
    my $t = new_grant($refreshing);
    my $request = raw_form_post('/oauth/token', [grant_type => 'refresh_token',
        refresh_token => $t->{refresh_token}, client_id => $refreshing->{id},
        client_secret => $refreshing->{secret}]);
    my ($ready, @results) = race_requests($request, $PARALLEL, $DEADLINE);
    is $ready, $PARALLEL, "race $round: $PARALLEL racers hold the same refresh token, ready at once";
    is scalar(@results), $PARALLEL, "race $round: every parallel use is answered";
    my @won = grep { $_->{status} == 200 } @results;
    is scalar(@won), 1, "race $round: exactly one parallel use gets new tokens"
        or diag race_summary(@results);
    my $winner = eval { $JSON->decode($won[0]{body}) } || {};
    push @secrets, grep { defined } @{$winner}{qw(access_token refresh_token)};
    is scalar(grep { $_->{status} == 400 && $_->{body} =~ /"invalid_grant"/ } @results),
        $PARALLEL - 1, "race $round: the others get 400 invalid_grant" or diag race_summary(@results);
    is scalar(grep { $_->{status} >= 500 || $_->{status} == 0 } @results), 0,
        "race $round: no 5xx (nor a dropped connection) under contention";
    $grant = refresh_row($t->{refresh_token}, 'grant_id');
    is $grant, undef, "race $round: the losers count as reuse, so the grant is revoked";
    is access_rows(grep { defined } $t->{access_token}, $winner->{access_token}), 0,
        "race $round: no access token of the raced grant remains, the winner's included";
}

# --- never in a log -----------------------------------------------------------------

is_deeply [map { log_grep($_) } @secrets], [], 'no refresh token, access token, code or secret in any log';

done_testing();
