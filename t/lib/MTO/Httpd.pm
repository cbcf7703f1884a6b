package MTO::Httpd;
# The running test server as an admin sees it, for the fault tests: its
# parent's PID, its children, `httpd -k graceful|graceful-stop|start` with
# the very arguments t/TEST started it with (Apache::TestServer's), and
# waiting for it to come or go.
use strict;
use warnings;

use Exporter 'import';
use Apache::Test ();
use IO::Socket::INET ();
use Time::HiRes ();
use MTO::Test qw(time_budget error_log_mark error_log_since);

our @EXPORT = qw(httpd_pid httpd_children httpd_ctl httpd_wait_gone httpd_wait_up
                 httpd_wait_generation);

sub httpd_pid {
    my $file = Apache::Test::vars('t_pid_file');
    open my $fh, '<', $file or return;
    chomp(my $pid = <$fh> // '');
    return $pid =~ /^\d+$/ && kill(0, $pid) ? $pid : undef;
}

# The PIDs of the processes whose parent is httpd's (its children, and
# mod_cgid's daemon among them: callers pick by what they need).
sub httpd_children {
    my ($parent) = @_;
    $parent //= httpd_pid() // return;
    my @kids;
    for my $stat (glob '/proc/[0-9]*/stat') {
        open my $fh, '<', $stat or next;
        my $line = <$fh> // next;
        # pid (comm) state ppid: comm may hold spaces and parentheses.
        my ($pid, $ppid) = $line =~ /^(\d+) \(.*\) \S+ (\d+)/ or next;
        push @kids, $pid if $ppid == $parent;
    }
    return sort { $a <=> $b } @kids;
}

# httpd_ctl('graceful'): `httpd <t/TEST's arguments> -k ACTION`, as
# apachectl would run it.  True when it exited 0.
sub httpd_ctl {
    my ($action) = @_;
    my $server = Apache::Test::config()->server;
    my $cmd = join ' ', Apache::Test::vars('httpd'), $server->args, '-k', $action;
    return system("$cmd >/dev/null 2>&1") == 0;
}

# Waits until the process $pid has gone (at most $seconds).
sub httpd_wait_gone {
    my ($pid, $seconds) = @_;
    my $until = Time::HiRes::time() + time_budget($seconds // 30);
    while (kill 0, $pid) {
        return 0 if Time::HiRes::time() > $until;
        Time::HiRes::sleep(0.05);
    }
    return 1;
}

# Waits until the server accepts connections on its port (at most $seconds).
sub httpd_wait_up {
    my ($seconds) = @_;
    my $until = Time::HiRes::time() + time_budget($seconds // 30);
    my $hostport = '127.0.0.1:' . Apache::Test::vars('port');
    until (IO::Socket::INET->new(PeerAddr => $hostport, Timeout => 1)) {
        return 0 if Time::HiRes::time() > $until;
        Time::HiRes::sleep(0.05);
    }
    return 1;
}

# Waits until the error log says, after $mark, that httpd resumed (a
# graceful restart or a start is complete).
sub httpd_wait_generation {
    my ($mark, $seconds) = @_;
    my $until = Time::HiRes::time() + time_budget($seconds // 30);
    until (grep { /resuming normal operations/ } error_log_since($mark)) {
        return 0 if Time::HiRes::time() > $until;
        Time::HiRes::sleep(0.1);
    }
    return 1;
}

1;
