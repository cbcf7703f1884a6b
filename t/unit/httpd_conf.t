#!/usr/bin/perl
# Runs the C unit tests of the admin tool's reading of an httpd configuration (-f): Include, Define, virtual hosts; they print TAP themselves.
use strict; use warnings; use FindBin;
my $bin = "$FindBin::Bin/test_httpd_conf";
exec $bin or do { print "1..0 # SKIP $bin not built\n"; exit 1 };
