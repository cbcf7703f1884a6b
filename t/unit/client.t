#!/usr/bin/perl
# Runs the C unit tests for the client rules (public clients, redirect URIs, origins); they print TAP themselves.
use strict; use warnings; use FindBin;
my $bin = "$FindBin::Bin/test_client";
exec $bin or do { print "1..0 # SKIP $bin not built\n"; exit 1 };
