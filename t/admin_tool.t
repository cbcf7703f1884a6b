# The admin tool `mytimetable-oauth` (README "Admin tool reference") on a temporary SQLite file.
# No httpd: it runs the built ./mytimetable-oauth from the top of the tree and
# looks at the tables with the sqlite3 CLI.
use strict;
use warnings;

use Test::More;
use FindBin ();
use File::Temp ();
use Digest::SHA qw(sha256_hex);
use JSON::PP ();

use lib "$FindBin::Bin/lib";
use MTO::Command ();

my $tool = "$FindBin::Bin/../mytimetable-oauth";
my $dir  = File::Temp::tempdir('mto-admin-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $db   = "$dir/oauth.db";

my @SCOPES = qw(username user_read profile_read profile_write alltimetables messages_read);

# run({stdin => ...}, @args): (exit status, stdout, stderr), no shell.
sub run { return MTO::Command::run_captured($dir, @_) }

# tool(@args) on the test database.
sub tool {
    my $opt = ref $_[0] eq 'HASH' ? shift : {};
    return run($opt, $tool, '--driver', 'sqlite3', '--params', $db, @_);
}

# sql($statements): rows as array refs ('' for NULL).
sub sql {
    my ($sql) = @_;
    my ($status, $out, $err) = run({ stdin => $sql }, 'sqlite3', '-batch', '-bail',
        '-cmd', '.timeout 5000', '-separator', "\t", $db);
    die "sqlite3 failed ($err): $sql\n" if $status;
    return map { [split /\t/, $_, -1] } split /\n/, $out;
}

sub value { my ($row) = sql(@_); return $row ? $row->[0] : undef }

if (!-x $tool) {
    fail("the admin tool is built ($tool)");
    done_testing;
    exit;
}

my ($st, $out, $err);

# ------------------------------------------------------------------- usage
($st, $out) = run($tool, '--help');
is($st, 0, '--help exits 0');
like($out, qr/^Usage: mytimetable-oauth .*COMMAND/m, '--help prints the usage');
for my $cmd (['client'], [qw(client add)], [qw(api-token add)], [qw(token revoke)],
             ['init'], ['purge'], ['hash']) {
    ($st, $out) = run($tool, @$cmd, '--help');
    ok($st == 0 && $out =~ /^Usage:/m, "@$cmd --help prints the usage, exit 0");
}
($st, $out) = run($tool, 'help', 'client');
ok($st == 0 && $out =~ /client add ID/, 'help client prints the client usage');

($st, undef, $err) = run($tool);
ok($st == 2 && $err =~ /no command/, 'no command: exit 2 with a message');
($st, undef, $err) = run($tool, 'frobnicate');
ok($st == 2 && $err =~ /unknown command 'frobnicate'/, 'unknown command: exit 2, named');
($st, undef, $err) = tool(qw(client add x --redirect-uri https://a/cb --bogus));
ok($st == 2 && $err =~ /invalid option.*--bogus/, 'unknown option: exit 2, named');
($st, undef, $err) = run($tool, qw(client list));
ok($st == 2 && $err =~ /--params/, 'no database given: exit 2, asks for --params');

# ---------------------------------------------------- errors before a database
($st, undef, $err) = run($tool, '--driver', 'nosuchdb', '--params', $db, 'init');
ok($st != 0 && $err =~ /nosuchdb/, 'unknown driver: non-zero, the driver named');
($st, undef, $err) = run($tool, '--driver', 'nosuchdb', '--params', $db, 'client', 'list');
ok($st != 0 && $err =~ /cannot load the apr_dbd driver 'nosuchdb'/,
   'unknown driver (client list): non-zero, the driver named');
($st, undef, $err) = run($tool, '--params', "$dir/missing/sub/oauth.db", 'init');
ok($st != 0 && $err =~ /cannot open the sqlite3 database .*missing.*does not exist/,
   'init in a missing directory: non-zero, says the directory does not exist');
ok(!-e "$dir/missing", 'init in a missing directory creates nothing');
($st, undef, $err) = run($tool, '--params', "$dir/nothere.db", 'client', 'list');
ok($st != 0 && $err =~ /does not exist.*init/, 'a missing database file: non-zero, points to init');
ok(!-e "$dir/nothere.db", 'a command other than init does not create the file');

# -------------------------------------------------------------------- init
($st, $out, $err) = tool('init');
is($st, 0, 'init succeeds') or diag $err;
like($out, qr/journal_mode=wal/, 'init reports WAL mode');
is(value('PRAGMA journal_mode;'), 'wal', 'the database file is in WAL mode');
my %tables = map { $_->[0] => 1 } sql("SELECT name FROM sqlite_master WHERE type = 'table';");
for my $t (qw(oauth_client_details api_tokens mto_code mto_access_token
              mto_refresh_token mto_approval)) {
    ok($tables{$t}, "init created $t");
}
sql("INSERT INTO api_tokens (name, token) VALUES ('keep', 'keep-token');");
($st, undef, $err) = tool('init');
is($st, 0, 'init a second time succeeds') or diag $err;
is(value("SELECT COUNT(*) FROM api_tokens WHERE name = 'keep';"), 1,
   'init a second time keeps existing rows');
sql("DELETE FROM api_tokens;");
($st, undef, $err) = run($tool, 'init', '--params', "$dir/after.db");
ok($st == 0 && -s "$dir/after.db", '--params after the command works too');
($st, undef, $err) = run($tool, '--driver', 'oracle', '--params', 'x', 'init');
ok($st == 1 && $err =~ /apr_dbd driver 'oracle'.*supports sqlite3, pgsql, mysql and odbc/,
   'init for a driver without a schema: exit 1, says why');

# -------------------------------------------------------------- client add
($st, $out, $err) = tool(qw(client add web1 --redirect-uri https://app.example/cb));
is($st, 0, 'client add with a generated secret succeeds') or diag $err;
my ($secret) = $out =~ /\A([A-Za-z0-9_-]{43})\n\z/;
ok($secret, 'the generated secret (32 bytes, base64url) is printed alone on stdout');
$secret //= '';
unlike($err, qr/\Q$secret\E/, 'the secret is not repeated on stderr') if $secret;
my @c = sql("SELECT client_secret, scope, authorized_grant_types, web_server_redirect_uri, "
    . "autoapprove IS NULL, access_token_validity IS NULL, refresh_token_validity IS NULL "
    . "FROM oauth_client_details WHERE client_id = 'web1';");
is(scalar @c, 1, 'client add stored one row');
is($c[0][0], '{SHA-256}' . sha256_hex($secret), 'the secret is stored as {SHA-256} of it');
is($c[0][1], join(',', @SCOPES), 'default scope: the six built-in scopes');
is($c[0][2], 'authorization_code', 'default grant type: authorization_code');
is($c[0][3], 'https://app.example/cb', 'the redirect URI is stored');
is_deeply([@{$c[0]}[4 .. 6]], [1, 1, 1], 'autoapprove and validities are NULL when not given');

($st, $out, $err) = tool({ stdin => "chosen secret\n" }, qw(client add web.2_x-y --secret-stdin),
    '--redirect-uri', 'https://a.example/cb,https://b.example/cb',
    '--redirect-uri', 'com.example.app:/cb', '--scope', 'username,profile_read',
    '--grant-types', 'authorization_code,refresh_token', '--autoapprove', 'username',
    '--access-validity', '0', '--refresh-validity', '86400');
is($st, 0, 'client add with --secret-stdin and every option succeeds') or diag $err;
is($out, '', '--secret-stdin: nothing on stdout');
@c = sql("SELECT client_secret, scope, authorized_grant_types, web_server_redirect_uri, "
    . "autoapprove, access_token_validity, refresh_token_validity, typeof(access_token_validity) "
    . "FROM oauth_client_details WHERE client_id = 'web.2_x-y';");
is($c[0][0], '{SHA-256}' . sha256_hex('chosen secret'),
   'the secret read from stdin (newline stripped) is stored as its {SHA-256}');
is($c[0][1], 'username,profile_read', '--scope is stored comma-separated');
is($c[0][2], 'authorization_code,refresh_token', '--grant-types is stored');
is($c[0][3], 'https://a.example/cb,https://b.example/cb,com.example.app:/cb',
   'repeated and comma-separated --redirect-uri are stored in order');
is($c[0][4], 'username', '--autoapprove scopes are stored');
is_deeply([@{$c[0]}[5 .. 7]], [0, 86400, 'integer'], 'validities are stored as integers');

($st, $out, $err) = tool({ stdin => "people pick this\r\n" }, qw(client add human --secret-stdin
    --hash bcrypt --bcrypt-cost 5 --redirect-uri https://h.example/cb --autoapprove true));
is($st, 0, 'client add --hash bcrypt succeeds') or diag $err;
my $bc = value("SELECT client_secret FROM oauth_client_details WHERE client_id = 'human';");
like($bc, qr/^\{bcrypt\}\$2[aby]\$05\$[.\/A-Za-z0-9]{53}$/, '--hash bcrypt --bcrypt-cost 5 stores {bcrypt} with cost 05');
(my $bare = $bc) =~ s/^\{bcrypt\}//;
is(crypt('people pick this', $bare), $bare, 'the bcrypt hash verifies the secret (CRLF stripped)');
is(value("SELECT autoapprove FROM oauth_client_details WHERE client_id = 'human';"), 'true',
   '--autoapprove true is stored as true');

# -------------------------------------------------------- client add errors
($st, undef, $err) = tool(qw(client add web1 --redirect-uri https://other/cb));
ok($st == 1 && $err =~ /client 'web1' exists already/, 'a duplicate client id: exit 1, says so');
is(value("SELECT web_server_redirect_uri FROM oauth_client_details WHERE client_id = 'web1';"),
   'https://app.example/cb', 'a duplicate client add changes nothing');
($st, undef, $err) = tool('client', 'add', 'bad id!', '--redirect-uri', 'https://a/cb');
ok($st == 2 && $err =~ /bad client id 'bad id!'/, 'a bad client id: exit 2, names it');
($st, undef, $err) = tool(qw(client add noredirect));
ok($st == 2 && $err =~ /--redirect-uri is required/, 'no --redirect-uri: exit 2, says so');
($st, undef, $err) = tool('client', 'add', 'frag', '--redirect-uri', 'https://a/cb#x');
ok($st == 2 && $err =~ /fragment/, 'a redirect URI with a fragment: exit 2, says why');
($st, undef, $err) = tool(qw(client add rel --redirect-uri /cb));
ok($st == 2 && $err =~ /bad redirect URI '\/cb'/, 'a relative redirect URI: exit 2, names it');
($st, undef, $err) = tool(qw(client add pw --redirect-uri https://a/cb --grant-types password));
ok($st == 2 && $err =~ /unsupported grant type 'password'/, 'an unsupported grant type: exit 2, named');
($st, undef, $err) = tool(qw(client add refreshonly --redirect-uri https://a/cb --grant-types refresh_token));
ok($st == 0 && $err =~ /without authorization_code/,
   'a client without authorization_code is accepted, with a note (authorize answers unauthorized_client)');
is(value("SELECT authorized_grant_types FROM oauth_client_details WHERE client_id = 'refreshonly';"),
   'refresh_token', 'its grant types are stored as given');
sql("DELETE FROM oauth_client_details WHERE client_id = 'refreshonly';");
($st, undef, $err) = tool(qw(client add aa --redirect-uri https://a/cb --scope username
    --autoapprove profile_read));
ok($st == 2 && $err =~ /'profile_read' is not one of the client's scopes/,
   'autoapprove outside the scopes: exit 2, names the scope');
($st, undef, $err) = tool(qw(client add val --redirect-uri https://a/cb --access-validity soon));
ok($st == 2 && $err =~ /--access-validity/, 'a bad validity: exit 2, names the option');
($st, undef, $err) = tool(qw(client add cost --redirect-uri https://a/cb --bcrypt-cost 5));
ok($st == 2 && $err =~ /--bcrypt-cost needs --hash bcrypt/, '--bcrypt-cost without bcrypt: exit 2');
($st, undef, $err) = tool({ stdin => "\n" }, qw(client add empty --secret-stdin
    --redirect-uri https://a/cb));
ok($st == 1 && $err =~ /empty line is refused/, 'an empty secret on stdin: exit 1, refused');
is(value("SELECT COUNT(*) FROM oauth_client_details WHERE client_id IN "
    . "('noredirect','frag','rel','pw','aa','val','cost','empty');"), 0,
   'no failed client add left a row');

# ------------------------------------------------------- client list, show
# The table is for people (t/admin_tool_config.t checks its columns); the
# columns are read here from --json.
($st, $out, $err) = tool(qw(client list));
is($st, 0, 'client list succeeds') or diag $err;
unlike($out, qr/SHA-256|bcrypt|[0-9a-f]{64}/, 'client list shows no secret hash');
($st, $out, $err) = tool(qw(client list --json));
is($st, 0, 'client list --json succeeds') or diag $err;
my %lines = map { $_->{client_id} => $_ } @{ JSON::PP::decode_json($out) };
is_deeply([sort keys %lines], [sort qw(web1 web.2_x-y human)], 'client list: one line per client');
is_deeply([@{ $lines{'web.2_x-y'} }{qw(client_id scope web_server_redirect_uri authorized_grant_types)}],
    ['web.2_x-y', [qw(username profile_read)],
     [qw(https://a.example/cb https://b.example/cb com.example.app:/cb)],
     [qw(authorization_code refresh_token)]], 'client list: id, scopes, redirect URIs, grant types');
unlike($out, qr/SHA-256|bcrypt|[0-9a-f]{64}|secret/, 'client list --json shows no secret hash');

($st, $out, $err) = tool(qw(client show web1));
is($st, 0, 'client show succeeds') or diag $err;
like($out, qr/^client_secret:\s+\{SHA-256\}$/m, 'client show: the secret only as its format');
unlike($out, qr/[0-9a-f]{64}/, 'client show: no hash');
like($out, qr/^access_token_validity:\s+default/m, 'client show: NULL validity is the default');
like($out, qr/^web_server_redirect_uri:\s+https:\/\/app\.example\/cb$/m, 'client show: the redirect URI');
($st, $out) = tool(qw(client show human));
ok($out =~ /^client_secret:\s+\{bcrypt\}$/m && $out !~ /\$2y\$/, 'client show: {bcrypt} without the hash');
($st, $out) = tool(qw(client show web.2_x-y));
like($out, qr/^access_token_validity:\s+0 \(never expires\)$/m, 'client show: validity 0 is "never expires"');
($st, undef, $err) = tool(qw(client show nosuch));
ok($st == 1 && $err =~ /no client 'nosuch'/, 'client show of an unknown client: exit 1');

# -------------------------------------------------------------- token rows
my $now = time;
my %h = map { $_ => sha256_hex($_) } qw(acc-alice-web1 acc-bob-web1 acc-alice-web2 ref-alice-web1
    ref-old-web1 acc-expired acc-never);
sub token_rows {
    sql(<<"SQL");
DELETE FROM mto_access_token; DELETE FROM mto_refresh_token;
DELETE FROM mto_code; DELETE FROM mto_approval;
INSERT INTO mto_access_token VALUES ('$h{'acc-alice-web1'}', 'web1', 'alice', 'username profile_read', $now - 60, $now + 3600, NULL, '$h{'ref-alice-web1'}');
INSERT INTO mto_access_token VALUES ('$h{'acc-bob-web1'}', 'web1', 'bob', 'username', $now - 60, 0, NULL, NULL);
INSERT INTO mto_access_token VALUES ('$h{'acc-alice-web2'}', 'web.2_x-y', 'alice', 'username', $now - 60, $now + 3600, NULL, NULL);
INSERT INTO mto_refresh_token VALUES ('$h{'ref-alice-web1'}', 'grant1', 'web1', 'alice', 'username profile_read', $now - 60, 0, 0, NULL);
INSERT INTO mto_refresh_token VALUES ('$h{'ref-old-web1'}', 'grant1', 'web1', 'alice', 'username profile_read', $now - 120, $now + 600, $now - 60, NULL);
INSERT INTO mto_code VALUES ('c1', 'web1', 'alice', 'username', 'https://app.example/cb', '', '', $now + 300, 0);
INSERT INTO mto_code VALUES ('c2', 'web.2_x-y', 'carol', 'username', 'https://a.example/cb', '', '', $now + 300, 0);
INSERT INTO mto_approval VALUES ('alice', 'web1', 'username', $now + 1000);
INSERT INTO mto_approval VALUES ('alice', 'web.2_x-y', 'username', $now + 1000);
SQL
}
token_rows();
sub count { value("SELECT COUNT(*) FROM $_[0]" . ($_[1] ? " WHERE $_[1]" : '') . ';') }

# ------------------------------------------------------------ client secret
my $before = value("SELECT client_secret FROM oauth_client_details WHERE client_id = 'web1';");
($st, $out, $err) = tool(qw(client secret web1));
is($st, 0, 'client secret succeeds') or diag $err;
my ($new) = $out =~ /\A([A-Za-z0-9_-]{43})\n\z/;
ok($new && $new ne $secret, 'client secret prints a new generated secret, once');
is(value("SELECT client_secret FROM oauth_client_details WHERE client_id = 'web1';"),
   '{SHA-256}' . sha256_hex($new // ''), 'client secret stores {SHA-256} of the new secret');
isnt($before, '{SHA-256}' . sha256_hex($new // ''), 'the old hash is gone');
is(count('mto_access_token', "client_id = 'web1'"), 2, 'client secret leaves the tokens alone');
($st, $out, $err) = tool({ stdin => "typed\n" }, qw(client secret web1 --secret-stdin --hash bcrypt
    --bcrypt-cost 4));
ok($st == 0 && $out eq '', 'client secret --secret-stdin --hash bcrypt: nothing on stdout');
my $b2 = value("SELECT client_secret FROM oauth_client_details WHERE client_id = 'web1';");
$b2 =~ s/^\{bcrypt\}//;
is(crypt('typed', $b2), $b2, 'client secret --hash bcrypt stores a {bcrypt} hash of the secret');
($st, undef, $err) = tool(qw(client secret nosuch));
ok($st == 1 && $err =~ /no client 'nosuch'/, 'client secret of an unknown client: exit 1');

# -------------------------------------------------------------- token list
($st, $out, $err) = tool(qw(token list));
is($st, 0, 'token list succeeds') or diag $err;
unlike($out, qr/[0-9a-f]{13}/, 'token list shows no more than 12 hex digits of a hash');
is(scalar(() = $out =~ /^refresh-rotated /mg), 1, 'token list marks a rotated refresh token');
($st, $out, $err) = tool(qw(token list --json));
is($st, 0, 'token list --json succeeds') or diag $err;
unlike($out, qr/[0-9a-f]{13}/, 'token list --json shows no more than 12 hex digits of a hash');
my @tl = @{ JSON::PP::decode_json($out) };
is(scalar @tl, 5, 'token list: one line per access and refresh token');
my ($bob) = grep { $_->{user_name} eq 'bob' } @tl;
is_deeply([@{$bob}{qw(kind token_hash_prefix client_id user_name scope)}],
          ['access', substr($h{'acc-bob-web1'}, 0, 12), 'web1', 'bob', ['username']],
          'token list: kind, first 12 hex of the hash, client, user, scope');
is($bob->{expires}, undef, 'token list: a token that never expires says never (null)');
like($bob->{issued}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'token list: issued as a UTC time');
ok((grep { $_->{kind} eq 'refresh' && $_->{rotated} } @tl) == 1,
   'token list --json marks a rotated refresh token');
($st, $out) = tool(qw(token list --client web.2_x-y --json));
is(scalar @{ JSON::PP::decode_json($out) }, 1, 'token list --client: only that client');
($st, $out) = tool(qw(token list --user alice --client web1 --json));
is(scalar @{ JSON::PP::decode_json($out) }, 3, 'token list --user --client: both filters apply');

# ------------------------------------------------------------ token revoke
($st, undef, $err) = tool(qw(token revoke));
ok($st == 2 && $err =~ /say what to revoke/, 'token revoke without a selector: exit 2');
($st, undef, $err) = tool({ stdin => "x\n" }, qw(token revoke --token-stdin --user bob));
ok($st == 2 && $err =~ /--token-stdin goes alone/, 'token revoke --token-stdin with --user: exit 2');

($st, $out, $err) = tool({ stdin => "acc-bob-web1\n" }, qw(token revoke --token-stdin));
is($st, 0, 'token revoke --token-stdin succeeds') or diag $err;
like($out, qr/revoked 1 access token/, 'token revoke --token-stdin reports one');
is(count('mto_access_token', "token_hash = '$h{'acc-bob-web1'}'"), 0, 'the access token row is gone');
is(count('mto_access_token'), 2, 'the other access tokens stay');
($st, undef, $err) = tool({ stdin => "never-issued\n" }, qw(token revoke --token-stdin));
ok($st == 1 && $err =~ /no access or refresh token matches/, 'revoking an unknown token: exit 1, says so');

($st, $out, $err) = tool({ stdin => "ref-alice-web1\n" }, qw(token revoke --token-stdin));
is($st, 0, 'token revoke --token-stdin of a refresh token succeeds') or diag $err;
like($out, qr/revoked 1 access token\(s\), 2 refresh token\(s\)/,
     'a refresh token takes its grant (rotated token, access token issued from it) along');
is(count('mto_refresh_token'), 0, 'the grant\'s refresh tokens are gone');

token_rows();
($st, $out, $err) = tool(qw(token revoke --client web1 --yes));
is($st, 0, 'token revoke --client succeeds') or diag $err;
like($out, qr/revoked 2 access token\(s\), 2 refresh token\(s\), 1 authorization code\(s\)/,
     'token revoke --client reports how many were revoked');
is(count('mto_access_token', "client_id = 'web1'") + count('mto_refresh_token', "client_id = 'web1'"),
   0, 'token revoke --client deletes that client\'s access and refresh tokens');
is(count('mto_access_token', "client_id = 'web.2_x-y'"), 1, 'other clients\' tokens stay');
is(count('mto_approval'), 2, 'token revoke leaves approvals alone');

token_rows();
($st, $out) = tool(qw(token revoke --user alice --yes));
like($out, qr/revoked 2 access token\(s\), 2 refresh token\(s\), 1 authorization code/,
     'token revoke --user reports how many were revoked');
is(count('mto_access_token', "user_name = 'alice'"), 0, 'token revoke --user deletes that user\'s tokens');
is(count('mto_access_token', "user_name = 'bob'"), 1, 'other users\' tokens stay');

# ------------------------------------------------------------ client remove
token_rows();
($st, $out, $err) = tool(qw(client remove web1 --yes));
is($st, 0, 'client remove succeeds') or diag $err;
like($out, qr/removed client web1 with 1 authorization code\(s\), 2 access token\(s\), 2 refresh token\(s\), 1 approval\(s\)/,
     'client remove reports what went with it');
is(count('oauth_client_details', "client_id = 'web1'"), 0, 'the client row is gone');
is(count('mto_code', "client_id = 'web1'") + count('mto_access_token', "client_id = 'web1'")
   + count('mto_refresh_token', "client_id = 'web1'") + count('mto_approval', "client_id = 'web1'"),
   0, 'its codes, access and refresh tokens and approvals are gone');
is(count('mto_access_token', "client_id = 'web.2_x-y'") + count('mto_approval', "client_id = 'web.2_x-y'")
   + count('mto_code', "client_id = 'web.2_x-y'"), 3, 'another client\'s rows stay');
($st, undef, $err) = tool(qw(client remove web1));
ok($st == 1 && $err =~ /no client 'web1'/, 'client remove of an unknown client: exit 1');

# ------------------------------------------------------------------- purge
sql(<<"SQL");
DELETE FROM mto_access_token; DELETE FROM mto_refresh_token;
DELETE FROM mto_code; DELETE FROM mto_approval;
INSERT INTO mto_code VALUES ('old', 'human', 'u', 's', 'r', '', '', $now - 10, 0);
INSERT INTO mto_code VALUES ('new', 'human', 'u', 's', 'r', '', '', $now + 300, 0);
INSERT INTO mto_access_token VALUES ('a-old', 'human', 'u', 's', $now - 100, $now - 10, NULL, NULL);
INSERT INTO mto_access_token VALUES ('a-new', 'human', 'u', 's', $now - 100, $now + 300, NULL, NULL);
INSERT INTO mto_access_token VALUES ('a-never', 'human', 'u', 's', $now - 100, 0, NULL, NULL);
INSERT INTO mto_refresh_token VALUES ('r-old', 'g', 'human', 'u', 's', $now - 100, $now - 10, 0, NULL);
INSERT INTO mto_refresh_token VALUES ('r-never', 'g', 'human', 'u', 's', $now - 100, 0, 0, NULL);
INSERT INTO mto_approval VALUES ('u', 'human', 'old', $now - 10);
INSERT INTO mto_approval VALUES ('u', 'human', 'new', $now + 300);
SQL
($st, $out, $err) = tool('purge');
is($st, 0, 'purge succeeds') or diag $err;
like($out, qr/purged 1 authorization code\(s\), 1 access token\(s\), 1 refresh token\(s\), 1 approval\(s\)/,
     'purge prints the counts');
is_deeply([map { $_->[0] } sql("SELECT code_hash FROM mto_code UNION ALL SELECT token_hash FROM "
    . "mto_access_token UNION ALL SELECT token_hash FROM mto_refresh_token UNION ALL "
    . "SELECT scope FROM mto_approval ORDER BY 1;")],
    [sort qw(new a-new a-never r-never new)], 'purge removes only expired rows (never-expiring stay)');
($st, $out) = tool('purge');
like($out, qr/purged 0 authorization code\(s\), 0 access token\(s\), 0 refresh token\(s\), 0 approval\(s\)/,
     'purge again finds nothing');

# --------------------------------------------------------------- api-token
($st, $out, $err) = tool('api-token', 'add', 'Portal app');
is($st, 0, 'api-token add succeeds') or diag $err;
my ($api) = $out =~ /\A([A-Za-z0-9_-]{43})\n\z/;
ok($api, 'api-token add prints a generated token (32 bytes, base64url) once');
my @a = sql("SELECT token, is_elevated, authentication_required FROM api_tokens WHERE name = 'Portal app';");
is_deeply($a[0], ['{SHA-256}' . sha256_hex($api // ''), 0, 0],
          'api-token add stores {SHA-256}<hex> of the token, not elevated, no auth required');
($st, $out, $err) = tool({ stdin => "legacy-token\n" }, qw(api-token add legacy --plain --token-stdin
    --elevated --auth-required));
ok($st == 0 && $out eq '', 'api-token add --plain --token-stdin: nothing on stdout');
@a = sql("SELECT token, is_elevated, authentication_required FROM api_tokens WHERE name = 'legacy';");
is_deeply($a[0], ['legacy-token', 1, 1], '--plain stores the token in clear; --elevated and --auth-required are 1');
($st, undef, $err) = tool('api-token', 'add', 'legacy');
ok($st == 1 && $err =~ /named 'legacy' exists already/, 'api-token add of an existing name: exit 1');
($st, undef, $err) = tool({ stdin => "legacy-token\n" }, qw(api-token add again --token-stdin));
ok($st == 1 && $err =~ /stored already/, 'api-token add of a token stored already: exit 1');
($st, $out, $err) = tool(qw(api-token list));
is($st, 0, 'api-token list succeeds') or diag $err;
is($out, "NAME        ELEVATED  AUTH-REQUIRED  STORED\n"
       . "Portal app  no        no             hashed\n"
       . "legacy      yes       yes            plain\n",
   'api-token list: name, elevated, auth-required, hashed or plain');
unlike($out, qr/legacy-token|\Q$api\E|[0-9a-f]{64}/, 'api-token list never shows a token');
($st, $out) = tool(qw(api-token remove legacy --yes));
ok($st == 0 && $out =~ /removed 1 API token/, 'api-token remove succeeds');
is(count('api_tokens', "name = 'legacy'"), 0, 'api-token remove deletes the row');
($st, undef, $err) = tool(qw(api-token remove legacy));
ok($st == 1 && $err =~ /no API token named 'legacy'/, 'api-token remove of an unknown name: exit 1');

# -------------------------------------------------------------------- hash
($st, $out, $err) = run({ stdin => "s3cret\n" }, $tool, 'hash');
ok($st == 0 && $out =~ /\A\{bcrypt\}(\$2[aby]\$10\$[.\/A-Za-z0-9]{53})\n\z/, 'hash: {bcrypt} with cost 10 by default')
    or diag "$out$err";
my $hb = $1 // '';
is(crypt('s3cret', $hb), $hb, 'hash: the bcrypt hash verifies the secret');
($st, $out) = run({ stdin => "s3cret\n" }, $tool, 'hash', '--sha256');
is($out, '{SHA-256}' . sha256_hex('s3cret') . "\n", 'hash --sha256: {SHA-256}<hex>');
($st, $out) = run({ stdin => "s3cret\n" }, $tool, 'hash', '--bcrypt', '--cost', '4');
like($out, qr/\A\{bcrypt\}\$2[aby]\$04\$/, 'hash --cost 4: bcrypt cost 04');
($st, undef, $err) = run({ stdin => "s3cret\n" }, $tool, 'hash', '--sha256', '--cost', '4');
ok($st == 2 && $err =~ /--cost applies to bcrypt only/, 'hash --sha256 --cost: exit 2');
($st, undef, $err) = run({ stdin => "s3cret\n" }, $tool, 'hash', '--cost', '99');
ok($st == 2 && $err =~ /--cost/, 'hash --cost out of range: exit 2');
($st, $out, $err) = run({ stdin => "\n" }, $tool, 'hash');
ok($st == 1 && $out eq '' && $err =~ /empty line is refused/, 'hash of an empty line: exit 1');

done_testing;
