package MTO::DbServer;
# Stopping and starting the test's database server (t/db_outage.t,
# t/fault_db_stop.t), whatever the driver.  A driver with a server of its
# own has an entry in %CONTROL: what it needs from the environment (build/test
# exports it for the private server it starts) and the command for 'stop' and
# 'start'.  Any driver can instead be given shell commands in MTO_DB_STOP_CMD
# and MTO_DB_START_CMD (each must return once the server is down / accepts
# connections).
#
#   my $why = db_server_unavailable();   # undef, or why the test must skip
#   db_server('stop', $tick) or die;     # $tick: called every 0.2 s meanwhile
#   db_server('start');
#
# Whatever happens to the test, END starts a server it stopped again.
use strict;
use warnings;

use Exporter 'import';
use POSIX ();
use Time::HiRes ();

our @EXPORT = qw(db_server db_server_unavailable);

sub _driver { $ENV{MTO_DBD_DRIVER} || 'sqlite3' }

our %CONTROL = (
    pgsql => {
        env => [qw(MTO_PG_CTL MTO_PG_DATA MTO_PG_LOG)],
        command => sub {
            my ($action) = @_;
            my @cmd = ($ENV{MTO_PG_CTL}, $action, '-D', $ENV{MTO_PG_DATA}, '-w', '-t', 30,
                       $action eq 'start' ? ('-l', $ENV{MTO_PG_LOG}) : ('-m', 'fast'));
            unshift @cmd, 'runuser', '-u', $ENV{MTO_PG_USER}, '--' if $ENV{MTO_PG_USER};
            return @cmd;
        },
    },
    # build/test's private MariaDB: its control script (build/lib.sh).
    mysql => {
        env => [qw(MTO_MY_CTL)],
        command => sub { return ($ENV{MTO_MY_CTL}, $_[0]) },
    },
);

sub _hook_cmd {
    my ($action) = @_;
    my $cmd = $ENV{ $action eq 'stop' ? 'MTO_DB_STOP_CMD' : 'MTO_DB_START_CMD' };
    return $cmd ? ('sh', '-c', $cmd) : ();
}

# Why this run cannot stop its database (undef: it can).
sub db_server_unavailable {
    return if $ENV{MTO_DB_STOP_CMD} && $ENV{MTO_DB_START_CMD};
    my $d = _driver();
    my $c = $CONTROL{$d}
        or return "DBDriver $d has no server to stop (or set MTO_DB_STOP_CMD and MTO_DB_START_CMD)";
    my @missing = grep { !$ENV{$_} } @{ $c->{env} };
    return "@missing not set: build/test sets them for the private server it starts" if @missing;
    return;
}

my $down = 0;

# db_server('stop'|'start', $tick): the command, bounded to 45 s; while it
# runs, $tick (if any) is called every 0.2 s.  True when it succeeded.
sub db_server {
    my ($action, $tick) = @_;
    my @cmd = _hook_cmd($action);
    @cmd = $CONTROL{ _driver() }{command}->($action) unless @cmd;
    local $?;
    $down = 1 if $action eq 'stop';             # from here on, END starts it again
    my $pid = fork // die "fork: $!\n";
    if (!$pid) {
        # Nothing of ours for the server to inherit (the TAP pipe least).
        open STDIN, '<', '/dev/null';
        open STDOUT, '>', '/dev/null';
        open STDERR, '>', '/dev/null';
        { no warnings 'exec'; exec @cmd; }
        POSIX::_exit(127);
    }
    my $until = time + 45;
    while (waitpid($pid, POSIX::WNOHANG()) == 0) {
        if (time > $until) {
            kill 'TERM', $pid;
            waitpid $pid, 0;
            return 0;
        }
        $tick->() if $tick;
        Time::HiRes::sleep(0.2);
    }
    my $ok = $? == 0;
    $down = 0 if $action eq 'start' && $ok;
    return $ok;
}

# Signals end a test through exit, so that END runs.
$SIG{$_} ||= sub { exit 1 } for qw(INT TERM HUP);

END {
    local $?;
    db_server('start') if $down;
}

1;
