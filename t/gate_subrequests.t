# Sub-requests behind the gate (docs/gate.md, "Sub-requests and internal
# redirects"): an SSI page full of `-A` access checks and `#include virtual`
# into gated, ungated and RequireApiToken Locations gets the right decision
# for each, none of them changes another's, and nothing crashes (the denial
# data of a sub-request once outlived its pool: a SIGSEGV).
#
# Locations: t/conf/gate_lifecycle.conf.in; the page is
# t/htdocs/gate_lifecycle/page.shtml.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET);
use JSON ();
use MTO::Test;

my $client = add_client();
my $reader = add_token(client => $client->{id}, user => 'alice', scope => 'profile_read');
my $api = add_api_token(name => "subreq-api-$$");
my $mark = error_log_mark();

# The page's answers: name=yes|no for the -A checks, NAME=<output> for the
# includes (the echo's JSON, or mod_include's error message).
sub page {
    my ($res) = @_;
    my %v;
    for my $line (split /\n/, $res->content) {
        $v{$1} = $2 if $line =~ /^(\w+)=(.*)$/;
    }
    $v{END} = 1 if $res->content =~ /^END$/m;
    return \%v;
}

sub echo_of {
    my ($text) = @_;
    return eval { JSON->new->decode($text // '') } || {};
}

sub checks_as_expected {
    my ($v, $name, %want) = @_;
    ok $v->{END}, "$name: the whole page was served";
    is_deeply [map { $v->{"write$_"} } 1 .. 12], [('no') x 12],
        "$name: every -A into a Location needing a scope the token lacks is no";
    is_deeply [map { $v->{"read$_"} } 1 .. 4, 'last'], [('yes') x 5],
        "$name: every -A into a Location the token may use is yes, before and after the denials";
    is $v->{needapi}, $want{needapi}, "$name: -A into the RequireApiToken Location is $want{needapi}";
    is echo_of($v->{READ})->{OAUTH_USER}, 'alice',
        "$name: include virtual into a gated Location runs as the token's user";
    like $v->{WRITE}, qr/error occurred/, "$name: include virtual into a Location needing another scope is refused";
}

for my $page ('/lc/ssi/page.shtml', '/lc-open/ssi/page.shtml') {
    my $gated = $page =~ m{^/lc/};
    my $name = ($gated ? 'gated' : 'ungated') . ' SSI page with many sub-requests';

    my $res = GET($page, Authorization => "Bearer $reader");
    is $res->code, 200, "$name: 200";
    my $v = page($res);
    checks_as_expected($v, $name, needapi => 'no');
    like $v->{NEEDAPI}, qr/error occurred/,
        "$name: include virtual into RequireApiToken without an apiToken is refused";
    ok !exists echo_of($v->{OPEN})->{HTTP_AUTHORIZATION},
        "$name: include virtual into an ungated echo: no Authorization (PassToken Off)"
        if $gated;

    $res = GET($page, Authorization => "Bearer $reader", apiToken => $api);
    is $res->code, 200, "$name, with an apiToken: 200";
    $v = page($res);
    checks_as_expected($v, "$name, with an apiToken", needapi => 'yes');
    is echo_of($v->{NEEDAPI})->{MYTIMETABLE_API_TOKEN}, "subreq-api-$$",
        "$name, with an apiToken: include virtual into RequireApiToken sees the API token";

    $res = GET("$page?x=1&access_token=$reader");
    is $res->code, 200, "$name, query token: 200";
    $v = page($res);
    checks_as_expected($v, "$name, query token", needapi => 'no');
    unlike $res->content, qr/\Q$reader\E/,
        "$name, query token: no included backend sees the token" if $gated;
}

# Many times over: a dangling pointer shows up sooner or later.
my @codes = map { GET('/lc/ssi/page.shtml', Authorization => "Bearer $reader")->code } 1 .. 20;
is "@codes", join(' ', ('200') x 20), 'the gated SSI page twenty times: 200 each time';

my @crashes = grep { /exit signal|Segmentation fault|AddressSanitizer|child pid \d+ exit/ }
    error_log_since($mark);
is_deeply \@crashes, [], 'no child crashed (no "exit signal" or "Segmentation fault" in the error log)';

done_testing;
