# A cache shared by several front-end servers (README, "Caching and revocation"), with
# redis: two virtual hosts on one redis-server that this test starts on
# loopback (t/conf/cache_redis.conf.in, t/lib/MTO/SharedCache.pm).  What one
# caches the other finds; a revocation through one stops the token at once
# on the other; a dead redis-server leaves the database to answer, with a
# warning and no error to the client.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use MTO::Test;
use MTO::SharedCache;

shared_cache_tests(
    provider => 'redis',
    module   => '/usr/lib/apache2/modules/mod_socache_redis.so',
    server   => 'redis-server',
    # Nothing saved to disk; its working directory a temporary one.
    command  => sub {
        my ($bin, $port, $dir) = @_;
        return ($bin, '--port', $port, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
                '--dir', $dir, '--daemonize', 'no', '--loglevel', 'warning');
    },
    port     => $ENV{MTO_REDIS_PORT},
    vhosts   => [qw(cache_redis_a cache_redis_b)],
);
