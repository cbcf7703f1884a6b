# The purge inside httpd (README §5 "Expired rows (purge)"): after a client endpoint has
# answered, at most once per MyTimetableOAuthPurgeInterval per child, at most
# 500 rows per table per run, oldest first; expired codes (used or not),
# access and refresh tokens (rotated ones too, once expired) and approvals
# go; live rows, tokens that never expire, used codes and rotated refresh
# tokens that have not expired stay.  The admin tool's `purge` removes the
# same rows.  t/conf/purge.conf.in: the vhost `purge` (interval 3600, every
# run logged), `purge_off` (interval 0).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use Digest::SHA qw(sha256_hex);
use Time::HiRes ();
use MTO::Test;

my $now = time;
my $BATCH = 500;

sub sq { (my $s = shift) =~ s/'/''/g; return "'$s'" }

# --- the fixture: one row of each kind the rules tell apart ------------------

# label => [expires_at, extra] per table, and whether the row must stay.
my %CODES = (       # extra: used_at
    code_live         => [$now + 600, 0,          1],
    code_used_live    => [$now + 600, $now - 5,   1],
    code_expired      => [$now - 10,  0,          0],
    code_used_expired => [$now - 10,  $now - 20,  0],
);
my %ACCESS = (
    access_live    => [$now + 3600, undef, 1],
    access_forever => [0,           undef, 1],
    access_expired => [$now - 10,   undef, 0],
);
my %REFRESH = (     # extra: rotated_at
    refresh_live            => [$now + 3600, 0,         1],
    refresh_forever         => [0,           0,         1],
    refresh_rotated_live    => [$now + 3600, $now - 5,  1],
    refresh_rotated_forever => [0,           $now - 5,  1],
    refresh_rotated_expired => [$now - 10,   $now - 20, 0],
    refresh_expired         => [$now - 10,   0,         0],
);
my %APPROVALS = (
    approval_live    => [$now + 3600, undef, 1],
    approval_expired => [$now - 10,   undef, 0],
);

# Writes the fixture for client $cid; returns {label => sub: is the row there}.
sub fixture {
    my ($cid) = @_;
    my %there;
    for my $label (sort keys %CODES) {
        my ($exp, $used) = @{ $CODES{$label} };
        my $hash = sha256_hex("$cid $label");
        db_sql('INSERT INTO mto_code (code_hash, client_id, user_name, scope, redirect_uri, '
               . 'challenge, challenge_method, expires_at, used_at) VALUES ('
               . join(', ', map { sq($_) } $hash, $cid, 'alice', 'profile_read', '', '', '')
               . ", $exp, $used)");
        $there{$label} = sub { db_value("SELECT COUNT(*) FROM mto_code WHERE code_hash = '$hash'") };
    }
    for my $label (sort keys %ACCESS) {
        my $t = add_token(client => $cid, expires => $ACCESS{$label}[0]);
        $there{$label} = sub { token_exists($t, 'access') };
    }
    for my $label (sort keys %REFRESH) {
        my ($exp, $rotated) = @{ $REFRESH{$label} };
        my $t = add_token(kind => 'refresh', client => $cid, expires => $exp, rotated => $rotated);
        $there{$label} = sub { token_exists($t, 'refresh') };
    }
    for my $label (sort keys %APPROVALS) {
        db_sql('INSERT INTO mto_approval (user_name, client_id, scope, expires_at) VALUES ('
               . join(', ', sq('alice'), sq($cid), sq($label), $APPROVALS{$label}[0]) . ')');
        $there{$label} = sub {
            db_value('SELECT COUNT(*) FROM mto_approval WHERE client_id = ' . sq($cid)
                     . ' AND scope = ' . sq($label));
        };
    }
    return \%there;
}

my %EXPECTED = map { %$_ } \%CODES, \%ACCESS, \%REFRESH, \%APPROVALS;

# The labels whose rows are still there.
sub survivors {
    my ($there) = @_;
    return [grep { $there->{$_}->() } sort keys %$there];
}

my @STAY = grep { $EXPECTED{$_}[2] } sort keys %EXPECTED;

# --- triggering, and waiting for a run to finish ------------------------------

# A client endpoint's answer (401: no client authentication), after which a
# purge may run.
sub trigger {
    my $res = POST '/oauth/token', [grant_type => 'authorization_code'];
    die "trigger: the token endpoint answered " . $res->code . "\n" unless $res->code == 401;
}

# The purge log lines since $mark (each run logs one when it has finished).
sub runs_since {
    my ($mark) = @_;
    return grep { /\[mytimetable_oauth:\w+\].* purge: removed/ } error_log_since($mark);
}

# Triggers and waits (at most 10 s, see time_budget) for $n more runs to be logged.
sub purge_run {
    my ($mark, $n) = @_;
    my $before = () = runs_since($mark);
    trigger();
    my $until = Time::HiRes::time() + time_budget(10);
    my @runs;
    while (Time::HiRes::time() < $until) {
        @runs = runs_since($mark);
        last if @runs >= $before + $n;
        Time::HiRes::sleep(0.05);
    }
    return @runs[$before .. $#runs];
}

sub ancient_codes {
    my ($below) = @_;
    return db_value("SELECT COUNT(*) FROM mto_code WHERE client_id = 'purge-ancient'"
                    . (defined $below ? " AND expires_at < $below" : ''));
}

# --- a backlog: bounded runs, oldest first ---------------------------------------

# One keep-alive connection: every request reaches the same child, whose
# purge timing is what is checked.
Apache::TestRequest::module('purge');
Apache::TestRequest::user_agent(reset => 1, keep_alive => 1);
my $there = fixture("purge-$$");
# 600 codes that expired long ago (negative times: older than anything other
# tests left behind, so that the oldest-first batch takes these first).
{
    # MariaDB: the WITH after INSERT's column list, CONCAT for || (an OR there).
    my $numbers = 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 600) ';
    my $insert = 'INSERT INTO mto_code (code_hash, client_id, user_name, scope, redirect_uri, '
        . 'challenge, challenge_method, expires_at, used_at) ';
    my $mysql = ($ENV{MTO_DBD_DRIVER} // '') eq 'mysql';
    my $select = 'SELECT ' . ($mysql ? "CONCAT('ancient-', i)" : "'ancient-' || i")
        . ", 'purge-ancient', 'alice', 'profile_read', '', '', '', i - 1000000, 0 FROM n";
    db_sql($mysql ? "$insert$numbers$select" : "$numbers$insert$select");
}
is ancient_codes(), 600, 'backlog: 600 long-expired codes to begin with';

sub pid_of { my ($line) = @_; return ($line // '') =~ /\[pid (\d+)/ ? $1 : undef }

my $mark = error_log_mark();
my ($run) = purge_run($mark, 1);
ok defined $run, 'backlog: a client endpoint\'s answer is followed by a purge run';
my $pid = pid_of($run);
is ancient_codes(), 600 - $BATCH, "backlog: one run removes at most $BATCH codes";
is ancient_codes(-1000000 + $BATCH + 1), 0, 'backlog: the oldest codes went first';
like $run // '', qr/removed $BATCH expired code\(s\).*more to do/,
    'backlog: the run logs its counts and that more is to do';
ok $there->{code_expired}->(), 'backlog: a newer expired code waits for the next run';
ok !$there->{access_expired}->() && !$there->{approval_expired}->(),
    'backlog: the other tables were purged in the same run';

Time::HiRes::sleep(1.2);
($run) = purge_run($mark, 1);
ok defined $run && defined $pid && pid_of($run) eq $pid,
    'backlog: in the same child, a full batch makes the next run due a second later, not an hour';
is ancient_codes(), 0, 'backlog: the next run removes the rest';

# --- what stays and what goes --------------------------------------------------

is_deeply survivors($there), \@STAY,
    'the rows that stay: live ones, never-expiring tokens, used and rotated ones not yet expired';
for my $label (sort keys %EXPECTED) {
    is $there->{$label}->() ? 1 : 0, $EXPECTED{$label}[2],
        "$label: " . ($EXPECTED{$label}[2] ? 'stays' : 'removed');
}

# --- at most once per interval per child -------------------------------------------

# Keep-alive sends the requests to one child, but a closed connection may
# bring one to a child that has not purged yet, which then purges once.
my @before = runs_since($mark);
my %ran = map { (pid_of($_) // '') => 1 } @before;
trigger() for 1 .. 4;
Time::HiRes::sleep(0.5);
my @all = runs_since($mark);
my @new = @all[scalar(@before) .. $#all];
my %new_runs;
$new_runs{ pid_of($_) // '' }++ for @new;
is_deeply [grep { $ran{$_} || $new_runs{$_} > 1 } sort keys %new_runs], [],
    'interval: after a run that was not full, the child does not purge again within the interval'
    . ' (nor any other child twice)';

# --- MyTimetableOAuthPurgeInterval 0 ----------------------------------------------

Apache::TestRequest::module('purge_off');
Apache::TestRequest::user_agent(reset => 1, keep_alive => 1);
my $cid = "purge-off-$$";
db_sql('INSERT INTO mto_approval (user_name, client_id, scope, expires_at) VALUES ('
       . join(', ', sq('alice'), sq($cid), sq('profile_read'), $now - 10) . ')');
$mark = error_log_mark();
trigger() for 1 .. 3;
Time::HiRes::sleep(0.5);
is db_value('SELECT COUNT(*) FROM mto_approval WHERE client_id = ' . sq($cid)), 1,
    'interval 0: httpd leaves expired rows alone';
is scalar(() = runs_since($mark)), 0, 'interval 0: no purge run';
Apache::TestRequest::module('default');
Apache::TestRequest::user_agent(reset => 1);

# --- the admin tool removes the same rows ---------------------------------------

my $tool_there = fixture("purge-tool-$$");
my $out = tool('purge');
like $out, qr/^purged \d+ authorization code\(s\), \d+ access token\(s\), \d+ refresh token\(s\), \d+ approval\(s\)$/m,
    'mytimetable-oauth purge: prints its counts';
is_deeply survivors($tool_there), \@STAY, 'mytimetable-oauth purge: the same rows stay as after httpd\'s purge';
is db_value('SELECT COUNT(*) FROM mto_approval WHERE client_id = ' . sq($cid)), 0,
    'mytimetable-oauth purge: removes what httpd was told to leave';

done_testing();
