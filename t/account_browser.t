# The Dutch consent page and the account page as a person sees them, in
# headless Chromium set to Dutch (t/lib/MTO/Browser.pm): the browser's own
# Accept-Language picks the language, and "Toegang intrekken" (Revoke
# access) is clicked with the mouse.  Screenshots: t/logs/consent-nl.png,
# t/logs/account-before.png, t/logs/account-after.png.
#
# Runs once per build/test, against SQLite: the pages do not depend on the
# database.  Skips only when Chromium is not installed or cannot start.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET);
use MTO::Test;
use MTO::Browser;

my $DEADLINE = 55;

plan skip_all => 'runs once per build/test, in the SQLite run: the pages do not depend on '
               . 'the database' if ($ENV{MTO_DBD_DRIVER} // 'sqlite3') eq 'pgsql';

my $t_logs = Apache::Test::vars('t_logs');
local $SIG{ALRM} = sub { die "t/account_browser.t: over ${DEADLINE}s\n" };
alarm $DEADLINE;

my $b = MTO::Browser->start(timeout => 15, lang => 'nl')
    or plan skip_all => "no headless Chromium: $MTO::Browser::WHY";

# demo: a user of its own, so that the screenshots show only this test's
# applications (other tests leave approvals and tokens of alice's and bob's).
(my $server = 'http://' . Apache::TestRequest::hostport())
    =~ s{^http://}{http://demo:$USERS{demo}\@};
db_sql("DELETE FROM $_ WHERE user_name = 'demo'")
    for qw(mto_approval mto_access_token mto_refresh_token);

# ------------------------------------------------------------ the consent page
my $client = add_client(name => 'Rooster', scope => 'profile_read,alltimetables');
my $path = authorize_url(response_type => 'code', client_id => $client->{id},
                         redirect_uri => 'http://localhost/cb',
                         scope => 'profile_read alltimetables', state => 'nl');
$b->get("$server$path");
is $b->js('return document.documentElement.lang'), 'nl', 'the browser set to Dutch gets <html lang="nl">';
like $b->text($b->find('main')), qr{wil toegang tot je MyTimetable-gegevens}, 'the Dutch text on screen';
is $b->text($b->find('button[value="true"]')), 'Toestaan', 'the Approve button reads "Toestaan"';
is $b->text($b->find('button[value="false"]')), 'Weigeren', 'the Deny button reads "Weigeren"';
cmp_ok $b->screenshot("$t_logs/consent-nl.png"), '>', 1000, 'screenshot: t/logs/consent-nl.png';

# ------------------------------------------------------------ the account page
my $other = add_client(name => 'Studiewijzer');
db_sql("INSERT INTO mto_approval (user_name, client_id, scope, expires_at) VALUES ('demo', '"
       . $client->{id} . "', 'profile_read', " . (time + 2592000) . ')');   # as the consent page saves it (30 days)
my $tok = add_token(client => $other->{id}, user => 'demo', scope => 'messages_read');
$b->get("$server/oauth/account");
my $text = $b->text($b->find('main'));
like $text, qr{Je gekoppelde applicaties}, 'the account page in Dutch';
like $text, qr{Rooster}, 'it lists the approved application by name';
like $text, qr{Studiewijzer}, 'and the one holding a token';
cmp_ok $b->screenshot("$t_logs/account-before.png"), '>', 1000, 'screenshot: t/logs/account-before.png';

my @buttons = $b->find_all('section.app button');
my @names = map { $b->text($_) } $b->find_all('section.app h2');
is scalar(@buttons), scalar(@names), 'a "Toegang intrekken" button per application';
is $b->text($buttons[0]), 'Toegang intrekken', 'the button reads "Toegang intrekken"';
my ($i) = grep { $names[$_] eq 'Studiewijzer' } 0 .. $#names;
$b->click($buttons[$i]);
$b->wait_url(qr{/oauth/account$});
$text = $b->text($b->find('main'));
unlike $text, qr{Studiewijzer}, 'after the click the application is gone';
like $text, qr{Rooster}, 'the other one stays';
ok !token_exists($tok), 'its token is revoked';
cmp_ok $b->screenshot("$t_logs/account-after.png"), '>', 1000, 'screenshot: t/logs/account-after.png';

done_testing();
