# authentication_required (api_tokens column, docs/gate.md): an API token
# that says so needs a valid OAuth access token beside it, looked up for real,
# whatever the Require lines are: Require all granted with RequireApiToken On
# (with and without AuthType mytimetable-oauth), Require api-token, Require
# oauth-scope, <RequireAll>, <RequireAny>; and with an elevated token acting
# for a user (requestedAuth).
#
# Locations: t/conf/gate_lifecycle.conf.in.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET);
use MTO::Test;

my $client = add_client();
my $oauth = add_token(client => $client->{id}, user => 'alice', scope => 'profile_read');
my $plain = add_api_token(name => "ar-plain-$$", authentication_required => 'true');
my $elevated = add_api_token(name => "ar-elevated-$$", is_elevated => 'true',
                             authentication_required => 'true');
my $garbage = 'ar-garbage-' . join '', map { ('a' .. 'z')[rand 26] } 1 .. 24;

my @urls = qw(/lc/ar/all-granted /lc/ar/api-token /lc/ar/scope /lc/ar/all-of /lc/ar/any-of
              /lc-ar-no-authtype);

for my $url (@urls) {
    for my $case (['authentication_required API token', [apiToken => $plain]],
                  ['elevated authentication_required API token with requestedAuth',
                   [apiToken => $elevated, requestedAuth => 'bob']]) {
        my ($what, $cred) = @$case;
        my $name = "$url, $what";

        my $res = GET($url, @$cred);
        is $res->code, 401, "$name, no access token: 401";
        my $c = eval { bearer_challenge($res) } || {};
        is $c->{scheme}, 'Bearer', "$name, no access token: a Bearer challenge";
        ok !exists $c->{error}, "$name, no access token: no error code (RFC 6750 §3.1)";

        $res = GET($url, @$cred, Authorization => "Bearer $garbage");
        is $res->code, 401, "$name, an unknown access token: 401";
        is +(eval { bearer_challenge($res) } || {})->{error}, 'invalid_token',
            "$name, an unknown access token: error=\"invalid_token\" (looked up)";

        $res = GET($url, @$cred, Authorization => "Bearer $oauth");
        is $res->code, 200, "$name, with a valid access token: 200";
        my $seen = eval { json_body($res) } || {};
        is $seen->{OAUTH_USER}, ($what =~ /requestedAuth/ ? 'bob' : 'alice'),
            "$name, with a valid access token: the right user";
    }
}

done_testing;
