# MyTimetableOAuthPassToken Off on every route to a backend (README "The
# gate"): a ProxyPass … nocanon and a server-level [P,NE] rule (whose
# r->filename httpd builds from the raw URI before the gate runs), an
# ErrorDocument to an ungated CGI or proxied page after a refusal, a
# DirectoryIndex and a CGI's local Location: no backend and no error page
# sees the token, neither as Authorization nor in the query.
#
# Locations: t/conf/gate_lifecycle.conf.in; the backend is t/cgi-bin/echo.pl
# with CGIPassAuth, so an Authorization header reaching it shows.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET);
use MTO::Test;

my $client = add_client();
my $reader = add_token(client => $client->{id}, user => 'alice', scope => 'profile_read');

# What the echo saw, and whether the token is anywhere in it.
sub no_token_seen {
    my ($res, $status, $name) = @_;
    is $res->code, $status, "$name: $status" if defined $status;
    my $seen = eval { json_body($res) } || {};
    ok scalar(keys %$seen), "$name: the echo backend answered";
    my @leaks = grep { index($seen->{$_} // '', $reader) >= 0 } sort keys %$seen;
    is "@leaks", '', "$name: the backend never sees the token";
    return $seen;
}

# A status of undef: whatever the page answers (a proxied error document
# answers with its backend's status, as httpd does).
for my $case (['/lc/nocanon/sub', 'ProxyPass nocanon', 200],
              ['/lc/rewrite-proxy', 'a server-level RewriteRule [P,NE]', 200],
              ['/lc/ed-cgi', 'a refusal answered by an ErrorDocument CGI', 403],
              ['/lc/ed-proxy', 'a refusal answered by a proxied ErrorDocument', undef],
              ['/lc/dir/', 'a DirectoryIndex into the ungated echo', 200],
              ['/lc/cgi-location', 'a CGI Location: internal redirect to the echo', 200]) {
    my ($url, $what, $status) = @$case;
    my $seen = no_token_seen(GET("$url?a=1&access_token=$reader&b=2"), $status,
                             "$what, query token");
    if ($url =~ /nocanon|rewrite-proxy/) {
        is $seen->{QUERY_STRING}, 'a=1&b=2', "$what, query token: the rest of the query intact";
        is $seen->{OAUTH_USER} // $seen->{HTTP_X_OAUTH_USER}, 'alice',
            "$what, query token: the backend is told the user";
    }
    $seen = no_token_seen(GET("$url?a=1", Authorization => "Bearer $reader"), $status,
                          "$what, header token");
    ok !exists $seen->{HTTP_AUTHORIZATION}, "$what, header token: no Authorization at the backend";
    if (($status // 0) == 403) {
        like $seen->{REDIRECT_STATUS} // '', qr/^40[13]$/, "$what: the ErrorDocument ran";
    }
}

done_testing;
