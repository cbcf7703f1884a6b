# Client authentication at the token endpoint against every client_secret
# format of README "Using an existing MyTimetable database" (Spring Security password hashes), each through
# client_secret_post and client_secret_basic; formats it does not know are
# refused with a reason in the error log that never shows the secret.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use Digest::MD5 qw(md5_hex);
use Digest::SHA qw(sha256_hex);
use Encode qw(encode_utf8);
use MIME::Base64 qw(encode_base64);
use Time::HiRes ();
use MTO::Test;


my $seq = 0;

sub sql_str {
    my ($v) = @_;
    return 'NULL' unless defined $v;
    $v =~ s/'/''/g;
    return "'$v'";
}

# A client whose client_secret column holds $stored as it is; autoapprove,
# so that obtain_code never stops at a consent page.
sub add_hashed_client {
    my ($stored, %opt) = @_;
    my $id = $opt{id} // sprintf 'secrets-%d-%d-%d', $$, time, ++$seq;
    db_sql(sprintf 'INSERT INTO oauth_client_details (client_id, resource_ids, client_secret, '
        . 'scope, authorized_grant_types, web_server_redirect_uri, authorities, '
        . 'access_token_validity, refresh_token_validity, additional_information, autoapprove) '
        . "VALUES (%s, NULL, %s, 'profile_read,alltimetables', 'authorization_code', "
        . "'http://localhost/cb', NULL, NULL, NULL, NULL, 'true')",
        sql_str($id), sql_str($stored));
    return { id => $id, stored => $stored };
}

sub htpasswd_bcrypt {
    my ($secret, $cost) = @_;
    open my $fh, '-|', 'htpasswd', '-nbB', '-C', $cost // 4, 'x', $secret
        or die "htpasswd: $!\n";
    my $line = <$fh>;
    close $fh or die "htpasswd failed\n";
    my ($hash) = ($line // '') =~ /^x:(\$2y\$\d\d\$[.\/A-Za-z0-9]{53})$/
        or die "htpasswd: unexpected output '" . ($line // '') . "'\n";
    return $hash;
}

# One authorization code, then the token request authenticated by $method
# ('post' or 'basic') with $secret (a byte string for post; for basic a
# character string, form-urlencoded as UTF-8 by client_basic_header).
sub redeem {
    my ($c, $method, $secret, $id) = @_;
    $id //= $c->{id};
    my $got = obtain_code(client => $c, scope => 'profile_read');
    die "no code for $c->{id}: " . join(', ', %$got) . "\n" unless $got->{code};
    my @form = (grant_type => 'authorization_code', code => $got->{code},
                redirect_uri => 'http://localhost/cb');
    return $method eq 'post'
        ? POST('/oauth/token', [@form, client_id => $id, client_secret => $secret])
        : POST('/oauth/token', \@form, client_basic_header($id, $secret));
}

sub accepted {
    my ($res, $name) = @_;
    my $body = eval { json_body($res) } || {};
    ok $res->code == 200 && length($body->{access_token} // '') >= 43, "$name: a token"
        or diag $res->code . ' ' . $res->content;
    is $body->{scope}, 'profile_read', "$name: scope profile_read" if $res->code == 200;
}

sub refused {
    my ($res, $name) = @_;
    my $body = eval { json_body($res) } || {};
    ok $res->code == 401 && ($body->{error} // '') eq 'invalid_client',
        "$name: 401 invalid_client" or diag $res->code . ' ' . $res->content;
}

# Both methods with the right secret, and both with a wrong one.
sub check_format {
    my ($name, $stored, $secret) = @_;
    my $c = add_hashed_client($stored);
    accepted(redeem($c, 'post', $secret), "$name, client_secret_post");
    accepted(redeem($c, 'basic', $secret), "$name, client_secret_basic");
    refused(redeem($c, 'post', "${secret}x"), "$name, client_secret_post, wrong secret");
    refused(redeem($c, 'basic', uc($secret) . '!'), "$name, client_secret_basic, wrong secret");
    return $c;
}

my $secret = 'S3cret-' . join '', map { sprintf '%02x', int rand 256 } 1 .. 12;
remember_secret('client secret', $secret);

# {SHA-256}<hex>: MessageDigestPasswordEncoder, unsalted, hex in either case.
check_format('{SHA-256} lower-case hex', '{SHA-256}' . sha256_hex($secret), $secret);
check_format('{SHA-256} upper-case hex', '{SHA-256}' . uc(sha256_hex($secret)), $secret);

# {SHA-256}{salt}<hex>: Spring's salted form, digest of secret . "{salt}".
my $salt = encode_base64(join('', map { chr int rand 256 } 1 .. 32), '');
is length($salt), 44, 'the salt is 44 base64 characters, as Spring writes it';
check_format('{SHA-256}{salt} (Spring salted)',
             "{SHA-256}{$salt}" . sha256_hex($secret . '{' . $salt . '}'), $secret);
my $unsalted = add_hashed_client("{SHA-256}{$salt}" . sha256_hex($secret));
refused(redeem($unsalted, 'post', $secret),
        '{SHA-256}{salt} whose digest leaves the salt out');

# {bcrypt}: htpasswd writes $2y$; for ASCII secrets $2a$ and $2b$ are the
# same algorithm with another name.
my $y = htpasswd_bcrypt($secret);
check_format('{bcrypt}$2y$', "{bcrypt}$y", $secret);
(my $h2a = $y) =~ s/^\$2y\$/\$2a\$/;
check_format('{bcrypt}$2a$', "{bcrypt}$h2a", $secret);
(my $h2b = $y) =~ s/^\$2y\$/\$2b\$/;
check_format('{bcrypt}$2b$', "{bcrypt}$h2b", $secret);

# {noop}<clear>.
check_format('{noop}', "{noop}$secret", $secret);

# --- formats the module does not know -----------------------------------------

my @unsupported = (
    ['{MD5}', '{MD5}' . md5_hex($secret)],
    ['no {id} prefix (clear text)', $secret],
    ['{sha-256} (ids are case-sensitive)', '{sha-256}' . sha256_hex($secret)],
    ['{SHA-256} with 63 hex digits', '{SHA-256}' . substr(sha256_hex($secret), 1)],
    ['{bcrypt} that is not a bcrypt hash', '{bcrypt}' . sha256_hex($secret)],
    ['{bcrypt}$2x$', '{bcrypt}' . ($y =~ s/^\$2y\$/\$2x\$/r)],
);
for my $u (@unsupported) {
    my ($name, $stored) = @$u;
    my $c = add_hashed_client($stored);
    refused(redeem($c, 'post', $secret), "$name, client_secret_post");
    refused(redeem($c, 'basic', $secret), "$name, client_secret_basic");
    my @why = grep { /cannot authenticate/ } log_grep("'$c->{id}'");
    ok scalar(grep { /not a supported Spring hash/ } @why),
        "$name: the error log says the format is unsupported" or diag explain \@why;
}
is scalar(log_grep($secret)), 0, 'no log line contains the secret';
is scalar(log_grep(md5_hex($secret))), 0, 'no log line contains the stored {MD5} hash';
is scalar(log_grep(sha256_hex($secret))), 0, 'no log line contains a stored SHA-256 hash';

# --- what Basic credentials may contain ---------------------------------------

# RFC 6749 §2.3.1: id and secret are form-urlencoded before base64.
my $odd_secret = 'a+b%c:d e&f=g%2B';
my $odd = add_hashed_client('{SHA-256}' . sha256_hex($odd_secret),
                            id => "client with spaces $$ " . time);
accepted(redeem($odd, 'basic', $odd_secret), 'Basic: "+ % :" in the secret, a space in the id');
accepted(redeem($odd, 'post', $odd_secret), 'post: "+ % :" in the secret, a space in the id');
my $raw = do {
    my $got = obtain_code(client => $odd, scope => 'profile_read');
    POST('/oauth/token', [grant_type => 'authorization_code', code => $got->{code},
                          redirect_uri => 'http://localhost/cb'],
         basic_header($odd->{id}, $odd_secret));
};
refused($raw, 'Basic credentials not form-urlencoded');

my $utf8_secret = "s\x{e9}cr\x{e8}t-\x{263a}";
my $utf8 = add_hashed_client('{SHA-256}' . sha256_hex(encode_utf8($utf8_secret)));
accepted(redeem($utf8, 'basic', $utf8_secret), 'Basic: a non-ASCII (UTF-8) secret');
accepted(redeem($utf8, 'post', encode_utf8($utf8_secret)), 'post: a non-ASCII (UTF-8) secret');

# --- bcrypt twice in a row: the second from the child's memory ----------------

# One kept-alive connection: every request goes to the same child.
Apache::TestRequest::user_agent(reset => 1, keep_alive => 1, requests_redirectable => 0);
my $slow_secret = "slow-$secret";
my $slow = add_hashed_client('{bcrypt}' . htpasswd_bcrypt($slow_secret, 10));
my @times;
for my $n (1, 2) {
    my $t0 = Time::HiRes::time();
    accepted(redeem($slow, $n == 1 ? 'post' : 'basic', $slow_secret),
             "bcrypt client, authentication $n of 2");
    push @times, Time::HiRes::time() - $t0;
}
note sprintf 'bcrypt cost 10: first %.0f ms, second %.0f ms', map { $_ * 1000 } @times;
refused(redeem($slow, 'post', "$slow_secret!"), 'bcrypt client, afterwards a wrong secret (post)');
refused(redeem($slow, 'basic', substr($slow_secret, 0, -1)),
        'bcrypt client, afterwards a wrong secret (Basic)');
refused(redeem($slow, 'post', ''), 'bcrypt client, afterwards an empty secret');
accepted(redeem($slow, 'basic', $slow_secret), 'bcrypt client, and the right secret again');
my %pids = map { /\[pid (\d+)/ ? ($1 => 1) : () }
    log_grep("access token issued to client '$slow->{id}'");
is scalar(keys %pids), 1,
    'bcrypt client: all in one child, so the second check could come from its memory';
Apache::TestRequest::user_agent(reset => 1);

done_testing();
