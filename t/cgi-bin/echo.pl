#!/usr/bin/perl
# The test backend: reports, as JSON, what reached it (CGI variables and
# request headers), so that tests can see what the gate passed on.
use strict;
use warnings;
use JSON::PP ();

my %env = map { $_ => $ENV{$_} }
    grep { /^(HTTP_|OAUTH_|MYTIMETABLE_|REMOTE_USER$|AUTH_TYPE$|QUERY_STRING$|REQUEST_URI$|REDIRECT_)/ } keys %ENV;
print "Content-Type: application/json\r\n\r\n";
print JSON::PP->new->canonical->encode(\%env);
