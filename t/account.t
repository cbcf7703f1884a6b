# The account page (docs/endpoints.md, "For your users"): the signed-in user's
# authorized applications, "Revoke access" (approvals and every token of
# that user for that client, the cache included), its CSRF token, 303,
# headers and languages.  Virtual hosts: t/conf/account.conf.in.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use MTO::Test;

my $CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

sub sq { (my $s = shift) =~ s/'/''/g; "'$s'" }

sub page {
    my ($user, @h) = @_;
    return GET '/oauth/account', basic_header($user => $USERS{$user}), redirect_ok => 0, @h;
}

sub approve {
    my ($user, $client_id, @scopes) = @_;
    db_sql('INSERT INTO mto_approval (user_name, client_id, scope, expires_at) VALUES ('
           . join(', ', sq($user), sq($client_id), sq($_), time + 86400) . ')') for @scopes;
}

sub count {
    my ($table, $user, $client_id) = @_;
    return db_value("SELECT COUNT(*) FROM $table WHERE user_name = " . sq($user)
                    . ' AND client_id = ' . sq($client_id));
}

# The revoke forms of a page: client_id => csrf_token.
sub forms {
    my ($html) = @_;
    my %f;
    while ($html =~ m{<input type="hidden" name="client_id" value="([^"]*)">\s*<input type="hidden" name="csrf_token" value="([^"]*)">}g) {
        $f{ MTO::Test::_html_unescape($1) } = MTO::Test::_html_unescape($2);
    }
    return \%f;
}

sub revoke {
    my ($user, @fields) = @_;
    return POST '/oauth/account', \@fields, basic_header($user => $USERS{$user}),
        redirect_ok => 0;
}

sub gate { GET '/account-gate', Authorization => "Bearer $_[0]" }

my $named = add_client(name => "Rooster <App> $$");
my $plain = add_client();
my $bobs = add_client(name => 'Bob Only');

approve(alice => $named->{id}, qw(profile_read alltimetables));
my $alice_named = add_token(client => $named->{id}, user => 'alice');
my $alice_refresh = add_token(client => $named->{id}, user => 'alice', kind => 'refresh');
my $alice_plain = add_token(client => $plain->{id}, user => 'alice', scope => 'messages_read');
my $bob_named = add_token(client => $named->{id}, user => 'bob');
approve(bob => $bobs->{id}, 'username');
approve(bob => $named->{id}, 'username');

# ------------------------------------------------------------ the page
my $res = page('alice');
is $res->code, 200, 'GET: 200';
like $res->header('Content-Type') // '', qr{^text/html;\s*charset=UTF-8$}i, 'text/html; charset=UTF-8';
is $res->header('Cache-Control'), 'no-store', 'Cache-Control: no-store';
is $res->header('X-Frame-Options'), 'DENY', 'X-Frame-Options: DENY';
is $res->header('Content-Security-Policy'), $CSP, 'the consent page\'s CSP';
is $res->header('Referrer-Policy'), 'no-referrer', 'Referrer-Policy: no-referrer';
ok scalar(grep { /Accept-Language/ } $res->header('Vary')), 'Vary: Accept-Language';
my $html = $res->content;
like $html, qr{<html lang="en">}, 'English by default';
like $html, qr{<meta name="viewport" content="width=device-width, initial-scale=1">}, 'readable on a phone: viewport';
unlike $html, qr{<script}i, 'no JavaScript';
like $html, qr{<h2>Rooster &lt;App&gt; $$</h2>}, 'the client_name, escaped';
like $html, qr{<h2>\Q$plain->{id}\E</h2>}, 'a client without a name: its id (tokens only, no approval)';
unlike $html, qr{Bob Only|\Q$bobs->{id}\E}, 'not another user\'s application';
like $html, qr{<li>read user subscriptions and user timetable</li>}, 'the scopes, described';
like $html, qr{<li>read any messages the user has access to</li>}, 'the scopes of the tokens too';
like $html, qr{since \d{4}-\d\d-\d\d}, 'since when';
like $html, qr{>Revoke access</button>}, 'a "Revoke access" button';
my $forms = forms($html);
# Other tests of the run may have left applications of alice's: the
# database says which are hers.
sub apps_of {
    my ($user) = @_;
    my $now = time;
    my %ids = map { $_->[0] => 1 } db_sql(
        "SELECT client_id FROM mto_approval WHERE user_name = '$user' AND expires_at > $now "
        . "UNION SELECT client_id FROM mto_access_token WHERE user_name = '$user' "
        . "AND (expires_at = 0 OR expires_at > $now) "
        . "UNION SELECT client_id FROM mto_refresh_token WHERE user_name = '$user' "
        . "AND rotated_at = 0 AND (expires_at = 0 OR expires_at > $now)");
    return [sort keys %ids];
}
is_deeply [sort keys %$forms], apps_of('alice'), 'one form per application, exactly the user\'s';
ok $forms->{$named->{id}} && $forms->{$plain->{id}} && !$forms->{$bobs->{id}},
    'both of hers, not bob\'s';

$res = page('bob');
like $res->content, qr{<h2>Bob Only</h2>}, 'bob sees his own application';
my $bob_forms = forms($res->content);

# ------------------------------------------------------------ CSRF
$res = revoke(alice => client_id => $named->{id});
is $res->code, 400, 'POST without csrf_token: 400';
is count(mto_approval => alice => $named->{id}), 2, 'no csrf_token: nothing revoked';
$res = revoke(alice => client_id => $named->{id}, csrf_token => 'x' . $forms->{$named->{id}});
is $res->code, 400, 'POST with a wrong csrf_token: 400';
$res = revoke(alice => client_id => $named->{id}, csrf_token => $forms->{$plain->{id}});
is $res->code, 400, 'the token of another client\'s form: 400';
$res = revoke(alice => client_id => $named->{id}, csrf_token => $bob_forms->{$named->{id}});
is $res->code, 400, 'the token of another user\'s form: 400';
ok token_exists($alice_named), 'after the refused POSTs the token still works';
is gate($alice_named)->code, 200, 'and is accepted at the gate';

# ------------------------------------------------------------ revoke
$res = revoke(alice => client_id => $named->{id}, csrf_token => $forms->{$named->{id}});
is $res->code, 303, 'Revoke access: 303';
is $res->header('Location'), '/oauth/account', 'back to the page';
is count(mto_approval => alice => $named->{id}), 0, 'the approvals are gone';
is count(mto_access_token => alice => $named->{id}), 0, 'the access tokens are gone';
is count(mto_refresh_token => alice => $named->{id}), 0, 'the refresh tokens are gone';
is gate($alice_named)->code, 401, 'the revoked token: 401 at the gate';
ok token_exists($alice_plain), 'the other application\'s token stays';
ok token_exists($bob_named), 'another user\'s token for the same client stays';
is count(mto_approval => bob => $named->{id}), 1, 'another user\'s approval stays';
$html = page('alice')->content;
unlike $html, qr{Rooster &lt;App&gt; $$|\Q$named->{id}\E}, 'the page no longer lists it';
like $html, qr{<h2>\Q$plain->{id}\E</h2>}, 'the other application is still listed';

# ------------------------------------------------------------ with a cache
{
    local $Apache::TestRequest::Module = 'account_cache';
    my $c = add_client(name => 'Cached');
    my $tok = add_token(client => $c->{id}, user => 'alice');
    is gate($tok)->code, 200, 'cache: the token is accepted (and now cached)';
    my $f = forms(page('alice')->content);
    is revoke(alice => client_id => $c->{id}, csrf_token => $f->{$c->{id}})->code, 303,
        'cache: Revoke access';
    is gate($tok)->code, 401, 'cache: the cached token is refused at once';
}

# ------------------------------------------------------------ Dutch
$res = page('alice', 'Accept-Language' => 'nl');
$html = $res->content;
like $html, qr{<html lang="nl">}, 'nl: lang="nl"';
like $html, qr{>Toegang intrekken</button>}, 'nl: the button in Dutch';
like $html, qr{<li>alle berichten lezen waartoe de gebruiker toegang heeft</li>}, 'nl: the scopes in Dutch';

# ------------------------------------------------------------ no user, the gate
$res = POST '/oauth/account', [client_id => 'x'], redirect_ok => 0;
is $res->code, 401, 'without a login: 401 (Apache\'s Basic)';
my $t = add_token(client => $plain->{id}, user => 'alice');
my $mark = error_log_mark();
$res = GET '/account-behind-gate', Authorization => "Bearer $t";
is $res->code, 500, 'behind the gate: refused (500)';
ok scalar(grep { /MTO0081: .*\/account-behind-gate/ } error_log_since($mark)),
    'behind the gate: MTO0081 names the Location';
is $res->header('Cache-Control'), 'no-store', 'refused: no-store';
$res = Apache::TestRequest::PUT('/oauth/account', basic_header(alice => $USERS{alice}));
is $res->code, 405, 'PUT: 405';

done_testing();
