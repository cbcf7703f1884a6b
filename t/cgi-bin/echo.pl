#!/usr/bin/perl
# The test backend: reports, as JSON, what reached it (CGI variables and
# request headers), so that tests can see what the gate passed on, or what
# another module in front of it did (mod_oauth2's OAUTH2_CLAIM_*,
# mod_auth_openidc's OIDC_*: t/rs_mod_oauth2.t, t/rs_mod_auth_openidc.t).
use strict;
use warnings;
use JSON::PP ();

my %env = map { $_ => $ENV{$_} }
    grep { /^(HTTP_|OAUTH_|OAUTH2_CLAIM_|OIDC_|MYTIMETABLE_|REMOTE_USER$|AUTH_TYPE$|QUERY_STRING$|REQUEST_URI$|REDIRECT_)/ } keys %ENV;
print "Content-Type: application/json\r\n\r\n";
print JSON::PP->new->canonical->encode(\%env);
