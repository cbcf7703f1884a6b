#!/usr/bin/perl
# Runs the C unit tests for the cache's rules (database fingerprints, the order of writes around a revocation); they print TAP themselves.
use strict; use warnings; use FindBin;
my $bin = "$FindBin::Bin/test_cache_rules";
exec $bin or do { print "1..0 # SKIP $bin not built\n"; exit 1 };
