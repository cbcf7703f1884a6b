# The languages of the pages (README "Languages"): the consent page and the
# HTML error pages in English and Dutch, chosen by Accept-Language with
# q-values (RFC 9110 §12.5.4), the lang attribute, Vary: Accept-Language,
# and MyTimetableOAuthScope/MyTimetableOAuthConsentTemplate with a LANG.
# Virtual host: t/conf/lang.conf.in.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET);
use MTO::Test;

sub page {
    my ($client_id, $lang, %o) = @_;
    my $url = authorize_url(response_type => 'code', client_id => $client_id,
                            redirect_uri => 'http://localhost/cb',
                            scope => $o{scope} // 'profile_read alltimetables', state => 's');
    return GET $url, basic_header(alice => $USERS{alice}), redirect_ok => 0,
        defined $lang ? ('Accept-Language' => $lang) : ();
}

sub lang_of { ($_[0]->content =~ /<html lang="([^"]*)"/)[0] // '' }

sub varies { grep { /\bAccept-Language\b/i } $_[0]->header('Vary') }

my $client = add_client(scope => 'profile_read,alltimetables,profile_write');

# ------------------------------------------------------------ English
my $res = page($client->{id}, undef);
is $res->code, 200, 'no Accept-Language: the consent page';
is lang_of($res), 'en', 'no Accept-Language: lang="en"';
like $res->content, qr{>Approve</button>}, 'no Accept-Language: English buttons';
ok varies($res), 'the consent page: Vary: Accept-Language';

$res = page($client->{id}, 'fr');
is lang_of($res), 'en', 'fr (not available): English, lang="en"';
like $res->content, qr{read user subscriptions and user timetable}, 'fr: English scope texts';

# ------------------------------------------------------------ Dutch
for my $al ('nl', 'nl-NL;q=0.9,en;q=0.8', 'en;q=0.1,nl;q=0.5', 'NL-be', 'fr, nl;q=0.3') {
    $res = page($client->{id}, $al);
    is lang_of($res), 'nl', "Accept-Language: $al: lang=\"nl\"";
    like $res->content, qr{>Toestaan</button>}, "$al: the Approve button in Dutch";
}
my $html = $res->content;
like $html, qr{>Weigeren</button>}, 'nl: the Deny button in Dutch';
like $html, qr{wil toegang tot je MyTimetable-gegevens}, 'nl: the Dutch introduction';
like $html, qr{abonnementen en persoonlijk rooster van de gebruiker lezen}, 'nl: profile_read in Dutch';
like $html, qr{alle roosters lezen waartoe de gebruiker toegang heeft}, 'nl: alltimetables in Dutch';
unlike $html, qr{read user subscriptions}, 'nl: no English scope texts';
ok varies($res), 'nl: Vary: Accept-Language';
is $res->header('X-Frame-Options'), 'DENY', 'nl: the same security headers';

$res = page($client->{id}, 'nl;q=0, en');
is lang_of($res), 'en', 'nl;q=0: Dutch excluded, English';
$res = page($client->{id}, 'nl;q=0, *');
is lang_of($res), 'en', 'nl;q=0, *: English';
$res = page($client->{id}, 'en;q=0, *;q=0.5');
is lang_of($res), 'nl', 'en;q=0, *: Dutch';

# ------------------------------------------------------------ error pages
$res = GET '/oauth/authorize?response_type=code&client_id=no-such-client',
    basic_header(alice => $USERS{alice}), 'Accept-Language' => 'nl';
is $res->code, 400, 'unknown client, nl: 400';
is lang_of($res), 'nl', 'unknown client, nl: lang="nl"';
like $res->content, qr{<title>Onbekende applicatie</title>}, 'unknown client, nl: the Dutch title';
ok varies($res), 'error page: Vary: Accept-Language';
$res = GET '/oauth/authorize?response_type=code&client_id=no-such-client',
    basic_header(alice => $USERS{alice}), 'Accept-Language' => 'fr';
like $res->content, qr{<title>Unknown application</title>}, 'unknown client, fr: English';
is lang_of($res), 'en', 'unknown client, fr: lang="en"';
$res = GET authorize_url(response_type => 'code', client_id => $client->{id},
                         redirect_uri => 'http://evil.example/cb'),
    basic_header(alice => $USERS{alice}), 'Accept-Language' => 'nl';
like $res->content, qr{<title>Ongeldige terugkeer-URI</title>}, 'bad redirect URI, nl: Dutch';

# ------------------------------------------------------------ directives with LANG
{
    local $Apache::TestRequest::Module = 'lang_custom';
    $res = page($client->{id}, 'en');
    like $res->content, qr{your subscriptions}, 'custom, en: the text without LANG';
    like $res->content, qr{>Approve</button>}, 'custom, en: the built-in page';

    $res = page($client->{id}, 'nl');
    is lang_of($res), 'nl', 'custom, nl: Dutch';
    like $res->content, qr{alle roosters \(eigen tekst\)}, 'custom, nl: the text with LANG NL';
    like $res->content, qr{abonnementen en persoonlijk rooster},
        'custom, nl: the built-in Dutch text where no LANG text is given';

    $res = page($client->{id}, 'de-AT, en;q=0.5');
    is lang_of($res), 'de', 'custom, de-AT: German, a language of the directives';
    like $res->content, qr{<h1 id="custom-de">}, 'custom, de: the template with LANG de';
    like $res->content, qr{Ihre Abonnements}, 'custom, de: the scope text with LANG de';
    like $res->content, qr{read any timetables}, 'custom, de: English where de has no text';
    ok varies($res), 'custom, de: Vary: Accept-Language';
}

# ------------------------------------------------------------ bad directives
for my $bad ('MyTimetableOAuthScope profile_read "x" "n l"',
             'MyTimetableOAuthScope profile_read "x" -nl',
             'MyTimetableOAuthConsentTemplate /dev/null nl_NL') {
    my ($rc, $out) = httpd_syntax_check($bad);
    ok $rc != 0, "apachectl -t fails: $bad";
    like $out, qr{is not a language tag}, "$bad: the message names the language tag";
}

done_testing();
