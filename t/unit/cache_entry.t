#!/usr/bin/perl
# Runs the C unit tests for cache entries (rows as the cache keeps them); they print TAP themselves.
use strict; use warnings; use FindBin;
my $bin = "$FindBin::Bin/test_cache_entry";
exec $bin or do { print "1..0 # SKIP $bin not built\n"; exit 1 };
