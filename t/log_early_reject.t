# No access_token in the access log for any request of a server with the
# module loaded (docs/gate.md, "Tokens and the logs"), whether the gate
# saw it or not: requests core rejects before any Location applies (an
# encoded slash: 404; a path above the root: 400; a raw space: 400), a
# translate-phase Redirect, an ungated 404 and an ungated CGI.
#
# Locations: t/conf/gate_lifecycle.conf.in.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest ();
use IO::Socket::INET ();
use MTO::Test;

sub secret { return 'early-' . join '', map { ('a' .. 'z', 0 .. 9)[rand 36] } 1 .. 28 }

# One raw request (no client library tidies the target); its status.
sub raw {
    my ($target) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => Apache::TestRequest::hostport(), Timeout => 10)
        or die "connect: $!";
    print {$s} "GET $target HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    my $status = <$s> // '';
    close $s;
    return $status =~ m{^HTTP/1\.\d (\d{3})} ? $1 : 0;
}

# core_logs: core's own error-log line for the refusal quotes the raw
# target, which no module can change (docs/gate.md, "Tokens and the
# logs"): AH00026 (info) and AH10244 (error).
my @cases = (
    ['/lc/x/a%2Fb?access_token=TOKEN', 404, 'an encoded slash (core: 404 before the gate)', 'AH00026'],
    ['/lc/../../x?access_token=TOKEN', 400, 'a path above the root (core: 400)', 'AH10244'],
    ['/lc/x?a=b c&access_token=TOKEN', 400, 'a raw space in the target (core: 400)'],
    ['/lc-moved?access_token=TOKEN', 302, 'a translate-phase Redirect'],
    ['/lc-nothing-here?access_token=TOKEN', 404, 'an ungated 404'],
    ['/lc-echo?x=1&%61ccess_token=TOKEN', 200, 'an ungated CGI, the name percent-encoded'],
);
my @tokens;
for my $case (@cases) {
    my ($fmt, $status, $what, $core_logs) = @$case;
    my $t = secret();
    if ($core_logs) {
        logged_on_purpose("core's $core_logs error-log line quotes the raw request target", $t);
    }
    else {
        remember_secret('access token', $t);
    }
    push @tokens, [$t, $what];
    (my $target = $fmt) =~ s{TOKEN}{$t};
    is raw($target), $status, "$what: $status";
}

# Once the marker's line is in the access log, every earlier one is.
my $marker = 'early-reject-marker-' . time;
raw("/lc-nothing-here?marker=$marker");
my @access = grep { !m{/error_log$} } all_log_files();
for (1 .. 50) {
    last if grep { index($_, $marker) >= 0 && m{/mto_access_log: } } log_grep($marker);
    select undef, undef, undef, 0.1;
}
ok scalar(grep { m{/mto_access_log: } } log_grep($marker)), 'the access log has the last request';

for my $t (@tokens) {
    my ($token, $what) = @$t;
    my @hits;
    for my $file (@access) {
        open my $fh, '<', $file or next;
        push @hits, map { "$file: $_" } grep { index($_, $token) >= 0 } <$fh>;
    }
    is scalar(@hits), 0, "$what: the token is in no access log" or diag explain \@hits;
}
ok scalar(grep { /access_token=REDACTED/ } log_grep('/lc/../../x?')),
    'the access log shows where the token was (access_token=REDACTED)';

done_testing;
