# The cache holds what its size says (README §9 "Caching"; docs/caching.md):
# shmcb files each entry in one of its subcaches by the first byte of the
# key alone, so the module starts every shmcb key with a byte of the key's
# hash.  Keys that all began with the database's fingerprint used one
# subcache, a sixteenth of the default 512 kB: about a hundred tokens, each
# new one pushing out the oldest.  Here 600 tokens are looked up twice at
# the cache virtual host (t/conf/cache.conf.in, shmcb at its default size):
# the second time every look-up is a hit (the status page's counters).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET);
use MTO::Test;

my $N = 600;
my $HIT = 'mytimetable_oauth_cache_lookups_total{result="hit"}';

sub lookups {
    my $res = GET '/oauth/status';
    die "GET /oauth/status: " . $res->code . "\n" unless $res->code == 200;
    my $page = $res->content;
    my ($hits) = $page =~ /^\Q$HIT\E (\d+)$/m;
    my $all = 0;
    $all += $1 while $page =~ /^mytimetable_oauth_cache_lookups_total\{[^}]*\} (\d+)$/mg;
    return ($hits // 0, $all);
}

Apache::TestRequest::module('cache');
my $client = add_client();
my @tokens = add_tokens($N, client => $client->{id}, scope => 'profile_read');
my $gate = sub { GET('/cache-gate/token', Authorization => "Bearer $_[0]")->code };

my @first = grep { $gate->($_) != 200 } @tokens;
is scalar(@first), 0, "$N tokens: each opens the gate (and is cached)";

my ($hits0, $all0) = lookups();
my @second = grep { $gate->($_) != 200 } @tokens;
my ($hits1, $all1) = lookups();
is scalar(@second), 0, "$N tokens again: each opens the gate";
is $all1 - $all0, $N, "$N cache look-ups";
is $hits1 - $hits0, $N, "all $N were hits: the cache kept every token"
    or diag(($hits1 - $hits0) . " of $N were hits");

MTO::Test::db_sql("DELETE FROM mto_access_token WHERE client_id = '$client->{id}'");
Apache::TestRequest::module('default');
done_testing();
