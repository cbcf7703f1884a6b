# LogLevel mytimetable_oauth:debug traces one flow step by step (README §11,
# "Tracing a flow"): at the authorize endpoint the user, the client, the
# scope, the consent decision and the code issued; at the token endpoint the
# client's authentication and its method, the grant type, the code redeemed
# and the token issued; at the gate where the token came from and what it
# decided.  Never the code, the token, the client secret or the CSRF token.
# The virtual host log_trace (t/conf/log_trace.conf.in) logs at debug.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use MTO::Test;

Apache::TestRequest::module('log_trace');

my $client = add_client(id => "log-trace-$$", scope => 'profile_read,messages_read');
my $mark = error_log_mark();

# Authorize with the consent page (no approval yet), then the token endpoint.
my $url = authorize_url(response_type => 'code', client_id => $client->{id},
                        redirect_uri => 'http://localhost/cb', scope => 'profile_read',
                        state => 's1');
my $page = GET($url, basic_header(alice => $USERS{alice}), redirect_ok => 0);
is $page->code, 200, 'authorize: the consent page';
my $csrf = (consent_form($page) // {})->{fields} // [];
my %fields = @$csrf;
remember_secret('CSRF token', $fields{csrf_token}) if $fields{csrf_token};
my $back = approve_consent($page, 1, 'alice', $USERS{alice}, $url);
my $code = location_params($back)->{code};
ok $code, 'approve: a code';
my $res = POST('/oauth/token', [grant_type => 'authorization_code', code => $code,
                                redirect_uri => 'http://localhost/cb', client_creds($client)]);
is $res->code, 200, 'token: 200';
my $token = json_body($res)->{access_token};
remember_secret('access token', $token);

# The gate: allowed with the token, refused without one.
is GET('/gate/static', Authorization => "Bearer $token")->code, 200, 'gate: 200 with the token';
is GET('/gate/static')->code, 401, 'gate: 401 without credentials';
is GET('/gate/static', Authorization => 'Bearer no-such-token-' . $$)->code, 401,
   'gate: 401 with an unknown token';

my @trace = grep { /\[mytimetable_oauth:(?:debug|info)\]/ } error_log_since($mark);
my $id = qr/\Q'$client->{id}'\E/;
my @steps = (
    [ 'authorize: the user, the client, the scope and the redirect URI',
      qr/authorize: user 'alice', client $id, scope 'profile_read', redirect_uri 'http:\/\/localhost\/cb', PKCE none/ ],
    [ 'authorize: the consent decision',
      qr/authorize: no approval covers the scope: the consent page/ ],
    [ 'authorize: the user approved on the consent page',
      qr/authorize: user 'alice' approved client $id on the consent page/ ],
    [ 'authorize: the code issued (to whom, for what)',
      qr/code issued to client $id for user 'alice', scope 'profile_read'/ ],
    [ 'token: the client authenticated, and how',
      qr{client $id authenticated at '/oauth/token' \(client_secret_post\)} ],
    [ 'token: the grant type', qr/token: client $id, grant_type authorization_code/ ],
    [ 'token: the code redeemed', qr/token: the code of user 'alice' matches client $id.*redeeming it/ ],
    [ 'token: the token issued', qr/access token issued to client $id for user 'alice', scope 'profile_read'/ ],
    [ 'gate: where the token came from and what it decided',
      qr{gate: '/gate/static': access token in the Authorization header, apiToken none: user 'alice', client $id, scope 'profile_read'} ],
    [ 'gate: access granted', qr{gate: '/gate/static': access granted to 'alice'} ],
    [ 'gate: no credentials',
      qr{gate: '/gate/static': access token none, apiToken none: no user} ],
    [ 'gate: an unknown token refused',
      qr{gate: '/gate/static': access token in the Authorization header, apiToken none: refused with 401 invalid_token} ],
    [ 'gate: the answer and its challenge',
      qr{gate: '/gate/static' answered 401, WWW-Authenticate: Bearer realm="MyTimetable", error="invalid_token"} ],
);
for my $step (@steps) {
    my ($name, $re) = @$step;
    ok scalar(grep { $_ =~ $re } @trace), "trace: $name" or diag "no line like $re";
}

# And never a secret, in any line of the flow.
my %secret = (code => $code, 'access token' => $token, 'client secret' => $client->{secret},
              'CSRF token' => $fields{csrf_token} // 'no csrf token found');
my @all = error_log_since($mark);
for my $what (sort keys %secret) {
    ok !grep({ index($_, $secret{$what}) >= 0 } @all), "trace: no $what in the error log";
}

done_testing();
