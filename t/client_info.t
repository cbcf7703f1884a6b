# Client metadata from oauth_client_details.additional_information (README
# "For app developers", "The consent template"): client_name, logo_uri,
# client_uri, policy_uri, tos_uri on the consent page (escaped, https only,
# the logo with a fixed size and its name as alt text), the host the
# redirect URI sends the user to, the template variables, what the admin
# tool writes (client add|update), and a malformed column: the client works
# as if it were NULL, and the error log says so once per cache period
# (t/conf/apps.conf.in).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use JSON ();
use MTO::Test;

my @alice = basic_header(alice => $USERS{alice});

sub sq { (my $s = shift) =~ s/'/''/g; "'$s'" }

sub set_info {
    my ($id, $text) = @_;
    db_sql('UPDATE oauth_client_details SET additional_information = '
           . (defined $text ? sq($text) : 'NULL') . ' WHERE client_id = ' . sq($id));
}

sub info_of {
    my ($id) = @_;
    my $text = db_value('SELECT additional_information FROM oauth_client_details WHERE client_id = '
                        . sq($id));
    return defined $text ? eval { JSON->new->decode($text) } : undef;
}

sub page {
    my ($client, $redirect_uri, @extra) = @_;
    return GET authorize_url(response_type => 'code', client_id => $client->{id},
                             redirect_uri => $redirect_uri // 'http://localhost/cb', @extra),
        @alice, redirect_ok => 0;
}

# --- the admin tool writes the metadata ---------------------------------------

my $NAME = q{Rooster <b>"App"</b> & Co's};
my $NAME_HTML = 'Rooster &lt;b&gt;&quot;App&quot;&lt;/b&gt; &amp; Co&#39;s';
my $client = add_client(name => $NAME, logo_uri => 'https://cdn.example.org/logo.png?v=1&x=2',
                        client_uri => 'https://app.example.org/',
                        policy_uri => 'https://app.example.org/privacy',
                        tos_uri => 'https://app.example.org/terms',
                        redirect_uri => 'https://app.example.org:8443/cb');
my $info = info_of($client->{id}) || {};
is $info->{client_name}, $NAME, 'client add --name: client_name';
is $info->{logo_uri}, 'https://cdn.example.org/logo.png?v=1&x=2', 'client add --logo-uri: logo_uri';
is $info->{client_uri}, 'https://app.example.org/', 'client add --client-uri: client_uri';
is $info->{policy_uri}, 'https://app.example.org/privacy', 'client add --policy-uri: policy_uri';
is $info->{tos_uri}, 'https://app.example.org/terms', 'client add --tos-uri: tos_uri';
ok !exists $info->{token_endpoint_auth_method}, 'a confidential client: no auth method written';

my $r = MTO::Test::tool_result(qw(client add bad-logo --redirect-uri http://localhost/cb
                                  --logo-uri http://cdn.example.org/logo.png));
is $r->{status}, 2, 'client add --logo-uri http://…: refused (https only)';
$r = MTO::Test::tool_result(qw(client add bad-origin --public --redirect-uri http://localhost/cb
                               --allowed-origin https://x.example/path));
is $r->{status}, 2, 'client add --allowed-origin with a path: refused';

# --- the built-in consent page ------------------------------------------------

my $res = page($client, 'https://app.example.org:8443/cb');
is $res->code, 200, 'the consent page';
my $html = $res->content;
like $html, qr{<h1>[^<]*\Q$NAME_HTML\E}, 'the page names the client by client_name, escaped';
unlike $html, qr{<b>"App"}, 'the name is never markup';
like $html, qr{<img src="https://cdn\.example\.org/logo\.png\?v=1&amp;x=2" alt="\Q$NAME_HTML\E" width="(\d+)" height="\1"},
    'the logo: its URI escaped, fixed size, alt text = the name';
like $html, qr{<a href="https://app\.example\.org/"[^>]*>}, 'a link to client_uri';
like $html, qr{<a href="https://app\.example\.org/privacy"[^>]*>}, 'a link to policy_uri';
like $html, qr{<a href="https://app\.example\.org/terms"[^>]*>}, 'a link to tos_uri';
like $html, qr{app\.example\.org:8443}, 'the page shows the host the redirect URI sends the user to';
like $res->header('Content-Security-Policy') // '', qr{img-src https://cdn\.example\.org(?:;| )},
    'the CSP lets the logo (and only its origin) in';

# Values written by other tools: an http logo and links, a javascript: URI.
my $raw = add_client(redirect_uri => 'https://good.example@evil.example.net/cb');
set_info($raw->{id}, JSON->new->encode({
    client_name => 'Raw', logo_uri => 'http://cdn.example.org/logo.png',
    client_uri => 'javascript:alert(1)', policy_uri => 'http://app.example.org/privacy',
    tos_uri => 'https://app.example.org/t"s', spring_key => [1, 2, 3] }));
$res = page($raw, 'https://good.example@evil.example.net/cb');
$html = $res->content;
is $res->code, 200, 'a client with non-https metadata: the consent page';
like $html, qr{<h1>[^<]*Raw}, 'its client_name is shown';
unlike $html, qr{<img}, 'an http logo_uri is not shown';
unlike $html, qr{javascript:|http://app\.example\.org/privacy}, 'non-https links are not shown';
like $html, qr{evil\.example\.net}, 'the redirect host is the real host, not the user-info';
like $html, qr{sent to <strong>evil\.example\.net</strong>}, 'the user-info part is not shown as the host';
is $res->header('Content-Security-Policy'),
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    'no logo: the CSP lets no image in';

# No metadata: the id, as before.
my $plain = add_client(redirect_uri => 'nl.example.app:/cb', public => undef);
$res = page($plain, 'nl.example.app:/cb', code_challenge => 'A' x 43, code_challenge_method => 'S256');
like $res->content, qr{<h1>[^<]*\Q$plain->{id}\E}, 'no client_name: the page names the client_id';
like $res->content, qr{nl\.example\.app}, 'a private-use scheme: the page names the app scheme';

# --- the template variables ------------------------------------------------

Apache::TestRequest::module('apps_template');
$res = page($client, 'https://app.example.org:8443/cb');
$html = $res->content;
my %v = $html =~ m{<p id="(\w+)">(.*?)</p>}gs;
is $v{name}, $NAME_HTML, '{{client_name}}: the name, escaped';
is $v{id}, $client->{id}, '{{client_id}}: the id';
like $v{logo}, qr{^<img src="https://cdn\.example\.org/logo\.png\?v=1&amp;x=2" alt="\Q$NAME_HTML\E"},
    '{{logo}}: the img element';
is $v{logo_uri}, 'https://cdn.example.org/logo.png?v=1&amp;x=2', '{{logo_uri}}: escaped';
like $v{links}, qr{href="https://app\.example\.org/privacy"}, '{{client_links}}: the links';
is $v{client_uri}, 'https://app.example.org/', '{{client_uri}}';
is $v{policy_uri}, 'https://app.example.org/privacy', '{{policy_uri}}';
is $v{tos_uri}, 'https://app.example.org/terms', '{{tos_uri}}';
is $v{redirect_host}, 'app.example.org:8443', '{{redirect_host}}';
$res = page($raw, 'https://good.example@evil.example.net/cb');
%v = $res->content =~ m{<p id="(\w+)">(.*?)</p>}gs;
is "$v{logo}|$v{logo_uri}|$v{links}|$v{client_uri}|$v{policy_uri}", '||||',
    'non-https metadata: its variables are empty';
Apache::TestRequest::module('default');

# --- client update --------------------------------------------------------

tool(qw(client update), $raw->{id}, '--name', 'Renamed', '--policy-uri',
     'https://app.example.org/p2', '--allowed-origin', 'https://spa.example.org',
     '--allowed-origin', 'http://localhost:5173');
$info = info_of($raw->{id}) || {};
is $info->{client_name}, 'Renamed', 'client update --name';
is $info->{policy_uri}, 'https://app.example.org/p2', 'client update --policy-uri';
is_deeply $info->{allowed_origins}, ['https://spa.example.org', 'http://localhost:5173'],
    'client update --allowed-origin (repeated)';
is_deeply $info->{spring_key}, [1, 2, 3], 'client update keeps the keys it does not know';
like db_value('SELECT client_secret FROM oauth_client_details WHERE client_id = ' . sq($raw->{id})),
    qr/^\{/, 'client update leaves the secret alone';
$r = MTO::Test::tool_result(qw(client update no-such-client --name X));
is $r->{status}, 1, 'client update of an unknown client fails';

# --- malformed additional_information ------------------------------------------

my $broken = add_client(autoapprove => 'true');
set_info($broken->{id}, '{"client_name": "Broken", ');
my $mark = error_log_mark();
my $got = obtain_token(client => $broken);
ok $got->{access_token}, 'malformed additional_information: the client still gets a token';
my @lines = grep { /MTO0070:/ } error_log_since($mark);
ok @lines >= 1, 'malformed additional_information: the error log says so (MTO0070)';
like $lines[0] // '', qr/\Q$broken->{id}\E/, 'the log line names the client';

my $shown = add_client();
set_info($shown->{id}, '{"client_name": "Shown", "logo_uri": "https://cdn.example.org/x.png"');
$res = page($shown);
like $res->content, qr{<h1>[^<]*\Q$shown->{id}\E}, 'malformed: the page names the client_id (as NULL)';
unlike $res->content, qr{Shown|<img}, 'malformed: nothing of the column is shown';

for my $text ('[1,2]', '"just a string"', 'null') {
    set_info($broken->{id}, $text);
    $mark = error_log_mark();
    $res = page($broken);
    is $res->code, 302, "additional_information $text: the client works";
    is scalar(grep { /MTO0070:/ } error_log_since($mark)), 1, "additional_information $text: logged";
}

# Once per cache period where there is a cache.
set_info($broken->{id}, '{not json');
Apache::TestRequest::module('apps_cache');
$mark = error_log_mark();
my @codes = map { page($broken)->code } 1 .. 3;
is "@codes", '302 302 302', 'malformed, behind a cache: the client works every time';
is scalar(grep { /MTO0070:/ } error_log_since($mark)), 1,
    'malformed, behind a cache: one log line per cache period';
Apache::TestRequest::module('default');

done_testing;
