# Parallel redemptions of one authorization code (SPEC §4 "a code used twice",
# §7 "a code that works twice"): 20 clients present the same code at the same
# moment.  Exactly one gets a token, the others get invalid_grant, never a
# 5xx and never a second token; and since each loser is a replay, the token
# the winner got is revoked.  Redemption is atomic in the database
# (mto_store_code_exchange); SQLite's "database is locked" under this
# contention must not turn into a 503 either.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use Digest::SHA qw(sha256_hex);
use HTTP::Response ();
use IO::Select ();
use IO::Socket::INET ();
use JSON ();
use POSIX ();
use URI::Escape qw(uri_escape);
use MTO::Test;

my $PARALLEL = 20;
my $ROUNDS = 3;
my $DEADLINE = 60;          # seconds a round may take, racers included

my $JSON = JSON->new->canonical;
my $client = add_client(autoapprove => 'true');
my $hostport = Apache::TestRequest::hostport();

# The raw HTTP/1.0 token request for $code (client_secret_post).
sub token_request {
    my ($code) = @_;
    my $body = join '&', 'grant_type=authorization_code', 'code=' . uri_escape($code),
        'redirect_uri=' . uri_escape('http://localhost/cb'),
        'client_id=' . uri_escape($client->{id}), 'client_secret=' . uri_escape($client->{secret});
    return "POST /oauth/token HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n"
         . "Content-Type: application/x-www-form-urlencoded\r\n"
         . 'Content-Length: ' . length($body) . "\r\n\r\n$body";
}

# One racer, in a child: sends the whole request but its last byte, says it
# is ready, waits until the parent closes the start pipe, sends the last byte
# (so the server has every request in hand and they go on together) and
# reports {status, body} as one JSON line.  Never returns.
sub racer {
    my ($request, $ready, $start, $report) = @_;
    alarm $DEADLINE;
    my $result = eval {
        my $sock = IO::Socket::INET->new(PeerAddr => $hostport, Timeout => 30)
            or die "connect: $!\n";
        binmode $sock;
        syswrite($sock, substr($request, 0, -1)) or die "send: $!\n";
        syswrite($ready, '.') or die "ready: $!\n";
        sysread $start, my $go, 1;                  # 0 bytes: the start pipe closed
        syswrite($sock, substr($request, -1)) or die "send: $!\n";
        my ($raw, $n) = ('', 0);
        $raw .= $n while sysread($sock, $n, 65536);
        my $res = HTTP::Response->parse($raw);
        { status => $res->code // 0, body => substr($res->content // '', 0, 1000) };
    } // { status => 0, body => "racer failed: $@" };
    syswrite $report, $JSON->encode($result) . "\n";
    POSIX::_exit(0);
}

# Runs $PARALLEL racers on $code; returns their results (one per racer that
# answered).
sub race {
    my ($code) = @_;
    my $request = token_request($code);
    pipe(my $ready_r, my $ready_w) or die "pipe: $!";
    pipe(my $start_r, my $start_w) or die "pipe: $!";
    pipe(my $report_r, my $report_w) or die "pipe: $!";
    my @pids;
    for (1 .. $PARALLEL) {
        my $pid = fork // die "fork: $!";
        if (!$pid) {
            close $_ for $ready_r, $start_w, $report_r;
            racer($request, $ready_w, $start_r, $report_w);
        }
        push @pids, $pid;
    }
    close $_ for $ready_w, $start_r, $report_w;

    # Every racer connected and waiting (or gone), then all at once.
    my ($ready, $sel, $until) = (0, IO::Select->new($ready_r), time + $DEADLINE);
    while ($ready < $PARALLEL && $sel->can_read($until - time)) {
        my $n = sysread($ready_r, my $buf, 64) or last;
        $ready += $n;
    }
    close $start_w;

    # Their reports, until every racer has closed the pipe (or time is up).
    my $raw = '';
    $sel = IO::Select->new($report_r);
    while ($until > time && $sel->can_read($until - time)) {
        sysread($report_r, my $buf, 65536) or last;
        $raw .= $buf;
    }
    kill 'KILL', @pids;                             # only stragglers past the deadline
    waitpid $_, 0 for @pids;
    return ($ready, map { $JSON->decode($_) } split /\n/, $raw);
}

sub summary {
    my %n;
    $n{"$_->{status} " . (eval { $JSON->decode($_->{body})->{error} } // '-')}++ for @_;
    return join ', ', map { "$n{$_} x $_" } sort keys %n;
}

sub token_rows {
    my ($where) = @_;
    return db_value("SELECT COUNT(*) FROM mto_access_token WHERE $where");
}

my @secrets;
for my $round (1 .. $ROUNDS) {
    my $got = obtain_code(client => $client);
    my $code = $got->{code} // die "round $round: no code from the authorize endpoint\n";
    push @secrets, $code;

    my ($ready, @results) = race($code);
    is $ready, $PARALLEL, "round $round: $PARALLEL racers hold the same code, ready at once";
    is scalar(@results), $PARALLEL, "round $round: every parallel redemption is answered";

    my @won = grep { $_->{status} == 200 } @results;
    is scalar(@won), 1, "round $round: exactly one parallel redemption gets a token"
        or diag summary(@results);
    my $token = eval { $JSON->decode($won[0]{body})->{access_token} } // '';
    ok length($token) >= 43, "round $round: the winner's answer carries an access token";
    push @secrets, $token if $token;

    my @lost = grep {
        $_->{status} == 400 && (eval { $JSON->decode($_->{body})->{error} } // '') eq 'invalid_grant'
    } @results;
    is scalar(@lost), $PARALLEL - 1, "round $round: the other " . ($PARALLEL - 1)
        . ' get 400 invalid_grant' or diag summary(@results);
    is scalar(grep { $_->{status} >= 500 || $_->{status} == 0 } @results), 0,
        "round $round: no 5xx (nor a dropped connection) under contention"
        or diag summary(@results);

    is db_value("SELECT CASE WHEN used_at <> 0 THEN 'used' ELSE 'unused' END FROM mto_code "
                . "WHERE code_hash = '" . sha256_hex($code) . "'"), 'used',
        "round $round: the code is marked used";
    is token_rows("token_hash = '" . sha256_hex($token) . "'"), 0,
        "round $round: the winner's token is revoked (the other presentations are replays)";
    is token_rows("code_hash = '" . sha256_hex($code) . "'"), 0,
        "round $round: no token issued from the raced code remains";

    my $res = Apache::TestRequest::POST('/oauth/token', [
        grant_type => 'authorization_code', code => $code, redirect_uri => 'http://localhost/cb',
        client_id => $client->{id}, client_secret => $client->{secret}]);
    is $res->code, 400, "round $round: the code presented once more afterwards: still 400";
}

my $fresh = obtain_token(client => $client);
ok length($fresh->{access_token} // '') >= 43, 'after the races a new code still redeems normally';

is_deeply [map { log_grep($_) } @secrets, $client->{secret}], [],
    'no raced code, token or client secret reaches a log';

done_testing();
