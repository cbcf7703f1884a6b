package MTO::Command;
# A command run as the test itself runs (no user switch, unlike
# MTO::Test's tool()), for the admin tool's own tests.
use strict;
use warnings;

use File::Temp ();
use POSIX ();

# run_captured($dir, {stdin => ...}, @cmd): (exit status, stdout, stderr).
# No shell; the temporary files live in $dir; stdin is never a terminal.
sub run_captured {
    my $dir = shift;
    my $opt = ref $_[0] eq 'HASH' ? shift : {};
    my @cmd = @_;
    my ($in, $out, $err) = map { File::Temp->new(DIR => $dir) } 1 .. 3;
    print {$in} $opt->{stdin} if defined $opt->{stdin};
    close $in;
    my $pid = fork;
    die "fork: $!" unless defined $pid;
    if (!$pid) {
        open STDIN,  '<', $in->filename  or POSIX::_exit(127);
        open STDOUT, '>', $out->filename or POSIX::_exit(127);
        open STDERR, '>', $err->filename or POSIX::_exit(127);
        { no warnings 'exec'; exec { $cmd[0] } @cmd; }
        POSIX::_exit(127);
    }
    waitpid $pid, 0;
    my $status = $? >> 8;
    local $/;
    open my $o, '<', $out->filename or die;
    open my $e, '<', $err->filename or die;
    my ($so, $se) = (scalar <$o>, scalar <$e>);
    return ($status, $so // '', $se // '');
}

1;
