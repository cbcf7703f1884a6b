#!/usr/bin/perl
# A CGI that answers with a local Location: httpd redirects internally to
# the echo backend (t/conf/gate_lifecycle.conf.in).
use strict;
use warnings;
print "Location: /lc-echo\r\n\r\n";
