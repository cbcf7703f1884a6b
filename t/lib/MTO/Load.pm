package MTO::Load;
# A modest load for the fault tests (t/fault_*.t): a few forked workers,
# each a plain HTTP/1.0 client (LWP, one connection per request), running
# whole flows (authorize as alice, the code at the token endpoint, the new
# token at the gate) and gate requests with a known token, until told to
# stop.  The machine has two cores shared with other work: 4 workers keep
# httpd busy without starving it.
#
#   my $load = MTO::Load->start(client => $c, token => $t, workers => 4,
#                               retry_refused => 1);
#   ... the fault ...
#   my @ops = $load->finish;  # {op, step, status, error, oauth_error, code, retries, t}
#
# A request that finds nothing listening (connection refused: httpd is
# between a graceful-stop and a start) is sent again after 50 ms when
# retry_refused is set, and counted in {retries}; nothing was sent, so a
# code cannot have been used by it.  Every other failure is recorded as it
# is: {status} 0 and {error} for a connection that broke.
use strict;
use warnings;

use Apache::TestRequest ();
use File::Temp ();
use JSON ();
use LWP::UserAgent ();
use MIME::Base64 ();
use POSIX ();
use Time::HiRes ();
use HTTP::Request ();
use URI ();
use URI::Escape ();
use MTO::Test;

my $JSON = JSON->new->utf8->canonical;
my $CB = 'http://localhost/cb';

sub start {
    my ($class, %opt) = @_;
    my $self = bless {
        workers => $opt{workers} // 4,
        client => $opt{client} // die("MTO::Load: client => {id, secret} needed\n"),
        token => $opt{token},
        retry_refused => $opt{retry_refused} // 0,
        mix => $opt{mix} // [qw(flow gate)],
        base => 'http://' . Apache::TestRequest::hostport(),
        dir => File::Temp->newdir('mto-load-XXXXXX', TMPDIR => 1),
        pids => [],
    }, $class;
    for my $n (1 .. $self->{workers}) {
        my $pid = fork // die "MTO::Load: fork: $!\n";
        if (!$pid) {
            my $ok = eval { $self->_work($n); 1 };
            print STDERR "MTO::Load worker $n: $@" unless $ok;
            POSIX::_exit($ok ? 0 : 1);
        }
        push @{ $self->{pids} }, $pid;
    }
    return $self;
}

sub _stop_file { "$_[0]{dir}/stop" }

# finish(): tells the workers to stop after their current operation, waits
# for them (at most $deadline s), and returns every operation's record.
sub finish {
    my ($self, $deadline) = @_;
    open my $fh, '>', $self->_stop_file or die "MTO::Load: $!\n";
    close $fh;
    my $until = time + ($deadline // time_budget(60));
    for my $pid (@{ $self->{pids} }) {
        while (waitpid($pid, POSIX::WNOHANG()) == 0) {
            if (time > $until) { kill 'KILL', $pid; waitpid $pid, 0; last }
            Time::HiRes::sleep(0.05);
        }
    }
    $self->{pids} = [];
    my @ops;
    for my $file (glob "$self->{dir}/ops-*") {
        open my $in, '<', $file or die "MTO::Load: $file: $!\n";
        push @ops, map { $JSON->decode($_) } <$in>;
    }
    return @ops;
}

sub DESTROY {
    my $self = shift;
    local $?;
    kill 'KILL', @{ $self->{pids} } if $self->{pids} && @{ $self->{pids} };
    waitpid $_, 0 for @{ $self->{pids} || [] };
}

# ------------------------------------------------------------------ a worker

sub _work {
    my ($self, $n) = @_;
    my $ua = LWP::UserAgent->new(keep_alive => 0, timeout => 30, max_redirect => 0);
    open my $out, '>', "$self->{dir}/ops-$n" or die "$self->{dir}/ops-$n: $!\n";
    $out->autoflush(1);
    my @mix = @{ $self->{mix} };
    for (my $i = $n; !-e $self->_stop_file; $i++) {
        my $op = $mix[$i % @mix];
        my $t = Time::HiRes::time();
        my $rec = $op eq 'flow' ? $self->_flow($ua) : $self->_gate($ua, $self->{token});
        print {$out} $JSON->encode({ op => $op, worker => $n, t => $t, %$rec }) . "\n";
    }
    close $out;
}

# One request; connection refused is retried when asked to.  Returns the
# response and how many retries it took.
sub _send {
    my ($self, $ua, $req) = @_;
    my $retries = 0;
    while (1) {
        my $res = $ua->request($req->clone);
        return ($res, $retries) unless refused($res) && $self->{retry_refused}
            && $retries < 600 && !-e $self->_stop_file;
        $retries++;
        Time::HiRes::sleep(0.05);
    }
}

# A response LWP made up itself because the connection failed.
sub broken { ($_[0]->header('Client-Warning') // '') eq 'Internal response' }
sub refused { broken($_[0]) && ($_[0]->message // '') =~ /Connection refused/ }

sub _gate {
    my ($self, $ua, $token) = @_;
    my ($res, $retries) = $self->_send($ua, HTTP::Request->new(GET => "$self->{base}/cache-gate/token",
        [Authorization => "Bearer $token"]));
    return _outcome('gate', $res, $retries);
}

sub _outcome {
    my ($step, $res, $retries, %more) = @_;
    my $broken = broken($res);
    return { step => $step, status => $broken ? 0 : $res->code, retries => $retries,
             ($broken ? (error => $res->message // 'broken') : ()), %more };
}

# authorize -> token -> gate; the record of the step that did not succeed,
# or of the whole flow (step 'done').
sub _flow {
    my ($self, $ua) = @_;
    my $c = $self->{client};
    my $url = URI->new("$self->{base}/oauth/authorize");
    $url->query_form(response_type => 'code', client_id => $c->{id}, redirect_uri => $CB,
                     state => 'load');
    my $auth = 'Basic ' . MIME::Base64::encode_base64("alice:$USERS{alice}", '');
    my ($res, $retries) = $self->_send($ua, HTTP::Request->new(GET => $url, [Authorization => $auth]));
    my $loc = $res->header('Location') // '';
    my ($code) = $loc =~ /[?&]code=([^&]+)/;
    my ($error) = $loc =~ /[?&]error=([^&]+)/;
    return _outcome('authorize', $res, $retries, ($error ? (oauth_error => $error) : ()))
        unless $res->code == 302 && $code;
    $code = URI::Escape::uri_unescape($code);
    remember_secret('authorization code', $code);

    my $body = URI->new;
    $body->query_form(grant_type => 'authorization_code', code => $code, redirect_uri => $CB,
                      client_id => $c->{id}, client_secret => $c->{secret});
    my ($tres, $tr) = $self->_send($ua, HTTP::Request->new(POST => "$self->{base}/oauth/token",
        ['Content-Type' => 'application/x-www-form-urlencoded'], $body->query));
    $retries += $tr;
    my $token = eval { $JSON->decode($tres->content)->{access_token} };
    remember_secret('access token', $token);
    return _outcome('token', $tres, $retries, code => $code) unless $tres->code == 200 && $token;

    my $g = $self->_gate($ua, $token);
    return { %$g, step => $g->{status} == 200 ? 'done' : 'gate-new', retries => $retries + $g->{retries},
             code => $code };
}

# ------------------------------------------------------------------ reading

# summary(@ops): "12 x flow done 200, 30 x gate gate 200", for diag.
sub summary {
    my %n;
    $n{ join ' ', $_->{op}, $_->{step}, $_->{status}, ($_->{oauth_error} // $_->{error} // ()) }++
        for @_;
    return join ', ', map { "$n{$_} x $_" } sort keys %n;
}

# forget_client($client): deletes the codes, tokens and approvals a load
# left for $client.  Hundreds of codes expiring a minute later
# (MyTimetableOAuthCodeLifetime 60) would otherwise be a backlog in the
# purge runs of t/purge.t, which counts them.
sub forget_client {
    my ($client) = @_;
    (my $id = $client->{id}) =~ s/'/''/g;
    db_sql(join ' ', map { "DELETE FROM $_ WHERE client_id = '$id';" }
           qw(mto_code mto_access_token mto_refresh_token mto_approval));
}

# failures(@ops): the operations that did not end well.
sub failures {
    return grep { $_->{status} != 200 } @_;
}

1;
