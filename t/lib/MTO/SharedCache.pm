package MTO::SharedCache;
# What t/cache_memcache.t and t/cache_redis.t check, for either provider:
# two virtual hosts pointing at one memcached / redis-server behave like two
# front-end servers sharing a cache (README, "Caching").
#
#   shared_cache_tests(
#       provider => 'memcache',                 # for the names of the checks
#       module   => '/usr/lib/apache2/modules/mod_socache_memcache.so',
#       server   => 'memcached',                # the binary, found on PATH
#       command  => sub { my ($bin, $port, $dir) = @_; ($bin, ...) },
#       port     => $ENV{MTO_MEMCACHED_PORT},   # what the .conf.in uses
#       vhosts   => [qw(cache_memcache_a cache_memcache_b)],
#   );
#
# The server is started here, on 127.0.0.1 (as nobody when root, if
# command says so), and stopped by its PID, also when the test dies.
use strict;
use warnings;

use Exporter 'import';
use Apache::Test ();
use Apache::TestRequest ();
use File::Temp ();
use IO::Socket::INET ();
use POSIX ();
use Test::More;
use Time::HiRes ();
use MTO::Test;

our @EXPORT = qw(shared_cache_tests);

my $server_pid;

# The cache server the test started: stopped by its PID, TERM then KILL.
sub stop_server {
    return unless $server_pid;
    kill 'TERM', $server_pid;
    my $until = time + 5;
    while (waitpid($server_pid, POSIX::WNOHANG()) == 0) {
        if (time > $until) {
            kill 'KILL', $server_pid;
            waitpid $server_pid, 0;
            last;
        }
        Time::HiRes::sleep(0.05);
    }
    $server_pid = undef;
}

END { local $?; stop_server() }

sub find_binary {
    my ($name) = @_;
    for my $dir (split(/:/, $ENV{PATH} // ''), qw(/usr/bin /usr/sbin /usr/local/bin)) {
        return "$dir/$name" if -x "$dir/$name";
    }
    return;
}

# Starts @cmd in the background (output to $log) and waits until it accepts
# connections on 127.0.0.1:$port.  Dies if it does not within 10 s.
sub start_server {
    my ($port, $log, @cmd) = @_;
    my $pid = fork // die "fork: $!\n";
    if (!$pid) {
        open STDIN, '<', '/dev/null';
        open STDOUT, '>', $log or POSIX::_exit(127);
        open STDERR, '>&', \*STDOUT;
        { no warnings 'exec'; exec @cmd; }
        POSIX::_exit(127);
    }
    $server_pid = $pid;
    my $until = time + 10;
    while (time < $until) {
        return if IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port", Timeout => 1);
        if (waitpid($pid, POSIX::WNOHANG()) == $pid) {
            $server_pid = undef;
            die "@cmd exited at once:\n" . (do { local (@ARGV, $/) = $log; <> } // '') . "\n";
        }
        Time::HiRes::sleep(0.1);
    }
    die "@cmd: nothing listens on 127.0.0.1:$port after 10 s\n";
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
    my $bin = find_binary($opt{server});
    plan skip_all => "$opt{server} is not installed (build/deps installs it)" unless $bin;
    plan skip_all => "$opt{module} is missing" unless -e $opt{module};
    plan skip_all => "the port is not set (run the tests through t/TEST)" unless $opt{port};

    my ($vhost_a, $vhost_b) = @{ $opt{vhosts} };
    my @secrets;
    my $keep = sub { push @secrets, grep { defined } @_; $_[0] };
    my $on = sub { Apache::TestRequest::module($_[0]) };

    my $dir = File::Temp->newdir('mto-cache-XXXXXX', TMPDIR => 1);
    chmod 0777, "$dir";
    my $log = Apache::Test::vars('t_logs') . "/$opt{server}.log";
    start_server($opt{port}, $log, $opt{command}->($bin, $opt{port}, "$dir"));
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
