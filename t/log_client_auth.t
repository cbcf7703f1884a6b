# A refused client authentication leaves one line in the error log that an
# admin can act on (README §11, "Lines without an id"): where, which client,
# how it tried, why it failed and what to do, at info; never the secret it
# sent or the one it should have sent.  Each case reads only the part of the
# error log its own request wrote.  The main server logs at info.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use MTO::Test;

my $form = [grant_type => 'authorization_code', code => 'no-such-code',
            redirect_uri => 'http://localhost/cb'];
my $seq = 0;

# refused($name, $client_id, $method, $reason, $fix, [$secret…], sub { request }):
# the request gets 401 invalid_client, and the error log's new part has one
# "client authentication failed" line naming the client, the method, the
# reason and the fix, and none of the secrets.
sub refused {
    my ($name, $id, $method, $reason, $fix, $secrets, $send) = @_;
    remember_secret('a secret sent to the token endpoint', $_) for @$secrets;
    my $mark = error_log_mark();
    my $res = $send->();
    is $res->code, 401, "$name: 401";
    my @new = error_log_since($mark);
    my @lines = grep { /client authentication failed/ } @new;
    is scalar(@lines), 1, "$name: one line says the client authentication failed"
        or diag @new;
    my $line = $lines[0] // '';
    like $line, qr/\[mytimetable_oauth:info\]/, "$name: at info";
    like $line, qr{at '/oauth/token'}, "$name: the line names the endpoint";
    like $line, qr/client \Q'$id'\E/, "$name: the line names the client";
    like $line, qr/\(\Q$method\E\)/, "$name: the line names the method ($method)";
    like $line, qr/\Q$reason\E/, "$name: the line says why ($reason)";
    like $line, qr/\Q$fix\E/, "$name: the line says what to do";
    for my $s (@$secrets) {
        ok !grep({ index($_, $s) >= 0 } @new), "$name: no secret in the error log";
    }
    return @new;
}

sub fresh_client { add_client(id => sprintf('log-auth-%d-%d', $$, ++$seq), @_) }

my $c = fresh_client();
refused('wrong secret (client_secret_post)', $c->{id}, 'client_secret_post', 'wrong client secret',
        'mytimetable-oauth client secret ID', ["$c->{secret}-wrong", $c->{secret}],
        sub { POST('/oauth/token', [@$form, client_id => $c->{id},
                                    client_secret => "$c->{secret}-wrong"]) });

$c = fresh_client();
refused('wrong secret (client_secret_basic)', $c->{id}, 'client_secret_basic',
        'wrong client secret', 'must send its current secret',
        ["$c->{secret}-basic", $c->{secret}],
        sub { POST('/oauth/token', $form, client_basic_header($c->{id}, "$c->{secret}-basic")) });

my $unknown = sprintf 'no-such-client-%d', $$;
refused('unknown client', $unknown, 'client_secret_post', 'unknown client_id',
        'mytimetable-oauth client add', ['some-guessed-secret-' . $$],
        sub { POST('/oauth/token', [@$form, client_id => $unknown,
                                    client_secret => 'some-guessed-secret-' . $$]) });

$c = fresh_client();
refused('a confidential client without its secret', $c->{id}, 'client_id alone',
        'a confidential client sent no client secret', 'must send it', [$c->{secret}],
        sub { POST('/oauth/token', [@$form, client_id => $c->{id}]) });

my $app = add_client(id => sprintf('log-auth-public-%d', $$), public => undef);
refused('a public client with a secret', $app->{id}, 'client_secret_post',
        'a public client sent a client secret', 'sends its client_id alone',
        ['a-secret-a-public-client-has-not-' . $$],
        sub { POST('/oauth/token', [@$form, client_id => $app->{id},
                                    client_secret => 'a-secret-a-public-client-has-not-' . $$]) });

# A stored secret in no supported format: the admin's to fix, so a warning
# (MTO0010) as well as the info line, and neither quotes the hash.
$c = fresh_client();
my $hash = '{MD5}5f4dcc3b5aa765d61d8327deb882cf99';
db_sql("UPDATE oauth_client_details SET client_secret = '$hash' WHERE client_id = '$c->{id}'");
my @new = refused('a stored secret in no supported format', $c->{id}, 'client_secret_post',
                  'no supported Spring hash (MTO0010)', 'store a usable secret',
                  [$c->{secret}, 'password'],
                  sub { POST('/oauth/token', [@$form, client_id => $c->{id},
                                              client_secret => 'password']) });
ok scalar(grep { /\[mytimetable_oauth:warn\].*MTO0010: client \Q'$c->{id}'\E/ } @new),
   'a stored secret in no supported format: MTO0010 names the client at warn';
ok !grep({ index($_, '5f4dcc3b5aa765d61d8327deb882cf99') >= 0 } @new),
   'a stored secret in no supported format: the stored hash is not logged';

# Not Basic at all: no client to name, the header's scheme is the reason.
{
    my $mark = error_log_mark();
    my $res = POST('/oauth/token', $form, Authorization => 'Digest not-basic-credentials-' . $$);
    remember_secret('a secret sent to the token endpoint', 'not-basic-credentials-' . $$);
    is $res->code, 401, 'an Authorization header that is not Basic: 401';
    my @lines = grep { /client authentication failed/ } error_log_since($mark);
    like $lines[0] // '', qr/client \(none\) \(Authorization header\): not HTTP Basic, or malformed; .*RFC 6749/,
         'an Authorization header that is not Basic: the line says so, and what to send';
    ok !grep({ index($_, 'not-basic-credentials') >= 0 } error_log_since($mark)),
       'an Authorization header that is not Basic: the header is not logged';
}

done_testing();
