package MTO::ResourceServer;
# Another Apache module as a resource server in front of an echo backend,
# validating this server's tokens by introspection (README "Other resource
# servers", docs/resource-servers.md): t/rs_mod_oauth2.t and
# t/rs_mod_auth_openidc.t.  Each runs a private httpd of its own (Debian's
# apache2, the same binary as the test server) with its own ServerRoot in
# t/logs/<name>/, on free loopback ports, stopped by its PID at the end
# (t/lib/MTO/Daemon.pm), also when the test dies.
use strict;
use warnings;

use Exporter 'import';
use Apache::Test ();
use Apache::TestRequest ();
use File::Path ();
use JSON ();
use LWP::UserAgent ();
use POSIX ();
use Time::HiRes ();
use Test::More;
use MTO::Daemon qw(find_binary free_port start_daemon);
use MTO::Test;

our @EXPORT = qw(rs_module_or_skip register_resource_server rs_state_dir tls_files
                 start_rs_httpd rs_get rs_echo as_introspect_url free_port
                 revoke random_token resource_server_checks cache_revocation_checks);

my $MODULES = '/usr/lib/apache2/modules';

# rs_module_or_skip($so, $package): skips the whole test when the module is
# not installed (build/deps installs it).
sub rs_module_or_skip {
    my ($so, $package) = @_;
    return "$MODULES/$so" if -e "$MODULES/$so";
    plan(skip_all => "$MODULES/$so is missing: Debian package $package is not installed "
                   . '(build/deps installs it)');
}

# register_resource_server(): `client add ID --resource-server`, the secret
# on stdin as an admin would type it.  Returns {id, secret}.
sub register_resource_server {
    my $id = sprintf 'rs-%d-%d', $$, time;
    my $secret = join '', map { sprintf '%02x', int rand 256 } 1 .. 20;
    tool({ stdin => "$secret\n" }, 'client', 'add', $id, '--secret-stdin', '--resource-server');
    remember_secret('client secret', $secret);
    return { id => $id, secret => $secret };
}

# The test server's introspection endpoint, by address: what a resource
# server on this machine calls.
sub as_introspect_url {
    return 'http://127.0.0.1:' . Apache::Test::vars('port') . '/oauth/introspect';
}

# rs_state_dir($name): t/logs/$name, emptied; readable by httpd's children.
sub rs_state_dir {
    my ($name) = @_;
    my $dir = Apache::Test::vars('t_logs') . "/$name";
    File::Path::remove_tree($dir);
    File::Path::make_path($dir);
    chmod 0755, $dir;
    return $dir;
}

sub _run_quiet {
    my (@cmd) = @_;
    my $pid = fork // die "fork: $!\n";
    if (!$pid) {
        open STDOUT, '>', '/dev/null';
        open STDERR, '>', '/dev/null';
        { no warnings 'exec'; exec { $cmd[0] } @cmd; }
        POSIX::_exit(127);
    }
    waitpid $pid, 0;
    die "MTO::ResourceServer: failed ($?): @cmd\n" if $?;
}

# tls_files($dir): a CA made for this run, a certificate for 127.0.0.1
# signed by it (with its key), and an unrelated CA; by openssl, in $dir.
# Returns {ca, cert, key, other_ca} (paths).
sub tls_files {
    my ($dir) = @_;
    my $openssl = find_binary('openssl') or die "openssl not found (build/deps installs it)\n";
    my @ec = qw(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes);
    for my $ca (qw(ca other_ca)) {
        _run_quiet($openssl, 'req', '-x509', @ec, '-keyout', "$dir/$ca.key", '-out', "$dir/$ca.pem",
                   '-days', '2', '-subj', "/CN=mytimetable-oauth test $ca $$");
    }
    my $ext = "$dir/server.ext";
    open my $fh, '>', $ext or die "$ext: $!\n";
    print {$fh} "basicConstraints=critical,CA:FALSE\nsubjectAltName=IP:127.0.0.1\n"
              . "extendedKeyUsage=serverAuth\n";
    close $fh;
    _run_quiet($openssl, 'req', '-new', @ec, '-keyout', "$dir/server.key", '-out', "$dir/server.csr",
               '-subj', '/CN=127.0.0.1');
    _run_quiet($openssl, 'x509', '-req', '-in', "$dir/server.csr", '-CA', "$dir/ca.pem",
               '-CAkey', "$dir/ca.key", '-set_serial', '2', '-days', '2', '-extfile', $ext,
               '-out', "$dir/server.pem");
    return { ca => "$dir/ca.pem", cert => "$dir/server.pem", key => "$dir/server.key",
             other_ca => "$dir/other_ca.pem" };
}

# The configuration every private httpd shares: the echo backend (the CGI
# t/cgi-bin/echo.pl) under /api/, which the module's lines protect.
sub _base_conf {
    my ($dir, $ports, $load) = @_;
    my $echo = Apache::Test::vars('top_dir') . '/t/cgi-bin/echo.pl';
    my @user = $> == 0
        ? ('User ' . (Apache::Test::vars('user') || 'nobody'),
           'Group ' . (Apache::Test::vars('group') || 'nogroup'))
        : ();
    my @modules = (qw(mpm_event authz_core authn_core authz_user alias mime cgid), @$load);
    return join "\n",
        "ServerRoot $dir", 'ServerName 127.0.0.1', "PidFile $dir/httpd.pid",
        "DefaultRuntimeDir $dir", "ErrorLog $dir/error_log", 'LogLevel warn',
        (map { "Listen 127.0.0.1:$_" } @$ports), @user,
        (map { "LoadModule ${_}_module $MODULES/mod_$_.so" } @modules),
        'TypesConfig /etc/mime.types', "ScriptSock $dir/cgid.sock",
        "AliasMatch ^/api/ $echo",
        '<LocationMatch ^/api/>', '    SetHandler cgi-script', '    Options +ExecCGI',
        '</LocationMatch>', '';
}

# start_rs_httpd(dir => $dir, ports => [...], load => [module names], conf
# => $lines): writes $dir/httpd.conf and starts httpd on it in
# the foreground; returns once every port listens.  Dies if it does not.
sub start_rs_httpd {
    my %o = @_;
    my $conf = "$o{dir}/httpd.conf";
    open my $fh, '>', $conf or die "$conf: $!\n";
    print {$fh} _base_conf($o{dir}, $o{ports}, $o{load}), $o{conf};
    close $fh or die "$conf: $!\n";
    # The test server's binary (under build/test's sanitizer pass, the
    # apache2 its wrapper runs): the Debian modules are built for it.
    my $httpd = $ENV{MTO_SANITIZE_HTTPD} || Apache::Test::vars('httpd') || find_binary('apache2')
        or die "apache2 not found\n";
    return start_daemon($o{ports}, "$o{dir}/stdout_log",
                        $httpd, '-d', $o{dir}, '-f', $conf, '-DFOREGROUND');
}

my $ua = LWP::UserAgent->new(timeout => 30);

# rs_get($port, $path, $token): GET on the private httpd, with the token as
# a bearer token (RFC 6750 §2.1) unless undef.
sub rs_get {
    my ($port, $path, $token) = @_;
    return $ua->get("http://127.0.0.1:$port$path",
                    defined $token ? (Authorization => "Bearer $token") : ());
}

# rs_echo($res): what the echo backend saw (its JSON), or {} when it was
# not reached.
sub rs_echo {
    my ($res) = @_;
    return {} unless $res->code == 200;
    return eval { JSON->new->decode($res->decoded_content) } || {};
}

sub random_token { join '', map { ('A' .. 'Z', 'a' .. 'z', 0 .. 9)[rand 62] } 1 .. 43 }

# revoke($client, $token): RFC 7009 at the test server; the status code.
sub revoke {
    my ($client, $token) = @_;
    return Apache::TestRequest::POST('/oauth/revoke', [token => $token, client_creds($client)])->code;
}

sub _challenge_ok {
    my ($res, $error, $name) = @_;
    my $c = eval { bearer_challenge($res) } || {};
    is lc($c->{scheme} // ''), 'bearer', "$name: WWW-Authenticate: Bearer";
    is $c->{error}, $error, "$name: error=$error" if defined $error;
}

# resource_server_checks(name => ..., port => ..., claim => 'OAUTH2_CLAIM_'):
# what both modules must do in front of the echo backend, their
# introspection cache off.  /api/any/ needs a valid token; /api/scope/
# needs the scope messages_read as well (refused with 401, httpd's answer
# to an authorization failure after authentication).  Returns the
# application client whose tokens it used.
sub resource_server_checks {
    my %o = @_;
    my ($n, $port) = @o{qw(name port)};
    my %path = (any => '/api/any/x', scope => '/api/scope/x');
    my $app = add_client(grant_types => 'authorization_code,refresh_token');
    my $got = obtain_token(client => $app, user => 'bob', scope => 'profile_read alltimetables');
    my $res = rs_get($port, $path{any}, $got->{access_token});
    is $res->code, 200, "$n: a valid access token is accepted";
    my $seen = rs_echo($res);
    is $seen->{REMOTE_USER}, 'bob', "$n: the backend sees the token's user (sub) as REMOTE_USER";
    is $seen->{"$o{claim}scope"}, 'profile_read alltimetables',
        "$n: the backend sees the token's scope ($o{claim}scope)";
    is $seen->{"$o{claim}client_id"}, $app->{id}, "$n: ... and the application ($o{claim}client_id)";

    $res = rs_get($port, $path{any}, undef);
    is $res->code, 401, "$n: no token: 401";
    _challenge_ok($res, undef, "$n: no token");
    $res = rs_get($port, $path{any}, random_token());
    is $res->code, 401, "$n: a garbage token: 401";
    _challenge_ok($res, 'invalid_token', "$n: a garbage token");
    is rs_get($port, $path{any}, $got->{refresh_token})->code, 401,
        "$n: a refresh token as a bearer token: 401 (a resource server learns nothing of it)";

    is rs_get($port, $path{scope}, $got->{access_token})->code, 401,
        "$n: a token without the scope messages_read: 401 where it is required";
    my $msg = obtain_token(client => $app, scope => 'messages_read profile_read')->{access_token};
    $res = rs_get($port, $path{scope}, $msg);
    is $res->code, 200, "$n: a token with messages_read (and another scope): accepted there";
    is rs_echo($res)->{REMOTE_USER}, 'alice', "$n: ... as its user, alice";

    is revoke($app, $msg), 200, "$n: the application revokes that token (RFC 7009)";
    is rs_get($port, $path{any}, $msg)->code, 401, "$n: cache off: the revoked token is refused at once";
    is rs_get($port, $path{any}, $got->{access_token})->code, 200, "$n: the other token still works";
    return $app;
}

# cache_revocation_checks(name => ..., ttl => SECONDS, app => $client,
# token => a valid token of $app, cached => [$port, $path] (the module's
# cache on, with that time to live: `setting` says how), live => [$port,
# $path] (its cache off)): the token is accepted; once revoked, refused at
# once where the cache is off, still accepted where it is on, and refused
# there too when the cached answer has expired.
sub cache_revocation_checks {
    my %o = @_;
    my ($n, $ttl) = @o{qw(name ttl)};
    # The answer is cached after $t0, and before $t1.
    my $t0 = Time::HiRes::time();
    is rs_get(@{ $o{cached} }, $o{token})->code, 200, "$n, cache on: a valid token is accepted";
    my $t1 = Time::HiRes::time();
    is revoke($o{app}, $o{token}), 200, "$n, cache on: the application revokes it";
    is rs_get(@{ $o{live} }, $o{token})->code, 401, "$n: refused at once where the cache is off";
  SKIP: {
        skip 'too slow to see the cached answer (under load)', 1
            if Time::HiRes::time() - $t0 > $ttl - 1;
        is rs_get(@{ $o{cached} }, $o{token})->code, 200,
            "$n, cache on: still accepted from its cache ($o{setting})";
    }
    my $wait = $t1 + $ttl + 1 - Time::HiRes::time();
    Time::HiRes::sleep($wait) if $wait > 0;
    is rs_get(@{ $o{cached} }, $o{token})->code, 401,
        "$n, cache on: refused once the cached answer has expired";
}

1;
