package MTO::Daemon;
# A server a test starts for itself on loopback (memcached, redis-server, a
# second httpd): started in the foreground of a child, waited for until it
# accepts connections, stopped by its PID (TERM, then KILL), and stopped
# anyway when the test ends, passes or dies.
#
#   my $pid = start_daemon([$port, ...], $log, @cmd);   # dies if it does not come up
#   stop_daemon($pid);
use strict;
use warnings;

use Exporter 'import';
use IO::Socket::INET ();
use POSIX ();
use Time::HiRes ();

our @EXPORT_OK = qw(find_binary free_port start_daemon stop_daemon);

my %running;    # pid => the command, for the END block

# find_binary($name): its path on PATH (or in the usual sbin folders), or undef.
sub find_binary {
    my ($name) = @_;
    for my $dir (split(/:/, $ENV{PATH} // ''), qw(/usr/bin /usr/sbin /usr/local/bin /usr/local/sbin)) {
        return "$dir/$name" if -x "$dir/$name";
    }
    return;
}

# free_port(): a TCP port on 127.0.0.1 that nothing listens on just now.
sub free_port {
    my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1', LocalPort => 0,
                                  ReuseAddr => 1) or die "MTO::Daemon: no free port: $!\n";
    return $s->sockport;
}

sub _log_text { my ($log) = @_; return do { local (@ARGV, $/) = $log; <> } // '' }

# start_daemon($ports, $log, @cmd): runs @cmd (no shell; stdout and stderr to
# $log) and waits until each port of @$ports (or the one port $ports)
# accepts connections on 127.0.0.1.  Returns its PID; dies when it exits or
# is not listening within 10 s.
sub start_daemon {
    my ($ports, $log, @cmd) = @_;
    my @ports = ref $ports ? @$ports : ($ports);
    my $pid = fork // die "fork: $!\n";
    if (!$pid) {
        open STDIN, '<', '/dev/null';
        open STDOUT, '>', $log or POSIX::_exit(127);
        open STDERR, '>&', \*STDOUT;
        { no warnings 'exec'; exec { $cmd[0] } @cmd; }
        POSIX::_exit(127);
    }
    $running{$pid} = "@cmd";
    # Killed (t/TEST's time limit, Ctrl-C): exit, so that END stops it.
    $SIG{$_} = sub { exit 1 } for grep { !ref $SIG{$_} } qw(INT TERM HUP);
    my $until = time + 10;
    while (@ports && time < $until) {
        if (waitpid($pid, POSIX::WNOHANG()) == $pid) {
            delete $running{$pid};
            die "@cmd exited at once:\n" . _log_text($log) . "\n";
        }
        if (IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ports[0]", Timeout => 1)) {
            shift @ports;
            next;
        }
        Time::HiRes::sleep(0.1);
    }
    return $pid unless @ports;
    stop_daemon($pid);
    die "@cmd: nothing listens on 127.0.0.1:$ports[0] after 10 s:\n" . _log_text($log) . "\n";
}

# stop_daemon($pid): TERM, and KILL after 10 s; reaps it.
sub stop_daemon {
    my ($pid) = @_;
    return unless $pid && delete $running{$pid};
    kill 'TERM', $pid;
    my $until = time + 10;
    while (waitpid($pid, POSIX::WNOHANG()) == 0) {
        if (time > $until) {
            kill 'KILL', $pid;
            waitpid $pid, 0;
            last;
        }
        Time::HiRes::sleep(0.05);
    }
}

END { local $?; stop_daemon($_) for keys %running }

1;
