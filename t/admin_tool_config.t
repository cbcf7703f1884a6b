# The admin tool as an admin meets it (README "Admin tool reference"): the
# database found through httpd's configuration (-f, --vhost), listings as
# tables and as --json, destructive commands that ask first (--yes, exit 3
# without a terminal), and a --help with examples for every subcommand.
# Mostly without httpd, on configuration files written to a temporary folder;
# at the end, -f on this suite's own httpd.conf.
use strict;
use warnings;

use Test::More;
use FindBin ();
use File::Path ();
use File::Temp ();
use JSON::PP ();

use lib "$FindBin::Bin/lib";
use Apache::Test ();
use Apache::TestRequest ();
use MTO::Command ();

my $tool = "$FindBin::Bin/../mytimetable-oauth";
my $dir  = File::Temp::tempdir('mto-admin-conf-XXXXXX', TMPDIR => 1, CLEANUP => 1);

# run({stdin => ...}, @args): (exit status, stdout, stderr), no shell.
sub run { return MTO::Command::run_captured($dir, @_) }

sub put {
    my ($name, $text) = @_;
    my $path = "$dir/$name";
    (my $folder = $path) =~ s{/[^/]*$}{};
    File::Path::make_path($folder);
    open my $fh, '>', $path or die "$path: $!";
    print {$fh} $text;
    close $fh;
    return $path;
}

sub json_of { my ($out) = @_; return eval { JSON::PP::decode_json($out) } }

if (!-x $tool) {
    fail("the admin tool is built ($tool)");
    done_testing;
    exit;
}

my ($st, $out, $err);

# ------------------------------------------------------ -f on a Debian layout
# apache2.conf with Includes relative to its folder (no ServerRoot line), a
# Define used in a virtual host, and an environment variable.
local $ENV{MTO_TEST_ALIAS} = 'tt-alias.example.org';
my $conf = put('apache2/apache2.conf', <<"CONF");
# The main server's database, from an Include.
Define TT_DB $dir/tt.db
Include conf.d/*.conf
<IfModule mod_ssl.c>
    IncludeOptional sites-enabled/*.conf
</IfModule>
CONF
put('apache2/conf.d/db.conf', "DBDriver sqlite3\nDBDParams $dir/main.db\n");
put('apache2/sites-enabled/tt.conf', <<'CONF');
<VirtualHost *:443>
    ServerName https://tt.example.org
    ServerAlias ${MTO_TEST_ALIAS}
    DBDParams "${TT_DB}"
</VirtualHost>
<VirtualHost *:443>
    ServerName other.example.org
</VirtualHost>
CONF

($st, $out, $err) = run($tool, '-f', $conf, 'init');
ok($st == 0 && -s "$dir/main.db" && !-e "$dir/tt.db", '-f: init creates the main server\'s database')
    or diag $err;
($st, $out, $err) = run($tool, '--config', $conf, '--vhost', 'tt.example.org', 'init');
ok($st == 0 && -s "$dir/tt.db", '--config --vhost: init creates that virtual host\'s database (a Define)')
    or diag $err;
($st, $out, $err) = run($tool, 'client', 'add', 'ttweb', '--redirect-uri', 'https://tt.example.org/cb',
    '-f', $conf, '--vhost', 'tt-alias.example.org');
ok($st == 0, '-f and --vhost after the command; a ServerAlias from an environment variable')
    or diag $err;
my (undef, $main) = run($tool, '--params', "$dir/main.db", 'client', 'list', '--json');
my (undef, $tt)   = run($tool, '--params', "$dir/tt.db", 'client', 'list', '--json');
is_deeply([map { $_->{client_id} } @{ json_of($tt) || [] }], ['ttweb'],
          'the client went to the virtual host\'s database');
is_deeply(json_of($main), [], '…not to the main server\'s');
($st, $out) = run($tool, '-f', $conf, '--vhost', 'other.example.org', 'client', 'list', '--json');
ok($st == 0 && json_of($out) && !@{ json_of($out) },
   'a virtual host without DBD directives uses the main server\'s database');

($st, undef, $err) = run($tool, '-f', $conf, '--vhost', 'nosuch.example.org', 'client', 'list');
ok($st == 1 && $err =~ /\Q$conf\E: no <VirtualHost> has ServerName or ServerAlias nosuch\.example\.org/,
   'an unknown --vhost: exit 1, naming the file and the name');
my $nodb = put('empty/httpd.conf', "ServerName x.example\nInclude conf.d/*.conf\n");
put('empty/conf.d/a.conf', "# nothing here\n");
($st, undef, $err) = run($tool, '-f', $nodb, 'client', 'list');
ok($st == 1 && $err =~ /\Q$nodb\E: no DBDriver for the main server/,
   'no DBDriver anywhere: exit 1, a clear error naming the file');
($st, undef, $err) = run($tool, '-f', "$dir/missing.conf", 'client', 'list');
ok($st == 1 && $err =~ /missing\.conf/, 'a missing configuration file: exit 1, named');
($st, undef, $err) = run($tool, '-f', $conf, '--params', "$dir/main.db", 'client', 'list');
ok($st == 2 && $err =~ /exclude each other/, '-f with --params: exit 2');
($st, undef, $err) = run($tool, '--vhost', 'tt.example.org', '--params', "$dir/main.db", 'client', 'list');
ok($st == 2 && $err =~ /--vhost .* -f/, '--vhost without -f: exit 2');

# ------------------------------------------------------------ tables, --json
my @t = ('--params', "$dir/main.db");
run($tool, @t, qw(client add web1 --redirect-uri https://app.example/cb --scope username));
run($tool, @t, qw(client add a-much-longer-client-id --redirect-uri https://b.example/cb
    --grant-types authorization_code,refresh_token));
run({ stdin => "t1\n" }, $tool, @t, 'api-token', 'add', 'Portal app', '--token-stdin');
run({ stdin => "t2\n" }, $tool, @t, qw(api-token add elev --token-stdin --elevated --plain));
my $now = time;
system('sqlite3', "$dir/main.db", "INSERT INTO mto_access_token VALUES ('" . ('ab' x 32)
    . "', 'web1', 'alice', 'username', $now, $now + 600, NULL, NULL);") == 0
    or diag 'sqlite3 failed';

($st, $out, $err) = run($tool, @t, qw(client list));
my @rows = split /\n/, $out;
is(scalar @rows, 3, 'client list: a head line and one line per client') or diag $out;
my @starts;
push @starts, $-[0] while $rows[0] =~ /\S+/g;
is_deeply([$rows[0] =~ /(\S+)/g], [qw(CLIENT_ID SCOPE REDIRECT_URI GRANT_TYPES AUTHORITIES)],
          'client list: the column titles');
ok(!grep({ my $r = $_; grep { substr($r, $_ - 1, 2) !~ /^ \S$/ } @starts[1 .. $#starts] } @rows[1 .. 2]),
   'client list: every column starts where its title does (aligned)');
like($rows[1], qr/^a-much-longer-client-id  username,user_read,\S+ +https:\/\/b\.example\/cb +authorization_code,refresh_token  -$/,
     'client list: values in order, "-" for an empty column');

($st, $out, $err) = run($tool, @t, qw(client list --json));
my $clients = json_of($out);
ok($st == 0 && ref $clients eq 'ARRAY' && @$clients == 2, 'client list --json: an array, one object per client')
    or diag $out;
is_deeply($clients->[1], { client_id => 'web1', scope => ['username'],
    web_server_redirect_uri => ['https://app.example/cb'], authorized_grant_types => ['authorization_code'],
    authorities => undef, autoapprove => undef, access_token_validity => undef,
    refresh_token_validity => undef }, 'client list --json: the columns, lists as arrays, NULL as null');

($st, $out) = run($tool, @t, qw(api-token list --json));
is_deeply(json_of($out), [
    { name => 'Portal app', is_elevated => JSON::PP::false, authentication_required => JSON::PP::false,
      stored => 'hashed' },
    { name => 'elev', is_elevated => JSON::PP::true, authentication_required => JSON::PP::false,
      stored => 'plain' } ], 'api-token list --json: name, flags as booleans, how it is stored');
unlike($out, qr/"t[12]"/, 'api-token list --json shows no token');

($st, $out) = run($tool, @t, qw(token list --json));
my $tokens = json_of($out);
is_deeply($tokens, [ { kind => 'access', rotated => JSON::PP::false, token_hash_prefix => 'ab' x 6,
    client_id => 'web1', user_name => 'alice', scope => ['username'],
    issued => $tokens->[0]{issued}, expires => $tokens->[0]{expires} } ],
    'token list --json: kind, rotated, 12 hex of the hash, client, user, scope as an array');
like($tokens->[0]{expires} // '', qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'token list --json: times in UTC');
($st, $out) = run($tool, @t, qw(token list --user nobody-at-all --json));
is($out, "[]\n", 'an empty listing with --json: []');
($st, $out, $err) = run($tool, @t, qw(token list --user nobody-at-all));
ok($st == 0 && $out eq '' && $err =~ /no tokens/, 'an empty table: nothing on stdout, a note on stderr');
($st, undef, $err) = run($tool, @t, qw(token revoke --user alice --json));
is($st, 2, '--json on a command that lists nothing: exit 2');

# --------------------------------------------------- destructive commands
my %destructive = (
    'client remove'      => [qw(client remove web1)],
    'api-token remove'   => ['api-token', 'remove', 'Portal app'],
    'token revoke --user' => [qw(token revoke --user alice)],
    'token revoke --client' => [qw(token revoke --client web1)],
);
for my $name (sort keys %destructive) {
    ($st, $out, $err) = run($tool, @t, @{ $destructive{$name} });
    ok($st == 3 && $err =~ /not done: this would .*add --yes/s,
       "$name without a terminal and without --yes: refused, exit 3, says to add --yes") or diag $err;
}
my (undef, $left) = run($tool, @t, qw(client list --json));
ok((grep { $_->{client_id} eq 'web1' } @{ json_of($left) || [] })
   && @{ json_of((run($tool, @t, qw(token list --json)))[1]) || [] } == 1,
   'a refused command changed nothing');
($st, undef, $err) = run($tool, @t, qw(client remove nosuch));
ok($st == 1 && $err =~ /no client 'nosuch'/, 'removing what does not exist fails first (exit 1), without asking');
($st, $out, $err) = run($tool, @t, qw(purge));
is($st, 0, 'purge removes only expired rows: it does not ask');

SKIP: {
    skip 'no script(1) to give the tool a terminal', 3 unless -x '/usr/bin/script';
    my $cmd = join ' ', map { "'$_'" } $tool, @t, qw(token revoke --user alice);
    ($st, $out) = run({ stdin => "n\n" }, '/usr/bin/script', '-qec', $cmd, '/dev/null');
    ok($st == 3 && $out =~ /revoke 1 access token\(s\), 0 refresh token\(s\).*user 'alice'\? \[y\/N\]/s,
       'on a terminal: asks, with what would go; "n": exit 3') or diag $out;
    ($st, $out) = run({ stdin => "y\n" }, '/usr/bin/script', '-qec', $cmd, '/dev/null');
    ok($st == 0 && $out =~ /revoked 1 access token/, 'on a terminal: "y" goes ahead') or diag $out;
    ($st, $out) = run({ stdin => "y\n" }, '/usr/bin/script', '-qec',
        join(' ', map { "'$_'" } $tool, @t, qw(client remove web1 --yes)), '/dev/null');
    ok($st == 0 && $out !~ /\[y\/N\]/, '--yes: no question even on a terminal');
}
($st, $out, $err) = run($tool, '--yes', @t, 'api-token', 'remove', 'Portal app');
ok($st == 0 && $out =~ /removed 1 API token/, '--yes before the command works too') or diag $err;

# ------------------------------------------------------------------- --help
my @subcommands = (['init'], [qw(client add)], [qw(client list)], [qw(client show)],
    [qw(client remove)], [qw(client secret)], [qw(api-token add)], [qw(api-token list)],
    [qw(api-token remove)], [qw(token list)], [qw(token revoke)], ['purge'], ['hash'],
    [qw(key generate)]);
for my $sub (@subcommands) {
    ($st, $out) = run($tool, @$sub, '--help');
    my ($examples) = $out =~ /^Examples:\n((?:  .*\n)+)/m;
    ($examples //= '') =~ s/\\\n\s*/ /g;
    my $words = join ' ', @$sub;
    ok($st == 0 && $examples =~ /mytimetable-oauth\b.* \Q$words\E\b/,
       "$words --help: exit 0, with an example of $words") or diag $out;
}
($st, $out) = run($tool, '--help');
ok($st == 0 && $out =~ /^Examples:/m && $out =~ /-f, --config/ && $out =~ /^3 a destructive command not confirmed/m,
   '--help: -f, examples, and the exit codes 0 to 3');

# ------------------------------------------------------------------ the man page
my $man = "$FindBin::Bin/../man/mytimetable-oauth.1";
ok(-s $man, 'the man page exists');
my $page = do { local (@ARGV, $/) = ($man); <> } // '';
ok(!(grep { my $w = join ' ', @$_; $page !~ /\Q$w\E/ } @subcommands), 'the man page names every subcommand');
like($page, qr/^\.SH EXIT STATUS/m, 'the man page has EXIT STATUS');
ok(!(grep { $page !~ /^\.B $_$/m } 0 .. 3), 'the man page documents the exit codes 0 to 3');
SKIP: {
    skip 'no groff', 1 unless -x '/usr/bin/groff';
    my ($gst, undef, $gerr) = run('/usr/bin/groff', '-man', '-Tutf8', '-ww', '-z', $man);
    ok($gst == 0 && $gerr eq '', 'groff renders the man page without a warning') or diag $gerr;
}

# ------------------------------------------ -f on this suite's httpd.conf
SKIP: {
    my $httpd_conf = eval { Apache::Test::vars('t_conf_file') };
    skip 'no Apache::Test configuration', 3 unless $httpd_conf && -f $httpd_conf;
    my ($a_st, $a_out, $a_err) = run($tool, '-f', $httpd_conf, qw(client list --json));
    my ($b_st, $b_out) = run($tool, '--driver', $ENV{MTO_DBD_DRIVER} || 'sqlite3', '--params',
        $ENV{MTO_DBD_PARAMS} // '', qw(client list --json));
    ok($a_st == 0 && $a_out eq $b_out,
       "-f on the suite's httpd.conf: the same database as --driver/--params (DBDriver \${MTO_DBD_DRIVER})")
        or diag $a_err;
    Apache::TestRequest::module('cache_db_a');
    my ($port) = Apache::TestRequest::hostport() =~ /:(\d+)$/;
    Apache::TestRequest::module('default');
    skip 'no cache_db_a virtual host', 2 unless $port;
    ($st, $out, $err) = run($tool, '-f', $httpd_conf, '--vhost', "localhost:$port", 'init');
    like("$out$err", qr{/db/cache_db_a/oauth\.db}, '--vhost NAME:PORT: that virtual host\'s DBDParams');
    ($st, undef, $err) = run($tool, '-f', $httpd_conf, '--vhost', 'localhost', 'client', 'list');
    ok($st == 1 && $err =~ /both answer to localhost.*--vhost localhost:PORT/,
       '--vhost a name several virtual hosts with other databases share: exit 1, asks for the port');
}

done_testing;
