# The four-step sample flow of the MyTimetable documentation (docs/endpoints.md):
# authorize → log in and approve → redirect with ?code= → POST to /oauth/token.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use MTO::Test;


my $client = add_client(redirect_uri => 'http://localhost', secret => 'test');
my $url = authorize_url(response_type => 'code', client_id => $client->{id},
                        redirect_uri => 'http://localhost', state => 'xyz');

my $res = GET $url, redirect_ok => 0;
is $res->code, 401, 'step 1: the authorize endpoint asks the user to log in';

$res = GET $url, basic_header(alice => $USERS{alice}), redirect_ok => 0;
is $res->code, 200, 'step 1: a logged-in user sees the consent page';
like $res->content, qr/\Q$client->{id}\E/, 'the consent page names the client';
like $res->content, qr/read user subscriptions and user timetable/,
    'the consent page shows each scope\'s description';
is $res->header('Cache-Control'), 'no-store', 'the consent page is not cached';
is $res->header('X-Frame-Options'), 'DENY', 'the consent page may not be framed';

$res = approve_consent($res, 1, alice => $USERS{alice}, $url);
is $res->code, 303, 'step 2: approving answers 303';
my $loc = $res->header('Location') // '';
like $loc, qr{^http://localhost\?}, 'step 2: the user goes back to the redirect_uri';
my $got = location_params($res);
ok length($got->{code} // '') >= 22, 'step 2: the redirect carries a code of at least 128 bits';
is $got->{state}, 'xyz', 'step 2: the redirect carries the state';
my $issuer = 'http://' . Apache::TestRequest::hostport();
is $got->{iss}, $issuer, 'step 2: the redirect carries iss (RFC 9207)';

$res = POST '/oauth/token', [grant_type => 'authorization_code', client_id => $client->{id},
                             client_secret => 'test', code => $got->{code},
                             redirect_uri => 'http://localhost'];
is $res->code, 200, 'step 3: the token endpoint answers 200';
my $tok = json_body($res);
ok length($tok->{access_token} // '') >= 43, 'step 4: an access token of at least 256 bits';
is $tok->{token_type}, 'bearer', 'the token type is bearer';
is $tok->{expires_in}, 43200, 'expires_in is MyTimetableOAuthTokenLifetime when access_token_validity is NULL';
is $tok->{scope}, join(' ', @SCOPES), 'no scope requested: all the client\'s scopes';
is $res->header('Cache-Control'), 'no-store', 'token response: Cache-Control: no-store';
is $res->header('Pragma'), 'no-cache', 'token response: Pragma: no-cache';

# Virtual hosts share the main server's mod_dbd configuration: the module
# registers its statements once per configuration, so mod_dbd has nothing
# to warn about at start-up.
is scalar(grep { /AH02653/ } log_grep('conflicting SQL statements')), 0,
    'start-up: no "conflicting SQL statements" warning from mod_dbd';
done_testing();
