#!/usr/bin/perl
# Runs the C unit tests for Accept-Language and the built-in texts; they print TAP themselves.
use strict; use warnings; use FindBin;
my $bin = "$FindBin::Bin/test_lang";
exec $bin or do { print "1..0 # SKIP $bin not built\n"; exit 1 };
