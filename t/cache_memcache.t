# A cache shared by several front-end servers (README, "Caching and revocation"), with
# memcached: two virtual hosts on one memcached that this test starts on
# loopback (t/conf/cache_memcache.conf.in, t/lib/MTO/SharedCache.pm).  What
# one caches the other finds; a revocation through one stops the token at
# once on the other; a dead memcached leaves the database to answer, with a
# warning and no error to the client.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use MTO::Test;
use MTO::SharedCache;

shared_cache_tests(
    provider => 'memcache',
    module   => '/usr/lib/apache2/modules/mod_socache_memcache.so',
    server   => 'memcached',
    # memcached refuses to run as root without -u.
    command  => sub {
        my ($bin, $port) = @_;
        return ($bin, '-l', '127.0.0.1', '-p', $port, '-U', '0', '-m', '16',
                $> == 0 ? ('-u', 'nobody') : ());
    },
    port     => $ENV{MTO_MEMCACHED_PORT},
    vhosts   => [qw(cache_memcache_a cache_memcache_b)],
);
