# Debian's mod_auth_openidc (libapache2-mod-auth-openidc) as an OAuth 2.0
# resource server (AuthType oauth20) in a private httpd, in front of an echo
# backend: it validates this server's access tokens by introspection
# (RFC 7662) with the credentials of a client registered with
# --resource-server (docs/resource-servers.md has this configuration for
# /etc/apache2).
#
# It accepts only an https introspection endpoint.  The same private httpd
# terminates TLS on another port (a certificate for 127.0.0.1 signed by a CA
# made for this run) and passes /oauth/introspect on to the test server;
# mod_auth_openidc verifies that certificate against the run's CA
# (OIDCCABundlePath), and a virtual host given another CA accepts nothing.
# Its cache of introspection results is off (-1) except in a virtual host
# of its own, where a revocation is seen only when the cached answer expires.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use MTO::Test;
use MTO::ResourceServer;

plan skip_all => 'runs once per build/test, in the SQLite run: the resource server asks the introspection endpoint, which t/resource_server.t tests on every database'
    if ($ENV{MTO_DBD_DRIVER} // 'sqlite3') ne 'sqlite3';

rs_module_or_skip('mod_auth_openidc.so', 'libapache2-mod-auth-openidc');

my $rs = register_resource_server();
my $dir = rs_state_dir('rs_mod_auth_openidc');
my $tls = tls_files($dir);
my ($port, $cached_port, $other_ca_port, $tls_port) = map { free_port() } 1 .. 4;
my $cache_ttl = 5;
my $as_introspect = as_introspect_url();

start_rs_httpd(dir => $dir, ports => [$port, $cached_port, $other_ca_port, $tls_port],
               load => [qw(socache_shmcb ssl proxy proxy_http auth_openidc)], conf => <<"CONF");
# The TLS front of the test server's introspection endpoint.
<VirtualHost 127.0.0.1:$tls_port>
    ServerName 127.0.0.1
    SSLEngine on
    SSLCertificateFile $tls->{cert}
    SSLCertificateKeyFile $tls->{key}
    ProxyPass /oauth/introspect $as_introspect
</VirtualHost>

OIDCOAuthIntrospectionEndpoint https://127.0.0.1:$tls_port/oauth/introspect
OIDCOAuthClientID $rs->{id}
OIDCOAuthClientSecret $rs->{secret}
OIDCOAuthIntrospectionEndpointAuth client_secret_basic
OIDCCABundlePath $tls->{ca}
OIDCOAuthTokenIntrospectionInterval -1
<LocationMatch ^/api/>
    AuthType oauth20
</LocationMatch>
<Location /api/any/>
    Require valid-user
</Location>
<Location /api/scope/>
    Require claim "scope~(^| )messages_read( |\$)"
</Location>

<VirtualHost 127.0.0.1:$cached_port>
    OIDCOAuthTokenIntrospectionInterval $cache_ttl
</VirtualHost>
<VirtualHost 127.0.0.1:$other_ca_port>
    OIDCCABundlePath $tls->{other_ca}
</VirtualHost>
CONF
pass "mod_auth_openidc: a private httpd on 127.0.0.1:$port (TLS front on $tls_port)";

my $app = resource_server_checks(name => 'mod_auth_openidc', port => $port, claim => 'OIDC_CLAIM_');

# The introspection endpoint's certificate is checked: against another CA
# no token passes, and the reason is in mod_auth_openidc's log.
my $token = obtain_token(client => $app, scope => 'profile_read')->{access_token};
is rs_get($other_ca_port, '/api/any/x', $token)->code, 401,
    'mod_auth_openidc trusting another CA: a valid token is refused';
my $log = do { local (@ARGV, $/) = "$dir/error_log"; <> } // '';
like $log, qr/SSL certificate problem/, "mod_auth_openidc trusting another CA: its log names the certificate";

cache_revocation_checks(name => 'mod_auth_openidc', ttl => $cache_ttl, app => $app, token => $token,
                        cached => [$cached_port, '/api/any/x'], live => [$port, '/api/any/x'],
                        setting => "OIDCOAuthTokenIntrospectionInterval $cache_ttl");

done_testing();
