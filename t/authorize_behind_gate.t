# The authorize endpoint behind the gate (README "The login in front of
# the authorize endpoint"): if an admin puts AuthType mytimetable-oauth on it, an access
# token (or an elevated API token with requestedAuth) could mint codes for
# any client as any user.  The endpoint refuses a user this module's own
# AuthType authenticated: a 500 "Server misconfigured" page and MTO0030
# naming the Location, and no code.
#
# Location: /lc/authorize (t/conf/gate_lifecycle.conf.in).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET);
use MTO::Test;

Apache::TestRequest::user_agent(requests_redirectable => 0);

my $client = add_client();
my $victim = add_client();
my $token = add_token(client => $client->{id}, user => 'alice', scope => 'profile_read');
my $elevated = add_api_token(name => "authz-gate-$$", is_elevated => 'true');
my $url = authorize_url('/lc/authorize', response_type => 'code', client_id => $victim->{id},
                        redirect_uri => 'http://localhost/cb', scope => 'profile_read');
my $codes = db_value('SELECT COUNT(*) FROM mto_code');

for my $case (['an access token', [Authorization => "Bearer $token"]],
              ['an elevated API token with requestedAuth', [apiToken => $elevated, requestedAuth => 'bob']]) {
    my ($what, $cred) = @$case;
    my $mark = error_log_mark();
    my $res = GET($url, @$cred);
    is $res->code, 500, "authorize behind the gate, $what: 500";
    like $res->content, qr/Server misconfigured/, "authorize behind the gate, $what: the misconfiguration page";
    ok !defined $res->header('Location'), "authorize behind the gate, $what: no redirect with a code";
    ok scalar(grep { /MTO0030: .*\/lc\/authorize/ } error_log_since($mark)),
        "authorize behind the gate, $what: MTO0030 names the Location";
}
is db_value('SELECT COUNT(*) FROM mto_code'), $codes, 'authorize behind the gate: no code was stored';

# The ordinary Location (Basic authentication) still works.
my $res = GET(authorize_url(response_type => 'code', client_id => $victim->{id},
                            redirect_uri => 'http://localhost/cb', scope => 'profile_read'),
              basic_header(alice => $USERS{alice}));
is $res->code, 200, 'authorize behind Basic authentication: the consent page (200)';

done_testing;
