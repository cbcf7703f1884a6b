package MTO::SharedCache;
# What t/cache_memcache.t and t/cache_redis.t check, for either provider:
# two virtual hosts pointing at one memcached / redis-server behave like two
# front-end servers sharing a cache (README, "Caching and revocation").
#
#   shared_cache_tests(%{ $CACHE_SERVERS{memcache} });   # or {redis}
#
# %CACHE_SERVERS holds each provider's settings: provider (for the names of
# the checks), module, server (the binary, found on PATH), command (its
# command line), port (what the .conf.in uses), vhosts (the two "servers").
# t/fault_cache_stop.t uses the same, through unavailable(), start() and
# stop_server().  The server is started here, on 127.0.0.1 (as nobody when
# root, if command says so), and stopped by its PID, also when the test dies
# (t/lib/MTO/Daemon.pm).
use strict;
use warnings;

use Exporter 'import';
use Apache::Test ();
use Apache::TestRequest ();
use File::Temp ();
use Test::More;
use MTO::Daemon qw(find_binary start_daemon stop_daemon);
use MTO::Test;

our @EXPORT = qw(shared_cache_tests %CACHE_SERVERS);

# The two providers as the tests run them: shared_cache_tests(%{ $CACHE_SERVERS{memcache} }).
our %CACHE_SERVERS = (
    memcache => {
        provider => 'memcache',
        module   => '/usr/lib/apache2/modules/mod_socache_memcache.so',
        server   => 'memcached',
        # memcached refuses to run as root without -u.
        command  => sub {
            my ($bin, $port) = @_;
            return ($bin, '-l', '127.0.0.1', '-p', $port, '-U', '0', '-m', '16',
                    $> == 0 ? ('-u', 'nobody') : ());
        },
        port     => $ENV{MTO_MEMCACHED_PORT},
        vhosts   => [qw(cache_memcache_a cache_memcache_b)],
    },
    redis => {
        provider => 'redis',
        module   => '/usr/lib/apache2/modules/mod_socache_redis.so',
        server   => 'redis-server',
        # Nothing saved to disk; its working directory a temporary one.
        command  => sub {
            my ($bin, $port, $dir) = @_;
            return ($bin, '--port', $port, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
                    '--dir', $dir, '--daemonize', 'no', '--loglevel', 'warning');
        },
        port     => $ENV{MTO_REDIS_PORT},
        vhosts   => [qw(cache_redis_a cache_redis_b)],
    },
);

# Why the provider cannot be tested here (undef: it can); its binary.
sub unavailable {
    my (%opt) = @_;
    my $bin = find_binary($opt{server});
    return "$opt{server} is not installed (build/deps installs it)" unless $bin;
    return "$opt{module} is missing" unless -e $opt{module};
    return "the port is not set (run the tests through t/TEST)" unless $opt{port};
    return (undef, $bin);
}

# start(%opt): the provider's server on its port, in a temporary directory
# (kept in $opt{dir} until the test ends).
sub start {
    my ($bin, %opt) = @_;
    my $dir = File::Temp->newdir('mto-cache-XXXXXX', TMPDIR => 1);
    chmod 0777, "$dir";
    my $log = Apache::Test::vars('t_logs') . "/$opt{server}.log";
    start_server($opt{port}, $log, $opt{command}->($bin, $opt{port}, "$dir"));
    return $dir;
}

my $server_pid;

# The cache server: one at a time (MTO::Daemon does the work).
sub start_server {
    my ($port, $log, @cmd) = @_;
    $server_pid = start_daemon($port, $log, @cmd);
}

sub stop_server {
    stop_daemon($server_pid);
    $server_pid = undef;
}

sub random_token { join '', map { ('A' .. 'Z', 'a' .. 'z', 0 .. 9)[rand 62] } 1 .. 43 }

sub with_token { Apache::TestRequest::GET('/cache-gate/token', Authorization => "Bearer $_[0]") }

sub token_error {
    my $c = eval { bearer_challenge($_[0]) } || {};
    return $c->{error} // '';
}

sub redeem {
    my ($client, $code) = @_;
    return Apache::TestRequest::POST('/oauth/token', [grant_type => 'authorization_code',
        code => $code, redirect_uri => 'http://localhost/cb', client_id => $client->{id},
        client_secret => $client->{secret}]);
}

sub shared_cache_tests {
    my %opt = @_;
    my $p = $opt{provider};
    my ($why, $bin) = unavailable(%opt);
    plan skip_all => $why if $why;

    my ($vhost_a, $vhost_b) = @{ $opt{vhosts} };
    my @secrets;
    my $keep = sub { push @secrets, grep { defined } @_; $_[0] };
    my $on = sub { Apache::TestRequest::module($_[0]) };

    my $dir = start($bin, %opt);
    pass "$p: $opt{server} listens on 127.0.0.1:$opt{port}";

    $on->($vhost_a);
    my $client = add_client(autoapprove => 'true');
    $keep->($client->{secret});
    # Adding it bumped the cache generation; within a second every process
    # has read it (README "Caching"), and until then one may miss an entry.
    Time::HiRes::sleep(1.2);
    my $code = $keep->(obtain_code(client => $client)->{code});
    my $res = redeem($client, $code);
    my $token = $keep->(eval { json_body($res)->{access_token} }) // '';
    my $other = $keep->(eval { obtain_token(client => $client)->{access_token} }) // '';
    is with_token($token)->code, 200, "$p: a token works on server A (which caches it)";
    is with_token($other)->code, 200, "$p: a second token works on server A";

    $on->($vhost_b);
    my $mark = error_log_mark();
    is with_token($token)->code, 200, "$p: the token works on server B";
    is db_statements($mark, 'mto_token_get'), 0,
        "$p: server B finds the token in the shared cache, without a query";

    my $junk = random_token();
    $on->($vhost_a);
    is with_token($junk)->code, 401, "$p: a junk token is refused on server A";
    $on->($vhost_b);
    $mark = error_log_mark();
    $res = with_token($junk);
    is $res->code . '/' . token_error($res), '401/invalid_token', "$p: and on server B";
    is db_statements($mark, 'mto_token_get'), 0, "$p: server B knows it is junk from the shared cache";

    $on->($vhost_a);
    is redeem($client, $code)->code, 400, "$p: the code presented again on server A is refused (replay)";
    $on->($vhost_b);
    $mark = error_log_mark();
    $res = with_token($token);
    is $res->code . '/' . token_error($res), '401/invalid_token',
        "$p: revoked through server A, the token stops at once on server B";
    is db_statements($mark, 'mto_token_get'), 0, "$p: server B learnt it from the shared cache";

    # The cache server dies: everything goes on from the database.
    stop_server();
    $mark = error_log_mark();
    my @codes;
    for my $vhost ($vhost_a, $vhost_b) {
        $on->($vhost);
        push @codes, map { with_token($other)->code } 1 .. 2;
    }
    is "@codes", '200 200 200 200', "$p: $opt{server} dead: a valid token still works on A and B";
    cmp_ok db_statements($mark, 'mto_token_get'), '>=', 2,
        "$p: $opt{server} dead: the database answers instead";
    $on->($vhost_a);
    my $fresh = $keep->(eval { obtain_token(client => $client)->{access_token} });
    ok $fresh && with_token($fresh)->code == 200, "$p: $opt{server} dead: a whole new flow works";
    my $code2 = $keep->(obtain_code(client => $client)->{code});
    my $token2 = $keep->(eval { json_body(redeem($client, $code2))->{access_token} }) // '';
    push @codes, redeem($client, $code2)->code, with_token($token2)->code, with_token($junk)->code;
    is join(' ', @codes[-3 .. -1]), '400 401 401',
        "$p: $opt{server} dead: a replay revokes, the token is refused, junk is refused";
    my @lines = error_log_since($mark);
    my $spec = qr/\(MyTimetableOAuthCache \Q$p\E:127\.0\.0\.1:\Q$opt{port}\E\)/;
    ok scalar(grep { /\[mytimetable_oauth:warn\].*cache (read|write) failed $spec; answering from the database/ } @lines),
        "$p: $opt{server} dead: the error log has the module's warning";
    my @bad = grep { /\[mytimetable_oauth:(error|crit|alert|emerg)\]/ } @lines;
    is_deeply \@bad, [], "$p: $opt{server} dead: the module logs no error beyond the warning";

    is_deeply [map { log_grep($_) } @secrets], [], "$p: no token, code or secret in any log";
    Apache::TestRequest::module('default');
    done_testing();
}

1;
