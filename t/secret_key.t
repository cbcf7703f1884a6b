# MyTimetableOAuthSecretKeyFile (README "Several servers"): a consent page
# fetched at one front-end and posted to another that reads the same key
# file is accepted; with another key, or with the random key of a server
# without the directive, it is refused ("Consent form expired").  A graceful
# restart keeps open pages valid with the key file, and (as before) not
# without it.  Virtual hosts: t/conf/secret_key.conf.in; t/TEST makes the
# key files with `mytimetable-oauth key generate`.
#
# The virtual hosts are one httpd, whose random key (no directive) they would
# share: that A's page passes at B proves little alone.  What proves that the
# key comes from the file is that a host without the directive refuses A's
# page, and that A's page outlives a graceful restart (a new random key).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use MTO::Test;

my $client = add_client(scope => 'profile_read,alltimetables');
my $keys = Apache::Test::vars('serverroot') . '/keys';

sub on { Apache::TestRequest::module($_[0]) }

sub az_url {
    my ($state) = @_;
    return authorize_url(response_type => 'code', client_id => $client->{id},
                         redirect_uri => 'http://localhost/cb', scope => 'profile_read',
                         state => $state);
}

# The consent page for alice at $server (a fresh state each time, so that no
# approval is remembered: approvals are per scope, and consent is asked for
# again only while none is stored; see below).
my $n = 0;
sub page_at {
    my ($server) = @_;
    on($server);
    my $url = az_url('st-' . ++$n);
    my $res = GET $url, basic_header(alice => $USERS{alice}), redirect_ok => 0;
    is $res->code, 200, "$server: the consent page (200)";
    ok consent_form($res), "$server: with its form";
    return ($res, $url);
}

sub post_at {
    my ($server, $res, $url) = @_;
    on($server);
    return approve_consent($res, 1, alice => $USERS{alice}, $url);
}

sub accepted {
    my ($got, $name) = @_;
    is $got->code, 303, "$name: 303";
    my $p = eval { location_params($got) } || {};
    like $p->{code} // '', qr/^[A-Za-z0-9_-]{32}$/, "$name: a code is issued";
    return $p;
}

sub refused {
    my ($got, $name) = @_;
    is $got->code, 400, "$name: 400";
    ok !defined $got->header('Location'), "$name: no redirect";
    like $got->content, qr{<title>Consent form expired</title>}, "$name: 'Consent form expired'";
}

# Approval is never remembered here: every request shows the page.
sub forget { db_sql('DELETE FROM mto_approval WHERE client_id = ' . "'$client->{id}'") }

# --- the key files ------------------------------------------------------------

for my $f ("$keys/shared.key", "$keys/other.key") {
    my @st = stat $f;
    ok @st && ($st[2] & 07777) == 0600, "$f: mode 0600, as key generate writes it";
    if ($> == 0) {
        is $st[4], 0, "$f: owned by root, whom httpd's children are not: "
            . 'the parent reads it before they start';
    }
}

# --- two front-ends with one key --------------------------------------------

my ($page, $url) = page_at('frontend_a');
my $p = accepted(post_at('frontend_b', $page, $url), 'page of front-end A posted to front-end B');
is $p->{state}, 'st-1', 'A to B: with the state';
forget();

($page, $url) = page_at('frontend_b');
accepted(post_at('frontend_a', $page, $url), 'page of front-end B posted to front-end A');
forget();

# The code works at either front-end's token endpoint (one database).
($page, $url) = page_at('frontend_a');
$p = accepted(post_at('frontend_b', $page, $url), 'A to B once more');
on('frontend_a');
my $res = POST '/oauth/token', [grant_type => 'authorization_code', code => $p->{code},
                                redirect_uri => 'http://localhost/cb', client_creds($client)];
is $res->code, 200, 'the code from B is redeemed at A: 200';
forget();

# --- other keys ----------------------------------------------------------------

($page, $url) = page_at('frontend_a');
refused(post_at('frontend_other', $page, $url), 'page of A posted to a front-end with another key');
refused(post_at('default', $page, $url), 'page of A posted to a server without the directive');
accepted(post_at('frontend_a', $page, $url), '(the same page posted to A itself)');
forget();

($page, $url) = page_at('default');
refused(post_at('frontend_a', $page, $url), 'page of a server without the directive posted to A');
accepted(post_at('default', $page, $url), 'without the directive, a page posted back to its server');
forget();

($page, $url) = page_at('frontend_other');
accepted(post_at('frontend_other', $page, $url), 'a front-end with a key of its own accepts its page');
forget();

# --- graceful restart ----------------------------------------------------------

my ($page_a, $url_a) = page_at('frontend_a');
my ($page_d, $url_d) = page_at('default');

ok graceful_restart(), 'graceful restart (SIGUSR1 to httpd): httpd resumed normal operations';

accepted(post_at('frontend_a', $page_a, $url_a),
         'with the key file, a page fetched before a graceful restart is accepted after it');
refused(post_at('default', $page_d, $url_d),
        'without the directive, the restart drew a new key: the page is refused');
forget();

on('default');
done_testing;
