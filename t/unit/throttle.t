#!/usr/bin/perl
# Runs the C unit tests for the failure counts of the client authentication limit; they print TAP themselves.
use strict; use warnings; use FindBin;
my $bin = "$FindBin::Bin/test_throttle";
exec $bin or do { print "1..0 # SKIP $bin not built\n"; exit 1 };
