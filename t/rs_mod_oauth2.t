# Debian's mod_oauth2 (libapache2-mod-oauth2, liboauth2) as a resource
# server in a private httpd, in front of an echo backend: it validates this
# server's access tokens by introspection (RFC 7662) with the credentials
# of a client registered with --resource-server (docs/resource-servers.md
# has this configuration for /etc/apache2).  Its cache of introspection
# results is off (expiry=0) except on /api/cached/, where a revocation is
# seen only when the cached answer expires.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Time::HiRes ();
use MTO::Test;
use MTO::ResourceServer;

plan skip_all => 'runs once per build/test, in the SQLite run: the resource server asks the introspection endpoint, which t/resource_server.t tests on every database'
    if ($ENV{MTO_DBD_DRIVER} // 'sqlite3') ne 'sqlite3';

rs_module_or_skip('mod_oauth2.so', 'libapache2-mod-oauth2');

my $rs = register_resource_server();
my $dir = rs_state_dir('rs_mod_oauth2');
my $port = free_port();
my $cache_ttl = 5;

# OAuth2TokenVerify's options are form-encoded; the secret is hex.
sub verify {
    my ($options, $secret, $auth) = @_;
    $secret //= $rs->{secret};
    $auth //= 'client_secret_basic';
    return 'OAuth2TokenVerify introspect ' . as_introspect_url()
         . " introspect.auth=$auth&client_id=$rs->{id}&client_secret=$secret&$options";
}
my $nocache = verify('expiry=0&verify.cache=nocache');
my $cached = verify("expiry=$cache_ttl&verify.cache=short");
my $wrong = verify('expiry=0&verify.cache=nocache', 'not-the-secret');
my $post = verify('expiry=0&verify.cache=nocache', undef, 'client_secret_post');
my $scope_expr = '"-n %{REMOTE_USER} && %{reqenv:OAUTH2_CLAIM_scope} =~ /(^| )messages_read( |$)/"';

start_rs_httpd(dir => $dir, ports => [$port], load => ['oauth2'], conf => <<"CONF");
OAuth2Cache shm name=nocache
OAuth2Cache shm name=short
<LocationMatch ^/api/>
    AuthType oauth2
</LocationMatch>
<Location /api/any/>
    $nocache
    Require valid-user
</Location>
<Location /api/scope/>
    $nocache
    Require expr $scope_expr
</Location>
<Location /api/exact/>
    $nocache
    Require oauth2_claim "scope:profile_read"
</Location>
<Location /api/cached/>
    $cached
    Require valid-user
</Location>
<Location /api/post/>
    $post
    Require valid-user
</Location>
<Location /api/wrong-secret/>
    $wrong
    Require valid-user
</Location>
CONF
pass "mod_oauth2: a private httpd on 127.0.0.1:$port";

my $app = resource_server_checks(name => 'mod_oauth2', port => $port, claim => 'OAUTH2_CLAIM_');

# Require oauth2_claim compares the whole scope string.
my $one = obtain_token(client => $app, scope => 'profile_read')->{access_token};
my $two = obtain_token(client => $app, scope => 'profile_read alltimetables')->{access_token};
is rs_get($port, '/api/exact/x', $one)->code, 200,
    'mod_oauth2: Require oauth2_claim scope:profile_read: a token of exactly that scope passes';
is rs_get($port, '/api/exact/x', $two)->code, 401,
    'mod_oauth2: ... one with a second scope does not (the whole string is compared)';

is rs_get($port, '/api/post/x', $one)->code, 200,
    'mod_oauth2 with introspect.auth=client_secret_post: a valid token is accepted';

# Its own credentials count: with a wrong secret the endpoint refuses it
# (invalid_client) and mod_oauth2 accepts no token.
my $before = () = log_grep('"POST /oauth/introspect HTTP/1.1" 401');
is rs_get($port, '/api/wrong-secret/x', $one)->code, 401,
    'mod_oauth2 with a wrong client secret: a valid token is refused';
# (The access log line is written just after the answer.)
my $after = $before;
for (1 .. 20) {
    $after = () = log_grep('"POST /oauth/introspect HTTP/1.1" 401');
    last if $after > $before;
    Time::HiRes::sleep(0.1);
}
cmp_ok $after, '>', $before, 'mod_oauth2 with a wrong client secret: the introspection endpoint answered 401';

# With its cache on, a revoked token is accepted until the cached answer expires.
cache_revocation_checks(name => 'mod_oauth2', ttl => $cache_ttl, app => $app, token => $one,
                        cached => [$port, '/api/cached/x'], live => [$port, '/api/any/x'],
                        setting => "expiry=$cache_ttl");

done_testing();
