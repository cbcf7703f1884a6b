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

shared_cache_tests(%{ $CACHE_SERVERS{memcache} });
