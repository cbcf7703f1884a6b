# The built-in consent page (docs/endpoints.md "Authorize") as a person uses it, in
# headless Chromium (Debian's chromium and chromium-driver, driven through
# WebDriver by t/lib/MTO/Browser.pm): Basic login, the client and each
# scope's description on screen, Approve and Deny by mouse and by keyboard,
# and the browser arriving at the client's redirect_uri with a code or
# error=access_denied.  A phone-sized viewport must need no sideways
# scrolling and keep its text readable.  Screenshots: t/logs/consent-*.png.
#
# The client is the consent_client virtual host (t/conf/consent_browser.conf.in).
# Runs once per build/test, against SQLite: the page does not depend on the
# database.  Skips only when Chromium is not installed or cannot start.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use MTO::Test;
use MTO::Browser;

my $DEADLINE = 55;              # seconds for the whole file, browser start included

plan skip_all => 'runs once per build/test, in the SQLite run: the consent page does not '
               . 'depend on the database' if ($ENV{MTO_DBD_DRIVER} // 'sqlite3') eq 'pgsql';

my $t_logs = Apache::Test::vars('t_logs');
local $SIG{ALRM} = sub { die "t/consent_browser.t: over ${DEADLINE}s\n" };  # END ends the browser
alarm $DEADLINE;

my $b = MTO::Browser->start(timeout => 15)
    or plan skip_all => "no headless Chromium: $MTO::Browser::WHY";

my %DESC = (profile_read  => 'read user subscriptions and user timetable',
            alltimetables => 'read any timetables the user has access to');
my @issued;                     # every code seen: none may reach a log

my $server = 'http://' . Apache::TestRequest::hostport();
my $client_base = do {
    local $Apache::TestRequest::Module = 'consent_client';
    'http://' . Apache::TestRequest::hostport();
};
my $CB = "$client_base/cb";

# A fresh client (approvals are remembered per client) and the URL that
# opens its consent page, alice's login in it: Chromium answers the Basic
# challenge with it and keeps using it for the form's POST.
sub consent_url {
    my ($state) = @_;
    my $client = add_client(scope => 'profile_read,alltimetables,messages_read', redirect_uri => $CB);
    my $path = authorize_url(response_type => 'code', client_id => $client->{id}, redirect_uri => $CB,
                             scope => 'profile_read alltimetables', state => $state);
    (my $with_login = $server) =~ s{^http://}{http://alice:$USERS{alice}\@};
    return ($client, "$with_login$path");
}

# The browser ended at the client's redirect_uri: its query parameters.
sub arrived {
    my ($name) = @_;
    my $url = $b->wait_url(qr{^\Q$CB\E\?});
    ok defined $url, "$name: the browser arrives at the client's redirect_uri"
        or diag 'the browser is at ' . (eval { $b->url } // '?');
    is eval { $b->js('return document.title') }, 'Client callback', "$name: on the client's page";
    my $p = query_params($url // '');
    push @issued, $p->{code} if defined $p->{code};
    return $p;
}

sub got_code {
    my ($p, $state, $name) = @_;
    like $p->{code} // '', qr/^[A-Za-z0-9_-]{32}$/, "$name: with a code";
    is $p->{state}, $state, "$name: with the state";
    ok !exists $p->{error}, "$name: and no error";
}

sub got_denied {
    my ($p, $state, $name) = @_;
    is $p->{error}, 'access_denied', "$name: error=access_denied";
    is $p->{state}, $state, "$name: with the state";
    ok !exists $p->{code}, "$name: and no code";
}

sub style_px {
    my ($css, $prop) = @_;
    return $b->js('var e = document.querySelector(arguments[0]);'
                  . ' return e ? parseFloat(getComputedStyle(e)[arguments[1]]) : null', $css, $prop);
}

sub focused_label { my $id = $b->active; return defined $id ? $b->label($id) : '' }

# ------------------------------------------------- the page, on a desktop

$b->viewport(1024, 768);
my ($client, $url) = consent_url('st-click');
$b->get($url);
is $b->js('return document.documentElement.lang'), 'en', 'the page says its language: <html lang="en">';
like $b->js('return document.title'), qr/^Authorize \Q$client->{id}\E$/, 'the title names the client';
like $b->text($b->find('h1')), qr/\Q$client->{id}\E/, 'the heading names the client';
like $b->text($b->find('main p')), qr/^Signed in as alice\b/, 'Basic login in the browser: signed in as alice';

my @items = $b->find_all('main li');
is scalar(@items), 2, 'two scopes are listed: those requested';
for my $i (0 .. $#items) {
    my ($scope) = (qw(profile_read alltimetables))[$i];
    like $b->text($items[$i]), qr/^\Q$DESC{$scope}\E \($scope\)$/, "$scope: its description is on the page";
    ok $b->displayed($items[$i]), "$scope: and visible";
}

my @buttons = $b->find_all('button');
is_deeply [map { $b->label($_) } @buttons], [qw(Approve Deny)],
    'two buttons, named Approve and Deny for assistive technology';
is_deeply [map { $b->role($_) } @buttons], [qw(button button)], 'both have the button role';
ok +(grep { $b->displayed($_) } @buttons) == 2, 'both buttons are visible';
cmp_ok style_px('body', 'maxWidth') // 0, '>', 0, "the page's style applies under its CSP (body max-width)";
cmp_ok $b->screenshot("$t_logs/consent-desktop.png"), '>', 1000, 'screenshot: t/logs/consent-desktop.png';

$b->click($buttons[0]);
got_code(arrived('Approve (mouse)'), 'st-click', 'Approve (mouse)');

# The code is a real one: the client exchanges it.
my $tok = POST('/oauth/token', [grant_type => 'authorization_code', code => $issued[-1] // '',
                                redirect_uri => $CB, client_creds($client)]);
is $tok->code, 200, 'Approve (mouse): the code works at the token endpoint';
is eval { json_body($tok)->{scope} }, 'profile_read alltimetables', 'Approve (mouse): for the scopes shown';

($client, $url) = consent_url('st-deny');
$b->get($url);
my $codes = db_value('SELECT COUNT(*) FROM mto_code');
$b->click(($b->find_all('button'))[1]);
got_denied(arrived('Deny (mouse)'), 'st-deny', 'Deny (mouse)');
is db_value('SELECT COUNT(*) FROM mto_code'), $codes, 'Deny (mouse): no code stored';

# ------------------------------------------------- a phone, by keyboard

$b->viewport(375, 667, mobile => 1);
($client, $url) = consent_url('st-key');
$b->get($url);
is $b->js('return window.innerWidth'), 375, 'phone: the page is laid out for the 375 px screen (viewport meta)';
my ($scroll, $client_w) = @{ $b->js('var d = document.documentElement; return [d.scrollWidth, d.clientWidth]') };
cmp_ok $scroll, '<=', $client_w, "phone: no sideways scrolling (scrollWidth $scroll, clientWidth $client_w)";
cmp_ok style_px('body', 'fontSize'), '>=', 14, 'phone: body text is at least 14 px';
cmp_ok style_px('button', 'fontSize'), '>=', 14, 'phone: button text is at least 14 px';
cmp_ok $b->js('return Math.max.apply(null, Array.prototype.map.call(document.querySelectorAll("main *"),'
              . ' function (e) { return e.getBoundingClientRect().right }))'), '<=', $client_w,
    'phone: nothing sticks out on the right';
cmp_ok $b->js('return Math.min.apply(null, Array.prototype.map.call(document.querySelectorAll("button"),'
              . ' function (e) { return e.getBoundingClientRect().height }))'), '>=', 32,
    'phone: buttons are at least 32 px tall, for a finger';
cmp_ok $b->screenshot("$t_logs/consent-phone.png"), '>', 1000, 'screenshot: t/logs/consent-phone.png';

is focused_label(), 'Approve', 'keyboard: the page opens with Approve focused';
$b->press('Tab');
is focused_label(), 'Deny', 'keyboard: Tab moves to Deny';
$b->press('Shift+Tab');
is focused_label(), 'Approve', 'keyboard: Shift+Tab back to Approve';
ok $b->js('var e = document.activeElement, s = getComputedStyle(e);'
          . ' return s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2'),
    'keyboard: the focused button shows a focus outline';
$b->press('Enter');
got_code(arrived('Approve (keyboard)'), 'st-key', 'Approve (keyboard)');

($client, $url) = consent_url('st-key-deny');
$b->get($url);
$b->press('Tab');
is focused_label(), 'Deny', 'keyboard: one Tab reaches Deny';
$b->press('Enter');
got_denied(arrived('Deny (keyboard)'), 'st-key-deny', 'Deny (keyboard)');

# ------------------------------------------------- the end

$b->stop;
my @left = $b->leftovers;
ok !@left, 'every browser and driver process the test started has ended'
    or diag "still running: @left";
alarm 0;

is scalar(grep { log_grep($_) } @issued), 0, 'no code the browser carried appears in any log';
cmp_ok scalar(@issued), '==', 2, 'both approvals gave a code (checked for leaks)';

done_testing();
