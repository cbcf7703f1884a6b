# The brute-force limit on client authentication (README "Directive
# reference", MyTimetableOAuthClientAuthLimit; RFC 6749 §2.3.1, RFC 6819
# §5.1.4.2.3).  t/conf/client_auth_limit.conf.in: the vhost
# `client_auth_limit` (3 failures within 3 seconds) and
# `client_auth_limit_off`.
#
# After the limit a client_id and address pair gets 429 with Retry-After
# and an RFC 6749 §5.2 body at the token, revocation and introspection
# endpoints, its secret unchecked (the right one is refused too) until the
# window passes; other addresses and other client_ids are unaffected;
# unknown client_ids count the same; the count is shared by every child;
# one warning line names the client and the address, never the secret.
# Every request goes out on a connection of its own, so that httpd's
# children share the work.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use HTTP::Request::Common ();
use LWP::UserAgent ();
use Time::HiRes ();
use MTO::Test;

my $LIMIT = 3;
my $WINDOW = 3;

my %ua;    # local address => a user agent that connects from it

sub ua_from {
    my ($addr) = @_;
    return $ua{$addr} //= LWP::UserAgent->new(keep_alive => 0, local_address => $addr,
                                              timeout => 30, max_redirect => 0);
}

# POST $form to $path of the current vhost from $addr (default 127.0.0.1).
sub post_from {
    my ($addr, $path, $form, @headers) = @_;
    my $url = 'http://' . Apache::TestRequest::hostport() . $path;
    return ua_from($addr)->request(HTTP::Request::Common::POST($url, $form, @headers));
}

sub post { post_from('127.0.0.1', @_) }

# A token request the client's authentication decides: with the right
# secret it fails later, on the code (400 invalid_grant).
sub token_form {
    my ($id, $secret) = @_;
    return ['grant_type', 'authorization_code', 'code', 'no-such-code',
            'redirect_uri', 'http://localhost/cb',
            (defined $id ? (client_id => $id) : ()),
            (defined $secret ? (client_secret => $secret) : ())];
}

sub authenticated {
    my ($res, $name) = @_;
    is $res->code, 400, "$name: the client is authenticated (the code is what fails: 400)";
    is eval { json_body($res)->{error} }, 'invalid_grant', "$name: error=invalid_grant";
}

sub fails {
    my ($res, $name) = @_;
    oauth_error_is($res, 401, 'invalid_client', $name);
}

# The throttled answer: 429, Retry-After within the window, the JSON body.
sub throttled {
    my ($res, $name) = @_;
    my $body = oauth_error_is($res, 429, 'invalid_client', $name);
    like $body->{error_description} // '', qr/\blater\b/i,
         "$name: the description says to retry later";
    my $after = $res->header('Retry-After') // '';
    ok $after =~ /^\d+\z/ && $after >= 1 && $after <= $WINDOW,
       "$name: Retry-After is a number of seconds within the window ($after)";
    like $res->header('Content-Type') // '', qr{^application/json\b}i, "$name: JSON";
    return $after;
}

# $n failures of client $id with a wrong secret from $addr.
sub fail_times {
    my ($n, $addr, $id, $name) = @_;
    for my $i (1 .. $n) {
        fails(post_from($addr, '/oauth/token', token_form($id, "wrong-secret-$i-$$")),
              "$name: failure $i of $n");
    }
}

Apache::TestRequest::module('client_auth_limit');

# --- the limit -----------------------------------------------------------------

my $c = add_client();
my $mark = error_log_mark();
fail_times($LIMIT, '127.0.0.1', $c->{id}, 'a client with wrong secrets');
my $after = throttled(post('/oauth/token', token_form($c->{id}, 'wrong-secret-again')),
                      'one failure past the limit');
throttled(post('/oauth/token', token_form(@$c{qw(id secret)})),
          'the right secret during the window (not checked)');
throttled(post('/oauth/token', token_form(), client_basic_header(@$c{qw(id secret)})),
          'the right secret by client_secret_basic during the window');
throttled(post('/oauth/revoke', [token => 'x', client_creds($c)]),
          'the revocation endpoint during the window');
throttled(post('/oauth/introspect', [token => 'x', client_creds($c)]),
          'the introspection endpoint during the window');
my @log = error_log_since($mark);
is scalar(grep { /wrong client secret/ } @log), $LIMIT,
   'only the failures before the limit had their secret checked';

# --- what the limit does not touch --------------------------------------------

authenticated(post_from('127.0.0.2', '/oauth/token', token_form(@$c{qw(id secret)})),
              'the same client from another address');
fails(post_from('127.0.0.2', '/oauth/token', token_form($c->{id}, 'wrong')),
      'a wrong secret from another address: 401, counted for that address');
my $other = add_client();
authenticated(post('/oauth/token', token_form(@$other{qw(id secret)})),
              'another client from the same address');
fails(post('/oauth/token', token_form($other->{id}, 'wrong')),
      'another client with a wrong secret from the same address: 401');
fails(post('/oauth/token', token_form()), 'no client authentication at all: 401, as before');

# --- one warning line ----------------------------------------------------------

Time::HiRes::sleep(0.2);
@log = error_log_since($mark);
my @warn = grep { /MTO0050: / } @log;
is scalar(@warn), 1, 'one warning line for the throttled pair' or diag @warn;
like $warn[0] // '', qr/\Q$c->{id}\E/, 'it names the client_id';
like $warn[0] // '', qr/\b127\.0\.0\.1\b/, 'it names the address';
like $warn[0] // '', qr/\[\w*:?warn\]/, 'it is a warning';
ok !grep({ /wrong-secret|\Q$c->{secret}\E/ } @log), 'no secret in the error log';
my %pids = map { /\[pid (\d+)/ ? ($1 => 1) : () } grep { /wrong client secret|MTO0050/ } @log;
diag 'failures and the limit were logged by ' . scalar(keys %pids) . ' process(es)';

# --- recovery ------------------------------------------------------------------

Time::HiRes::sleep($after + 0.2);
authenticated(post('/oauth/token', token_form(@$c{qw(id secret)})),
              'after Retry-After seconds the right secret works again');
fails(post('/oauth/token', token_form($c->{id}, 'wrong')),
      'and a wrong secret is 401 again (a new window)');

# --- unknown client_ids count too ----------------------------------------------

my $ghost = "ghost-$$-" . time;
fail_times($LIMIT, '127.0.0.1', $ghost, 'an unknown client_id');
throttled(post('/oauth/token', token_form($ghost, 'guess')), 'an unknown client_id past the limit');

# --- counted by every child and thread: failures sent at once ----------------
# $LIMIT wrong secrets at the same moment: each is checked (none can see
# the others' failures yet), and not one of them may be lost, so the next
# request is over the limit.  (A check and its count are two steps: a burst
# can get as many secrets checked as it has requests in flight; README.)

my $busy = add_client();
my $request = raw_form_post('/oauth/token', token_form($busy->{id}, 'wrong-at-once'));
my ($ready, @results) = race_requests($request, $LIMIT, time_budget(30));
is scalar(grep { $_->{status} == 401 } @results), $LIMIT,
   "$LIMIT concurrent failures: each one 401 (" . race_summary(@results) . ')';
throttled(post('/oauth/token', token_form(@$busy{qw(id secret)})),
          'after them the pair is throttled: no failure was lost');

# --- off ----------------------------------------------------------------------

Apache::TestRequest::module('client_auth_limit_off');
my $free = add_client();
fail_times(4 * $LIMIT, '127.0.0.1', $free->{id}, 'MyTimetableOAuthClientAuthLimit off');
authenticated(post('/oauth/token', token_form(@$free{qw(id secret)})),
              'MyTimetableOAuthClientAuthLimit off: the right secret still works');

done_testing();
