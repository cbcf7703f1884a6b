# The consent step of the authorization endpoint (docs/endpoints.md "Authorize"): the
# consent page, its CSRF token, Approve/Deny, remembered approvals,
# autoapprove, MyTimetableOAuthApprovalLifetime 0 and
# MyTimetableOAuthConsentTemplate.  Virtual hosts: t/conf/consent.conf.in.
#
# Not tested: a CSRF token that expired on its own.  Its lifetime (15 min)
# is fixed and its time is inside the HMAC, so only waiting 15 minutes would
# make one; a token whose time was moved back is tested (and refused) instead.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use MTO::Test;

use Digest::SHA qw(sha256_hex);

my $CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";
my $APPROVAL_LIFETIME = 2592000;        # the default (README "Directive reference")
my %ODD = (user => q{<i>"eve'&}, pw => 'eve-pw', html => '&lt;i&gt;&quot;eve&#39;&amp;');
# The description of profile_read in the consent_* virtual hosts, escaped.
my $DESC_HTML = '&lt;script&gt;alert(&#39;desc&#39;)&lt;/script&gt; &quot;quoted&quot; &amp; more';
my @issued;                             # every code seen: none may reach a log

# ------------------------------------------------------------------ helpers

sub sq { (my $s = shift) =~ s/'/''/g; "'$s'" }

sub code_count { db_value('SELECT COUNT(*) FROM mto_code') }

# Columns of the stored code: it is looked up by its SHA-256, as stored.
sub code_row {
    my ($code, @columns) = @_;
    my ($row) = db_sql('SELECT ' . join(', ', @columns) . ' FROM mto_code WHERE code_hash = '
                       . sq(sha256_hex($code // '')));
    return $row;
}

sub approvals {
    my ($user, $client_id) = @_;
    return join ' ', sort map { $_->[0] } db_sql('SELECT scope FROM mto_approval WHERE user_name = '
        . sq($user) . ' AND client_id = ' . sq($client_id));
}

sub issuer { 'http://' . Apache::TestRequest::hostport() }

# One scope of the page's list (README: the {{scope_items}} placeholder).
sub scope_li {
    my ($description_html, $name_html) = @_;
    return qq{<li><span class="scope">$description_html</span> <small>($name_html)</small></li>};
}

# The authorize URL; its query string is what the CSRF token is bound to.
sub az_url {
    my ($client_id, %o) = @_;
    my $path = delete $o{path} // '/oauth/authorize';
    return authorize_url($path, response_type => 'code', client_id => $client_id,
                         redirect_uri => 'http://localhost/cb',
                         map { defined $o{$_} ? ($_ => $o{$_}) : () } qw(scope state));
}

sub pw_of { $_[0] eq $ODD{user} ? $ODD{pw} : $USERS{ $_[0] } }

sub creds { basic_header($_[0], pw_of($_[0])) }

sub show {
    my ($url, $user) = @_;
    return GET $url, creds($user // 'alice'), redirect_ok => 0;
}

sub decide {
    my ($res, $approve, $url, $user) = @_;
    $user //= 'alice';
    return approve_consent($res, $approve, $user, pw_of($user), $url);
}

sub post_fields {
    my ($url, $user, @fields) = @_;
    return POST $url, \@fields, creds($user), redirect_ok => 0;
}

sub csrf_of {
    my ($res) = @_;
    my $form = consent_form($res) or return;
    my %f = @{ $form->{fields} };
    return $f{csrf_token};
}

# A consent page (200, no redirect) was shown.
sub is_page {
    my ($res, $name) = @_;
    ok $res->code == 200 && !defined $res->header('Location') && defined csrf_of($res),
        "$name: the consent page (200 with its form), no redirect";
}

# A redirect to the client with a fresh code; returns its parameters.
sub is_code {
    my ($res, $status, $name, $state) = @_;
    is $res->code, $status, "$name: $status";
    like $res->header('Location') // '', qr{^http://localhost/cb\?}, "$name: back to the redirect_uri";
    my $p = eval { location_params($res) } || {};
    like $p->{code} // '', qr/^[A-Za-z0-9_-]{32}$/, "$name: with a code (192 bits, base64url)";
    is $p->{state}, $state, "$name: with the state";
    is $p->{iss}, issuer(), "$name: with iss";
    ok !exists $p->{error}, "$name: and no error";
    push @issued, $p->{code} if defined $p->{code};
    return $p;
}

# The CSRF check refused the POST: an HTML page, no redirect, no code.
sub is_refused {
    my ($res, $codes_before, $name) = @_;
    is $res->code, 400, "$name: 400";
    ok !defined $res->header('Location'), "$name: no redirect";
    like $res->content, qr{<title>Consent form expired</title>}, "$name: the 'Consent form expired' page";
    is code_count(), $codes_before, "$name: no code issued";
}

# ------------------------------------------------- the page (built-in)

my $client = add_client(scope => 'profile_read,alltimetables,messages_read');
my $url = az_url($client->{id}, scope => 'profile_read alltimetables', state => 'st-1');
my $codes = code_count();
my $res = show($url);
is $res->code, 200, 'GET from a user who never approved: 200';
like $res->header('Content-Type') // '', qr{^text/html;\s*charset=UTF-8$}i, 'the page is text/html; charset=UTF-8';
is $res->header('Cache-Control'), 'no-store', 'the page: Cache-Control: no-store';
is $res->header('Pragma'), 'no-cache', 'the page: Pragma: no-cache';
is $res->header('X-Frame-Options'), 'DENY', 'the page may not be framed: X-Frame-Options: DENY';
is $res->header('Referrer-Policy'), 'no-referrer', 'the page sends no Referer onwards: Referrer-Policy: no-referrer';
ok !defined GET($url, creds('alice'), Origin => 'https://elsewhere.example', redirect_ok => 0)
    ->header('Access-Control-Allow-Origin'),
    'the authorize endpoint allows no cross-origin reads: no Access-Control-Allow-Origin';
is $res->header('Content-Security-Policy'), $CSP,
    "the page may not be framed: CSP frame-ancestors 'none' (and no scripts)";
is code_count(), $codes, 'showing the page issues no code';
is approvals(alice => $client->{id}), '', 'showing the page stores no approval';

my $html = $res->content;
my $form = consent_form($res);
is $form->{method}, 'POST', 'the page has a <form method="post">';
is $form->{action}, $url, 'the form posts back to the very authorize URL, query string included';
my %hidden = @{ $form->{fields} };
is_deeply [sort keys %hidden], ['csrf_token'], 'the only hidden field is csrf_token';
like $hidden{csrf_token}, qr/^\d+\.[0-9a-f]{64}$/, 'csrf_token is <time>.<HMAC-SHA256>';
my ($time) = $hidden{csrf_token} =~ /^(\d+)\./;
ok abs($time - time) < 60, 'the CSRF token carries the current time';
my @buttons = $html =~ m{<button\b([^>]*)>}g;
is_deeply [sort map { /\bname="user_oauth_approval"/ && /\bvalue="(\w+)"/ ? $1 : 'other' } @buttons],
    ['false', 'true'], 'two submit buttons: user_oauth_approval=true and =false';
is scalar(grep { /\btype="submit"/ } @buttons), 2, 'both buttons submit the form';
like $html, qr{>Approve</button>}, 'the approve button says Approve';
like $html, qr{>Deny</button>}, 'the deny button says Deny';
unlike $html, qr{<script|\bon\w+=}i, 'no JavaScript: the form works without it';
like $html, qr{<strong>\Q$client->{id}\E</strong>}, 'the page names the client';
like $html, qr{Signed in as <strong>alice</strong>}, 'the page names the user';
like $html, qr{\Q@{[scope_li('read user subscriptions and user timetable', 'profile_read')]}\E},
    'profile_read is listed with its description';
like $html, qr{\Q@{[scope_li('read any timetables the user has access to', 'alltimetables')]}\E},
    'alltimetables is listed with its description';
is scalar(() = $html =~ /<li>/g), 2, 'only the requested scopes are listed';
unlike $html, qr{messages_read}, 'a scope the client has but did not request is not listed';

# ------------------------------------------------- Approve and Deny

my $t0 = time;
my $res2 = decide($res, 1, $url);
my $got = is_code($res2, 303, 'Approve', 'st-1');
is $res2->header('Cache-Control'), 'no-store', 'Approve: the redirect is not cached';
is $res2->header('Referrer-Policy'), 'no-referrer', 'Approve: the redirect sends no Referer to the client';
is code_count(), $codes + 1, 'Approve: exactly one code stored';
is_deeply code_row($got->{code}, qw(client_id user_name scope redirect_uri)),
    [$client->{id}, 'alice', 'profile_read alltimetables', 'http://localhost/cb'],
    'Approve: the code is stored hashed, for this client, user, scope and redirect_uri';
is approvals(alice => $client->{id}), 'alltimetables profile_read', 'Approve: each approved scope is remembered';
my @exp = map { $_->[0] } db_sql('SELECT expires_at FROM mto_approval WHERE user_name = '
                                 . q{'alice' AND client_id = } . sq($client->{id}));
ok @exp == 2 && !grep({ $_ < $t0 + $APPROVAL_LIFETIME || $_ > time + $APPROVAL_LIFETIME } @exp),
    'Approve: remembered for MyTimetableOAuthApprovalLifetime (30 days by default)';

my $denier = add_client(scope => 'profile_read');
my $durl = az_url($denier->{id}, state => 'st-deny');
$res = show($durl);
is_page($res, 'Deny: first');
$codes = code_count();
$res2 = decide($res, 0, $durl);
is $res2->code, 303, 'Deny: 303 See Other';
like $res2->header('Location') // '', qr{^http://localhost/cb\?}, 'Deny: back to the redirect_uri';
my $p = eval { location_params($res2) } || {};
is $p->{error}, 'access_denied', 'Deny: error=access_denied';
is $p->{state}, 'st-deny', 'Deny: with the state';
is $p->{iss}, issuer(), 'Deny: with iss';
ok !exists $p->{code}, 'Deny: no code in the redirect';
is code_count(), $codes, 'Deny: no code stored';
is approvals(alice => $denier->{id}), '', 'Deny: nothing remembered';
is_page(show($durl), 'after Deny, the next request');

# ------------------------------------------------- HTML escaping

# Ids the admin tool refuses can still be in an existing MyTimetable database.
my $evil_id = qq{<script>alert("id")</script>'&{{user}}-$$};
my $evil_id_html = qq{&lt;script&gt;alert(&quot;id&quot;)&lt;/script&gt;&#39;&amp;{{user}}-$$};
my $odd_scope = q{q<z>&'y};                 # RFC 6749 NQCHARs, no description anywhere
my $odd_scope_html = scope_li(('q&lt;z&gt;&amp;&#39;y') x 2);
db_sql('INSERT INTO oauth_client_details (client_id, client_secret, scope, authorized_grant_types, '
       . 'web_server_redirect_uri) VALUES (' . join(', ', map { sq($_) } $evil_id, '{noop}evil',
       "profile_read,$odd_scope", 'authorization_code', 'http://localhost/cb') . ')');
my $eurl = az_url($evil_id, scope => "profile_read $odd_scope", state => q{"'<st>});
$res = show($eurl);
is $res->code, 200, 'a client id with markup and quotes: consent page';
$html = $res->content;
like $html, qr{<title>Authorize \Q$evil_id_html\E</title>}, 'the client id is HTML-escaped in the title';
like $html, qr{<strong>\Q$evil_id_html\E</strong>}, 'the client id is HTML-escaped in the text';
like $html, qr{\Q$odd_scope_html\E}, 'a scope without description is listed by its name, HTML-escaped';
unlike $html, qr{<script|<z>|alert\("}, 'nothing of the client id or scope name comes through as markup';
is consent_form($res)->{action}, $eurl, 'the form action survives escaping intact';
$got = is_code(decide($res, 1, $eurl), 303, 'approving for that client', q{"'<st>});
is_deeply code_row($got->{code}, qw(client_id scope)), [$evil_id, "profile_read $odd_scope"],
    'the code belongs to that client, with its odd scope';

my $ourl = az_url($client->{id}, path => '/consent-odd/authorize', scope => 'profile_read');
$res = show($ourl, $ODD{user});
like $res->content, qr{Signed in as <strong>\Q$ODD{html}\E</strong>}, 'a user name with markup is HTML-escaped';
is_code(decide($res, 1, $ourl, $ODD{user}), 303, 'that user approves', undef);
is approvals($ODD{user}, $client->{id}), 'profile_read', 'the approval is stored under that exact user name';

# consent_scopes lists profile_read with a description of the admin's (markup
# and quotes), the evil client may ask for profile_read and the odd scope.
{
    local $Apache::TestRequest::Module = 'consent_scopes';
    $res = show(az_url($evil_id, scope => "profile_read $odd_scope"), 'bob');
    is $res->code, 200, 'MyTimetableOAuthScope descriptions: consent page';
    $html = $res->content;
    like $html, qr{\Q@{[scope_li($DESC_HTML, 'profile_read')]}\E},
        'the description from MyTimetableOAuthScope is shown, HTML-escaped';
    unlike $html, qr{read user subscriptions}, 'MyTimetableOAuthScope replaces the built-in description';
    unlike $html, qr{<script}, 'no markup from the description comes through';
}

# ------------------------------------------------- the CSRF token

my $guarded = add_client(scope => 'profile_read,alltimetables');
my $other = add_client(scope => 'profile_read,alltimetables');
my $gurl = az_url($guarded->{id}, scope => 'profile_read', state => 'st-csrf');
$res = show($gurl);
my $token = csrf_of($res);
like $token // '', qr/^(\d+)\.[0-9a-f]{64}$/, 'CSRF: alice gets a token';
my ($ts, $mac) = split /\./, $token // '0.x';
(my $flipped = $mac) =~ s/(.)$/$1 eq '0' ? '1' : '0'/e;
my $bob_token = csrf_of(show($gurl, 'bob'));
$codes = code_count();

is_refused(post_fields($gurl, alice => user_oauth_approval => 'true'), $codes, 'CSRF: no token');
is_refused(post_fields($gurl, alice => csrf_token => '', user_oauth_approval => 'true'), $codes,
           'CSRF: an empty token');
is_refused(post_fields($gurl, alice => csrf_token => 'not-a-token', user_oauth_approval => 'true'), $codes,
           'CSRF: a token of the wrong form');
is_refused(post_fields($gurl, alice => csrf_token => "$ts.$flipped", user_oauth_approval => 'true'), $codes,
           'CSRF: a token with one character of its HMAC changed');
is_refused(post_fields($gurl, alice => csrf_token => ($ts - 1000) . ".$mac", user_oauth_approval => 'true'),
           $codes, 'CSRF: a token whose time was moved back (an old token cannot be made)');
is_refused(post_fields($gurl, alice => csrf_token => ($ts + 1000) . ".$mac", user_oauth_approval => 'true'),
           $codes, 'CSRF: a token from the future');
is_refused(post_fields($gurl, alice => csrf_token => $token, csrf_token => $token,
                       user_oauth_approval => 'true'), $codes, 'CSRF: the token given twice');
is_refused(post_fields($gurl, bob => csrf_token => $token, user_oauth_approval => 'true'), $codes,
           "CSRF: bob posting alice's token");
is_refused(post_fields($gurl, alice => csrf_token => $bob_token, user_oauth_approval => 'true'), $codes,
           "CSRF: alice posting bob's token");
is_refused(post_fields(az_url($guarded->{id}, scope => 'profile_read alltimetables', state => 'st-csrf'),
                       alice => csrf_token => $token, user_oauth_approval => 'true'), $codes,
           'CSRF: the token posted to a request for a wider scope');
is_refused(post_fields(az_url($guarded->{id}, scope => 'profile_read', state => 'other'),
                       alice => csrf_token => $token, user_oauth_approval => 'true'), $codes,
           'CSRF: the token posted to a request with another state');
is_refused(post_fields(az_url($other->{id}, scope => 'profile_read', state => 'st-csrf'),
                       alice => csrf_token => $token, user_oauth_approval => 'true'), $codes,
           'CSRF: the token posted to a request of another client');
is approvals(alice => $guarded->{id}), '', 'CSRF: no refused POST stored an approval';
is approvals(alice => $other->{id}), '', 'CSRF: nor for the other client';

# ------------------------------------------------- no code without a valid form

is_refused(POST($gurl, creds('alice'), 'Content-Type' => 'application/x-www-form-urlencoded',
                Content => '', redirect_ok => 0), $codes, 'POST with an empty body');
is_refused(POST($gurl, creds('alice'), 'Content-Type' => 'application/json',
                Content => qq({"csrf_token":"$token","user_oauth_approval":"true"}), redirect_ok => 0),
           $codes, 'POST with a JSON body');
is_refused(POST($gurl, creds('alice'), 'Content-Type' => 'text/plain',
                Content => "csrf_token=$token&user_oauth_approval=true", redirect_ok => 0),
           $codes, 'POST with a form in a text/plain body');
is_refused(POST($gurl, creds('alice'), Content_Type => 'form-data',
                Content => [csrf_token => $token, user_oauth_approval => 'true'], redirect_ok => 0),
           $codes, 'POST with multipart/form-data');
is_refused(POST($gurl, creds('alice'), 'Content-Type' => 'application/x-www-form-urlencoded',
                Content => "csrf_token=$token&user_oauth_approval=%zz", redirect_ok => 0),
           $codes, 'POST with an undecodable form');
# The next two put the token in the URL, as a careless client might: the
# access log's request line then holds it (the module guards only
# access_token there).
logged_on_purpose('the test sends this CSRF token in the authorize URL', $token);
is_refused(POST("$gurl&" . join('&', "csrf_token=$token", 'user_oauth_approval=true'), creds('alice'),
                'Content-Type' => 'application/x-www-form-urlencoded', Content => '', redirect_ok => 0),
           $codes, 'POST with the token and decision in the query string');

for my $case (['no decision', []], ['user_oauth_approval=yes', [user_oauth_approval => 'yes']],
              ['the decision given twice', [user_oauth_approval => 'true', user_oauth_approval => 'true']]) {
    my ($what, $fields) = @$case;
    $res = post_fields($gurl, alice => csrf_token => $token, @$fields);
    is $res->code, 303, "valid token, $what: 303";
    $p = eval { location_params($res) } || {};
    ok +($p->{error} // '') eq 'invalid_request' && !exists $p->{code},
        "valid token, $what: error=invalid_request, no code";
    is code_count(), $codes, "valid token, $what: no code stored";
}

$res = show(az_url($guarded->{id}, scope => 'profile_read', state => 'st-csrf')
            . "&user_oauth_approval=true&csrf_token=$token");
is_page($res, 'GET with user_oauth_approval=true and a token in the query');
is code_count(), $codes, 'GET with user_oauth_approval=true: no code stored';
is approvals(alice => $guarded->{id}), '', 'GET with user_oauth_approval=true: no approval stored';

# The same token, untouched, still works: the refusals above were its doing.
is_code(post_fields($gurl, alice => csrf_token => $token, user_oauth_approval => 'true'), 303,
        'CSRF: the genuine token, posted by alice to its request', 'st-csrf');
is code_count(), $codes + 1, 'CSRF: the genuine token gives one code';

# ------------------------------------------------- remembered approvals

my $mem = add_client(scope => 'profile_read,alltimetables,messages_read');
my %murl = map { $_ => az_url($mem->{id}, scope => $_, state => 'st-mem') }
    'profile_read', 'profile_read alltimetables', 'profile_read alltimetables messages_read';
$res = show($murl{'profile_read alltimetables'});
is_page($res, 'remembered: before any approval');
is_code(decide($res, 1, $murl{'profile_read alltimetables'}), 303, 'remembered: alice approves', 'st-mem');
$codes = code_count();
is_code(show($murl{'profile_read alltimetables'}), 302, 'remembered: the same scope again skips the page', 'st-mem');
is_code(show($murl{profile_read}), 302, 'remembered: a narrower scope skips the page', 'st-mem');
is code_count(), $codes + 2, 'remembered: each skipped page still issues its own code';
is_page(show($murl{'profile_read alltimetables messages_read'}), 'remembered: a wider scope');
is_page(show(az_url($mem->{id}, state => 'st-mem')), 'remembered: no scope (all of the client\'s, wider)');
is_page(show($murl{profile_read}, 'bob'), 'remembered: not shared between users (bob)');
is approvals(bob => $mem->{id}), '', 'remembered: bob has no approval of alice\'s';

my $past = time - 10;
db_sql("UPDATE mto_approval SET expires_at = $past WHERE user_name = 'alice' AND client_id = "
       . sq($mem->{id}) . q{ AND scope = 'alltimetables'});
is_code(show($murl{profile_read}), 302, 'remembered: one scope expired, the other still skips the page', 'st-mem');
is_page(show($murl{'profile_read alltimetables'}), 'remembered: a request including the expired scope');
db_sql("UPDATE mto_approval SET expires_at = $past WHERE user_name = 'alice' AND client_id = " . sq($mem->{id}));
$res = show($murl{profile_read});
is_page($res, 'remembered: every approval expired');
is_code(decide($res, 1, $murl{profile_read}), 303, 'remembered: alice approves again', 'st-mem');
ok db_value(q{SELECT expires_at FROM mto_approval WHERE user_name = 'alice' AND scope = 'profile_read' }
            . 'AND client_id = ' . sq($mem->{id})) >= time - 5 + $APPROVAL_LIFETIME,
    'remembered: approving again renews the expired approval';
is_code(show($murl{profile_read}), 302, 'remembered: after renewal the page is skipped again', 'st-mem');

# ------------------------------------------------- MyTimetableOAuthApprovalLifetime 0

{
    local $Apache::TestRequest::Module = 'consent_nomemory';
    my $nm = add_client(scope => 'profile_read');
    my $nurl = az_url($nm->{id}, state => 'st-nm');
    $res = show($nurl);
    is_page($res, 'ApprovalLifetime 0: first request');
    is_code(decide($res, 1, $nurl), 303, 'ApprovalLifetime 0: Approve', 'st-nm');
    is approvals(alice => $nm->{id}), '', 'ApprovalLifetime 0: nothing is stored';
    is_page(show($nurl), 'ApprovalLifetime 0: the same request again');
    is_page(show($murl{profile_read}), 'ApprovalLifetime 0: an approval stored elsewhere is not used either');
}

# ------------------------------------------------- autoapprove

my $auto = add_client(scope => 'profile_read,alltimetables', autoapprove => 'true');
$codes = code_count();
is_code(show(az_url($auto->{id}, state => 'st-auto')), 302, 'autoapprove=true: no page for alice', 'st-auto');
is_code(show(az_url($auto->{id}, scope => 'alltimetables', state => 'st-auto'), 'bob'), 302,
        'autoapprove=true: no page for bob', 'st-auto');
is code_count(), $codes + 2, 'autoapprove=true: a code each';
is approvals(alice => $auto->{id}), '', 'autoapprove=true: no approval stored';
db_sql(q{UPDATE oauth_client_details SET autoapprove = 'TRUE' WHERE client_id = } . sq($auto->{id}));
is_code(show(az_url($auto->{id}, state => 'st-auto')), 302, 'autoapprove=TRUE (any case): no page', 'st-auto');

my $some = add_client(autoapprove => 'profile_read,alltimetables');     # all six scopes allowed
is_code(show(az_url($some->{id}, scope => 'profile_read', state => 'st-some')), 302,
        'autoapprove list: one listed scope, no page', 'st-some');
is_code(show(az_url($some->{id}, scope => 'alltimetables profile_read', state => 'st-some')), 302,
        'autoapprove list: every listed scope, no page', 'st-some');
is_page(show(az_url($some->{id}, scope => 'profile_read messages_read', state => 'st-some')),
        'autoapprove list: a scope outside the list');
is_page(show(az_url($some->{id}, state => 'st-some')), 'autoapprove list: no scope (all six)');
my $never = add_client(scope => 'profile_read', autoapprove => 'false');
is_page(show(az_url($never->{id})), 'autoapprove=false');

# ------------------------------------------------- MyTimetableOAuthConsentTemplate

{
    local $Apache::TestRequest::Module = 'consent_template';
    my $tc = add_client(scope => 'profile_read,alltimetables');
    my $turl = az_url($tc->{id}, scope => 'profile_read alltimetables', state => 'st-tpl');
    $res = show($turl);
    is $res->code, 200, 'template: consent page';
    $html = $res->content;
    like $html, qr{<h1 id="custom-consent">Custom consent page</h1>}, 'template: the admin\'s page is served';
    unlike $html, qr{asks for permission to}, 'template: instead of the built-in page';
    is $res->header('Cache-Control'), 'no-store', 'template: Cache-Control: no-store';
    is $res->header('X-Frame-Options'), 'DENY', 'template: X-Frame-Options: DENY';
    is $res->header('Content-Security-Policy'), $CSP, 'template: the same CSP';
    like $html, qr{<p>Client: \[\Q$tc->{id}\E\]</p>}, 'template: {{client_id}}';
    like $html, qr{<p>User: \[alice\]</p>}, 'template: {{user}}';
    like $html, qr{<p>Scope: \[profile_read alltimetables\]</p>}, 'template: {{scope}}';
    like $html, qr{<p>Unknown: \[\]</p>}, 'template: an unknown placeholder becomes empty';
    like $html, qr{\Q@{[scope_li('every timetable you can see', 'alltimetables')]}\E},
        'template: {{scope_items}} with the MyTimetableOAuthScope description';
    $form = consent_form($res);
    is $form->{action}, $turl, 'template: {{action}} is the authorize URL';
    like { @{ $form->{fields} } }->{csrf_token} // '', qr/^\d+\.[0-9a-f]{64}$/, 'template: {{csrf_token}}';

    $got = is_code(decide($res, 1, $turl), 303, 'template: Approve', 'st-tpl');
    my $tok = POST('/oauth/token', [grant_type => 'authorization_code', code => $got->{code} // '',
                                    redirect_uri => 'http://localhost/cb', client_id => $tc->{id},
                                    client_secret => $tc->{secret}]);
    is $tok->code, 200, 'template: the code works at the token endpoint';
    is eval { json_body($tok)->{scope} }, 'profile_read alltimetables', 'template: for the approved scope';
    my $deny_url = az_url($tc->{id}, scope => 'alltimetables', state => 'st-tpl');
    $p = eval { location_params(decide(show($deny_url, 'bob'), 0, $deny_url, 'bob')) } || {};
    ok +($p->{error} // '') eq 'access_denied' && !exists $p->{code}, 'template: Deny';

    $res = show(az_url($evil_id, scope => "profile_read $odd_scope", path => '/consent-odd/authorize'),
                $ODD{user});
    $html = $res->content;
    like $html, qr{<p>Client: \[\Q$evil_id_html\E\]</p>}, 'template: {{client_id}} is HTML-escaped';
    like $html, qr{<p>User: \[\Q$ODD{html}\E\]</p>}, 'template: {{user}} is HTML-escaped';
    like $html, qr{<p>Scope: \[profile_read q&lt;z&gt;&amp;&#39;y\]</p>}, 'template: {{scope}} is HTML-escaped';
    like $html, qr{\Q@{[scope_li($DESC_HTML, 'profile_read')]}\E\n\Q$odd_scope_html\E},
        'template: {{scope_items}} is HTML-escaped';
    unlike $html, qr{<script}, 'template: no markup comes through';
    like $html, qr{<p>Client: \[[^\]]*\Q{{user}}-$$\E\]</p>}, 'template: a placeholder inside a value is not expanded';
}

# ------------------------------------------------- logs

# (The CSRF token is in the access log: some requests above put it in the
# query string on purpose.)
my @leaks = grep { log_grep($_) } @issued;
is scalar(@leaks), 0, 'no issued code appears in any log';
cmp_ok scalar(@issued), '>=', 15, 'the codes checked for leaks were collected';

done_testing();
