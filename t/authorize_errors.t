# The authorization endpoint's errors (docs/endpoints.md, RFC 6749 §4.1.2.1): an HTML
# page without redirect while client or redirect_uri is not trusted, a
# redirect with error=, state and iss afterwards.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use MTO::Test;


my @alice = basic_header(alice => $USERS{alice});
my $client = add_client(scope => 'profile_read,alltimetables');
my $two = add_client(redirect_uri => ['http://localhost/a', 'http://localhost/b']);
my $issuer = 'http://' . Apache::TestRequest::hostport();

sub authz { GET authorize_url(@_), @alice, redirect_ok => 0 }

sub no_redirect {
    my ($res, $name) = @_;
    ok $res->code == 400 && !defined $res->header('Location'), "$name: 400 page, no redirect";
    like $res->header('Content-Type') // '', qr{^text/html}, "$name: an HTML error page";
}

no_redirect(authz(response_type => 'code', redirect_uri => 'http://localhost/cb'),
            'no client_id');
no_redirect(authz(response_type => 'code', client_id => 'no-such-client'), 'unknown client_id');
no_redirect(authz(response_type => 'code', client_id => $client->{id}, client_id => $client->{id}),
            'client_id given twice');
no_redirect(authz(response_type => 'code', client_id => $client->{id},
                  redirect_uri => 'http://evil.example/cb'), 'unregistered redirect_uri');
no_redirect(authz(response_type => 'code', client_id => $client->{id},
                  redirect_uri => 'http://localhost/cb/'), 'redirect_uri differing by a slash');
no_redirect(authz(response_type => 'code', client_id => $two->{id}),
            'no redirect_uri while the client has several');

# One registered URI: redirect_uri may be left out.
my $res = authz(response_type => 'code', client_id => $client->{id}, state => 's1');
is $res->code, 200, 'redirect_uri left out with one registered URI: consent page';

sub redirect_error {
    my ($res, $error, $name, $state) = @_;
    is $res->code, 302, "$name: a redirect";
    my $p = eval { location_params($res) } || {};
    like $res->header('Location') // '', qr{^http://localhost/cb\?}, "$name: back to the client";
    is $p->{error}, $error, "$name: error=$error";
    is $p->{state}, $state, "$name: state comes back" if defined $state;
    return $p;
}

my %base = (client_id => $client->{id}, redirect_uri => 'http://localhost/cb', state => 'st');
redirect_error(authz(%base), 'invalid_request', 'no response_type', 'st');
redirect_error(authz(%base, response_type => 'token'), 'unsupported_response_type',
               'response_type=token', 'st');
redirect_error(authz(%base, response_type => 'code', scope => 'messages_read'), 'invalid_scope',
               'a scope the client may not have', 'st');
redirect_error(authz(%base, response_type => 'code', scope => 'profile_read  x"y'), 'invalid_scope',
               'a scope that breaks RFC 6749 §3.3 syntax', 'st');
redirect_error(authz(%base, response_type => 'code', scope => 'profile_read,alltimetables'),
               'invalid_scope', 'a comma is part of one scope token, not a separator', 'st');
my $p = redirect_error(GET(authorize_url(response_type => 'code', %base, scope => 'profile_read',
                                         scope => 'profile_read'), @alice, redirect_ok => 0),
                       'invalid_request', 'scope given twice', 'st');
is $p->{iss}, $issuer, 'error redirects carry iss';

my $nocode = add_client(grant_types => 'refresh_token');
redirect_error(GET(authorize_url(response_type => 'code', client_id => $nocode->{id},
                                 redirect_uri => 'http://localhost/cb', state => 'q'),
                   @alice, redirect_ok => 0),
               'unauthorized_client', 'a client without the authorization_code grant', 'q');

$res = GET '/oauth/authorize?response_type=code&client_id=' . $client->{id}
    . '&redirect_uri=http%3A%2F%2Flocalhost%2Fcb&state=ok&scope=%zz', @alice, redirect_ok => 0;
redirect_error($res, 'invalid_request', 'an undecodable parameter', 'ok');

$res = GET '/noauth/authorize?response_type=code&client_id=' . $client->{id}, redirect_ok => 0;
is $res->code, 500, 'no Apache authentication in front of the endpoint: 500';
ok scalar(log_grep('has no authenticated user: protect the mytimetable-oauth-authorize')),
    'and the error log tells the admin what to configure';

$res = Apache::TestRequest::PUT(authorize_url(%base, response_type => 'code'), @alice);
is $res->code, 405, 'PUT on the authorize endpoint: 405';
done_testing();
