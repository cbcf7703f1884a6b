# A browser single-page app as docs/endpoints.md, "For app developers" describes one, in
# headless Chromium (t/lib/MTO/Browser.pm): the static page t/htdocs/spa/app.html,
# served from an origin of its own (the spa_app virtual host,
# t/conf/spa_browser.conf.in), signs alice in through the consent page as a
# public client (PKCE S256 computed in the page with crypto.subtle, no
# secret), exchanges the code with fetch() at the token endpoint on the
# server's origin, and calls the gated API with the bearer token.  The
# browser enforces CORS, so this proves the token endpoint's CORS answer
# works for the client's origin; the same page on an origin the client does
# not allow (spa_other) cannot read the token response: fetch() rejects
# with a TypeError.  The gated API is /gate/cgi on the app's own origin: the
# gate sends no CORS headers.  Screenshot: t/logs/spa-result.png.
#
# Runs once per build/test, against SQLite; skips only when Chromium is not
# installed or cannot start.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET);
use Digest::SHA qw(sha256);
use JSON ();
use MIME::Base64 qw(encode_base64);
use URI ();
use MTO::Test;
use MTO::Browser;

my $DEADLINE = 55;              # seconds for the whole file, browser start included

plan skip_all => 'runs once per build/test, in the SQLite run: the browser app does not '
               . 'depend on the database' if ($ENV{MTO_DBD_DRIVER} // 'sqlite3') eq 'pgsql';

my $t_logs = Apache::Test::vars('t_logs');
local $SIG{ALRM} = sub { die "t/spa_browser.t: over ${DEADLINE}s\n" };  # END ends the browser
alarm $DEADLINE;

my $b = MTO::Browser->start(timeout => 15)
    or plan skip_all => "no headless Chromium: $MTO::Browser::WHY";

sub origin_of {
    local $Apache::TestRequest::Module = shift;
    return 'http://' . Apache::TestRequest::hostport();
}
my $server = origin_of(undef);
my $app    = origin_of('spa_app');
my $other  = origin_of('spa_other');
my $CB     = "$app/app";
my $SCOPE  = 'profile_read alltimetables';
my @issued;                     # every code seen: none may reach a log

# The page's report in #result, once it has written one.
sub result {
    my $until = time + 15;
    while (time < $until) {
        my $r = eval { $b->js('var e = document.getElementById("result");'
                              . ' return e && e.getAttribute("data-done") ? e.textContent : null') };
        return JSON->new->decode($r) if defined $r;
        select undef, undef, undef, 0.1;
    }
    diag 'the browser is at ' . (eval { $b->url } // '?');
    return {};
}

# ------------------------------------------------- sign in and call the API

my $client = add_client(public => undef, grant_types => 'authorization_code,refresh_token',
                        scope => 'profile_read,alltimetables', redirect_uri => $CB);

# Alice's Basic login, given once on the server's origin: Chromium answers
# the authorize endpoint's challenge (same realm) with it from then on.
(my $with_login = $server) =~ s{^http://}{http://alice:$USERS{alice}\@};
$b->get("$with_login/oauth/authorize");

my $start = URI->new("$app/app");
$start->query_form(as => $server, client_id => $client->{id}, redirect_uri => $CB, scope => $SCOPE);
$b->get("$start");
ok defined $b->wait_url(qr{^\Q$server\E/oauth/authorize\?}),
    'the app sends the browser to the authorize endpoint';
my $auth = query_params($b->url);
is $auth->{code_challenge_method}, 'S256', 'with a PKCE S256 challenge computed in the page';
like $auth->{code_challenge} // '', qr/^[A-Za-z0-9_-]{43}$/, 'the challenge is a base64url SHA-256';
like $b->text($b->find('h1')), qr/\Q$client->{id}\E/, 'the consent page for the app, alice signed in';

$b->click(($b->find_all('button'))[0]);
my $r = result();
is $r->{origin}, $app, "the app is back on its own origin ($app)";
is $r->{token_status}, 200, "fetch() at the token endpoint from the app's origin: read 200 (CORS allowed it)";
is lc($r->{token_type} // ''), 'bearer', 'the page read token_type Bearer';
is $r->{scope}, $SCOPE, 'and the scopes alice approved';
ok $r->{access_token} && $r->{refresh_token}, 'an access token and a refresh token, with no client secret';
is $r->{api_status}, 200, 'the gated API with the bearer token: 200';
is $r->{api_user}, 'alice', "the gated API's backend sees alice";
cmp_ok $b->screenshot("$t_logs/spa-result.png"), '>', 1000, 'screenshot: t/logs/spa-result.png';
unlike $b->url, qr/code=/, 'the app removed the code from its URL';

# ------------------------------------------------- an origin the client does not allow

# A real code and verifier for the same client (alice's approval is
# remembered), handed to the same page on spa_other.
(my $verifier = encode_base64(join('', map { chr int rand 256 } 1 .. 32), '')) =~ tr{+/=}{-_}d;
(my $challenge = encode_base64(sha256($verifier), '')) =~ tr{+/=}{-_}d;
remember_secret('PKCE code_verifier', $verifier);
my $res = GET authorize_url(response_type => 'code', client_id => $client->{id}, redirect_uri => $CB,
                            scope => $SCOPE, state => 'st', code_challenge => $challenge,
                            code_challenge_method => 'S256'),
    basic_header(alice => $USERS{alice}), redirect_ok => 0;
my $code = eval { location_params($res)->{code} };
ok defined $code, 'a code for the app, obtained outside the browser';
push @issued, $code if defined $code;

my $tokens = db_value('SELECT COUNT(*) FROM mto_access_token');
my $frag = URI->new;
$frag->query_form(as => $server, client_id => $client->{id}, redirect_uri => $CB,
                  code => $code // '', code_verifier => $verifier);
$b->get("$other/app#" . $frag->query);
$r = result();
is $r->{origin}, $other, "the same page on another origin ($other)";
is $r->{token_error}, 'TypeError', 'fetch() at the token endpoint from a not-allowed origin rejects with a TypeError';
ok !exists $r->{token_status} && !exists $r->{token_type}, 'and the page read nothing of the answer';
cmp_ok db_value('SELECT COUNT(*) FROM mto_access_token'), '>', $tokens,
    'although the server answered (a token was issued): the browser withheld it';

# ------------------------------------------------- the end

$b->stop;
my @left = $b->leftovers;
ok !@left, 'every browser and driver process the test started has ended'
    or diag "still running: @left";
alarm 0;

is scalar(grep { log_grep($_) } @issued), 0, 'no code seen by the test appears in any log';

done_testing();
