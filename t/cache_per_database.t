# A cache entry never answers for another database (README "Caching"):
# every cache key carries the fingerprint of the database it came from
# (DBDriver and DBDParams, as mod_dbd merges them).  Two servers with two
# SQLite databases share one cache; an access token, an elevated API token
# and a client valid in database A are refused at B right after A cached
# them, and B's own client of the same id keeps its own secret.
#  a) a virtual host with DBDParams of its own that inherits the main
#     server's shmcb: a small httpd of this test's own (the suite's main
#     server runs without a cache), two name-based virtual hosts;
#  b) two deployments on one memcached: the virtual hosts of
#     t/conf/cache_per_database.conf.in, and a memcached this test starts.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest ();
use File::Temp ();
use IO::Socket::INET ();
use LWP::UserAgent ();
use POSIX ();
use Time::HiRes ();
use MTO::Test;
use MTO::SharedCache ();

my @SECRETS;

sub keep { push @SECRETS, grep { defined } @_; return $_[0] }

# Rows in the SQLite database $db: a client (id given), an access token of
# it, an elevated API token.
sub fill_database {
    my ($db, $client_id) = @_;
    sqlite_db_create($db);
    my $client = add_client(id => $client_id, driver => 'sqlite3', params => $db);
    keep($client->{secret});
    local $ENV{MTO_DBD_DRIVER} = 'sqlite3';
    local $ENV{MTO_DBD_PARAMS} = $db;
    my $token = keep(add_token(client => $client_id));
    my $api = keep(add_api_token(is_elevated => 'true'));
    return { client => $client, token => $token, api => $api };
}

sub token_error {
    my $c = eval { bearer_challenge($_[0]) } || {};
    return $c->{error} // '';
}

# The checks, for two servers: $a and $b are {get => sub (path, headers),
# post => sub (path, form), mark => sub, statements => sub (mark, label)}.
sub isolation_checks {
    my ($name, $a, $b, $in_a, $in_b) = @_;
    my $bogus_code = 'no-such-code-' . int rand 1e9;
    my $client_post = sub {
        my ($client) = @_;
        return [grant_type => 'authorization_code', code => $bogus_code,
                redirect_uri => 'http://localhost/cb', client_id => $client->{id},
                client_secret => $client->{secret}];
    };

    # A looks everything up twice: the second time from the cache.
    my @codes;
    for (1 .. 2) {
        push @codes, $a->{get}->('/cache-gate/token', Authorization => "Bearer $in_a->{token}")->code,
            $a->{get}->('/cache-gate/api', apiToken => $in_a->{api})->code,
            $a->{post}->('/oauth/token', $client_post->($in_a->{client}))->code;
    }
    is "@codes", '200 200 400 200 200 400',
        "$name: at A, A's access token and elevated API token work, A's client authenticates";
    my $mark = $a->{mark}->();
    $a->{get}->('/cache-gate/token', Authorization => "Bearer $in_a->{token}");
    $a->{get}->('/cache-gate/api', apiToken => $in_a->{api});
    $a->{post}->('/oauth/token', $client_post->($in_a->{client}));
    is join(' ', map { $a->{statements}->($mark, $_) } qw(mto_token_get mto_api_token_get mto_client_get)),
        '0 0 0', "$name: A has them all in the shared cache";

    # B, right after: nothing of A's entries.
    $mark = $b->{mark}->();
    my $res = $b->{get}->('/cache-gate/token', Authorization => "Bearer $in_a->{token}");
    is $res->code . '/' . token_error($res), '401/invalid_token',
        "$name: at B, A's access token is refused";
    $res = $b->{get}->('/cache-gate/api', apiToken => $in_a->{api});
    isnt $res->code, 200, "$name: at B, A's elevated API token is refused";
    like $res->code, qr/^40[13]$/, "$name: (with 401 or 403)";
    $res = $b->{post}->('/oauth/token', $client_post->($in_a->{client}));
    is $res->code, 401, "$name: at B, A's secret for the client id both databases have is refused";
    is eval { json_body($res)->{error} } // '', 'invalid_client', "$name: (invalid_client)";
    is join(' ', map { $b->{statements}->($mark, $_) } qw(mto_token_get mto_api_token_get mto_client_get)),
        '1 1 1', "$name: B asked its own database each time";
    is $b->{post}->('/oauth/token', $client_post->($in_b->{client}))->code, 400,
        "$name: at B, B's own secret for that client id authenticates";
    @codes = map { $a->{get}->('/cache-gate/token', Authorization => "Bearer $in_a->{token}")->code } 1 .. 2;
    is "@codes", '200 200', "$name: and A's token still works at A";
}

# --- a) shmcb, inherited by a virtual host with a database of its own -------

my $modules = '/usr/lib/apache2/modules';
my $mini_pid_file;

sub free_port {
    my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1', LocalPort => 0,
                                  ReuseAddr => 1) or die "no free port: $!\n";
    return $s->sockport;
}

sub mini_conf {
    my ($dir, $port, $db_a, $db_b) = @_;
    my $so = Apache::Test::vars('top_dir') . '/mod_mytimetable_oauth/.libs/mod_mytimetable_oauth.so';
    my $ids = $> == 0 ? sprintf("User %s\nGroup %s\n", Apache::Test::vars('user') || 'nobody',
                                Apache::Test::vars('group') || 'nogroup') : '';
    my $load = join '', map { "LoadModule ${_}_module $modules/mod_$_.so\n" }
        qw(mpm_event authz_core authz_user authn_core alias dbd socache_shmcb);
    return <<EOF;
ServerRoot $dir
ServerName localhost
Listen 127.0.0.1:$port
PidFile $dir/httpd.pid
DefaultRuntimeDir $dir
ErrorLog $dir/error_log
LogLevel info mytimetable_oauth:trace2
${ids}${load}LoadModule mytimetable_oauth_module $so
StartServers 1
ServerLimit 1
ThreadsPerChild 4
MaxRequestWorkers 4
DBDriver sqlite3
DBDParams $db_a
DBDMin 0
MyTimetableOAuthCache shmcb
<Directory $dir>
    Require all granted
</Directory>
Alias /cache-gate/token $dir/doc.json
Alias /cache-gate/api $dir/doc.json
<Location /cache-gate/token>
    AuthType mytimetable-oauth
    AuthName "cache per database"
    Require valid-user
</Location>
<Location /cache-gate/api>
    AuthType mytimetable-oauth
    AuthName "cache per database"
    Require api-token
</Location>
<Location /oauth/token>
    SetHandler mytimetable-oauth-token
</Location>
<VirtualHost 127.0.0.1:$port>
    ServerName a.test
</VirtualHost>
<VirtualHost 127.0.0.1:$port>
    ServerName b.test
    DBDParams $db_b
</VirtualHost>
EOF
}

sub mini_stop {
    return unless $mini_pid_file && -e $mini_pid_file;
    my $pid = do { local (@ARGV, $/) = $mini_pid_file; <> } // '';
    ($pid) = $pid =~ /(\d+)/;
    return unless $pid;
    kill 'TERM', $pid;
    my $until = time + 10;
    Time::HiRes::sleep(0.1) while kill(0, $pid) && time < $until;
    $mini_pid_file = undef;
}

END { local $?; mini_stop() }

sub shmcb_inherited {
    my $tmp = File::Temp->newdir('mto-cachedb-XXXXXX', TMPDIR => 1);
    my $dir = $tmp->dirname;
    chmod 0755, $dir;
    my ($db_a, $db_b) = ("$dir/a/oauth.db", "$dir/b/oauth.db");
    my $in_a = fill_database($db_a, 'shared-client');
    my $in_b = fill_database($db_b, 'shared-client');
    open my $doc, '>', "$dir/doc.json" or die;
    print {$doc} "{\"ok\": true}\n";
    close $doc;
    my $port = free_port();
    open my $fh, '>', "$dir/httpd.conf" or die;
    print {$fh} mini_conf($dir, $port, $db_a, $db_b);
    close $fh;
    my $httpd = Apache::Test::vars('httpd') || '/usr/sbin/apache2';
    $mini_pid_file = "$dir/httpd.pid";
    system($httpd, '-f', "$dir/httpd.conf", '-k', 'start') == 0 or die "$httpd did not start\n";
    my $until = time + 10;
    Time::HiRes::sleep(0.1)
        until IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port", Timeout => 1) || time > $until;

    my $ua = LWP::UserAgent->new(timeout => 10);
    my $log = "$dir/error_log";
    my $server = sub {
        my ($host) = @_;
        return {
            get => sub { my $p = shift; $ua->get("http://127.0.0.1:$port$p", Host => $host, @_) },
            post => sub { $ua->post("http://127.0.0.1:$port$_[0]", $_[1], Host => $host) },
            mark => sub { -s $log // 0 },
            statements => sub {
                my ($mark, $label) = @_;
                open my $l, '<', $log or return 0;
                seek $l, $mark, 0;
                return scalar grep { /\[mytimetable_oauth:trace2\].* db: \Q$label\E$/ } <$l>;
            },
        };
    };
    isolation_checks('shmcb inherited', $server->('a.test'), $server->('b.test'), $in_a, $in_b);
    my @leaks = grep { my $l = $_; grep { index($l, $_) >= 0 } @SECRETS }
        do { open my $l, '<', $log or die; <$l> };
    is_deeply \@leaks, [], 'shmcb inherited: no token or secret in that server\'s error log';
    mini_stop();
}

# --- b) one memcached, two virtual hosts with two databases ------------------

sub memcache_shared {
    my $bin = MTO::SharedCache::find_binary('memcached');
    my $port = $ENV{MTO_MEMCACHED_PORT};
    return fail 'memcached is not installed (build/deps installs it)' unless $bin;
    my $t_dir = Apache::Test::vars('t_dir');
    my ($db_a, $db_b) = ("$t_dir/db/cache_db_a/oauth.db", "$t_dir/db/cache_db_b/oauth.db");
    my $in_a = fill_database($db_a, 'shared-client-mc');
    my $in_b = fill_database($db_b, 'shared-client-mc');
    MTO::SharedCache::start_server($port, Apache::Test::vars('t_logs') . '/memcached-db.log',
        $bin, '-l', '127.0.0.1', '-p', $port, '-U', '0', '-m', '16', $> == 0 ? ('-u', 'nobody') : ());
    my $server = sub {
        my ($vhost) = @_;
        return {
            get => sub { Apache::TestRequest::module($vhost); Apache::TestRequest::GET(@_) },
            post => sub { Apache::TestRequest::module($vhost); Apache::TestRequest::POST(@_) },
            mark => \&error_log_mark,
            statements => \&db_statements,
        };
    };
    isolation_checks('one memcached', $server->('cache_db_a'), $server->('cache_db_b'), $in_a, $in_b);
    MTO::SharedCache::stop_server();
    Apache::TestRequest::module('default');
}

plan skip_all => "$modules/mod_socache_memcache.so is missing"
    unless -e "$modules/mod_socache_memcache.so";
plan skip_all => 'the port is not set (run the tests through t/TEST)' unless $ENV{MTO_MEMCACHED_PORT};

shmcb_inherited();
memcache_shared();
is_deeply [map { log_grep($_) } @SECRETS], [], 'no token or secret in any log of the suite';
done_testing();
