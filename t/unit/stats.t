#!/usr/bin/perl
# Runs the C unit tests for the status page's counters and their Prometheus text; they print TAP themselves.
use strict; use warnings; use FindBin;
my $bin = "$FindBin::Bin/test_stats";
exec $bin or do { print "1..0 # SKIP $bin not built\n"; exit 1 };
