# The key file of MyTimetableOAuthSecretKeyFile (README "Several servers",
# "Directive reference", "Admin tool reference"): `mytimetable-oauth key
# generate FILE` writes one (mode 0600, never over an existing file unless
# --force), and `apache2 -t` accepts it; a file that is missing, not a
# regular file, too short, not hex or world-readable fails -t with a message
# naming the directive.  No test server: the tool and `apache2 -t` only.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use File::Temp ();
use MTO::Test;

my $dir = File::Temp->newdir('mto-key-XXXXXX', TMPDIR => 1);
my $tool = Apache::Test::vars('top_dir') . '/mytimetable-oauth';

# The tool as the one running the tests (root: as the admin would be).
sub key_tool {
    my $out = `"$tool" @_ 2>&1`;
    return ($? >> 8, $out);
}

sub slurp { open my $fh, '<', $_[0] or return; local $/; return scalar <$fh> }

sub mode { my @st = stat $_[0]; return @st ? $st[2] & 07777 : -1 }

sub write_file {
    my ($name, $text, $mode) = @_;
    my $f = "$dir/$name";
    open my $fh, '>', $f or die "$f: $!\n";
    print {$fh} $text;
    close $fh or die "$f: $!\n";
    chmod $mode // 0600, $f or die "$f: $!\n";
    return $f;
}

# --- key generate ------------------------------------------------------------

my $key = "$dir/front-end.key";
umask 022;
my ($st, $out) = key_tool('key', 'generate', $key);
is $st, 0, 'key generate FILE: exit 0' or diag $out;
my $text = slurp($key) // '';
like $text, qr/\A[0-9a-f]{64}\n\z/, 'the file is 64 lowercase hex digits (256 bits) and a line end';
is mode($key), 0600, 'mode 0600, whatever the umask (022 here)';
unlike $out, qr/\Q@{[ substr($text, 0, 16) ]}\E/, 'the key is not printed';
remember_secret('secret key', $text =~ /([0-9a-f]+)/);
is_deeply [grep { !/front-end\.key$/ } glob "$dir/front-end.key*"], [], 'no temporary file is left';

($st, $out) = key_tool('key', 'generate', $key);
is $st, 1, 'key generate over an existing file: exit 1';
like $out, qr/exists already.*--force/, 'and says --force replaces it';
is slurp($key), $text, 'the existing key is left as it was';

($st, $out) = key_tool('key', 'generate', '--force', $key);
is $st, 0, 'key generate --force over an existing file: exit 0' or diag $out;
my $text2 = slurp($key) // '';
like $text2, qr/\A[0-9a-f]{64}\n\z/, '--force: a new key';
isnt $text2, $text, '--force: another key than before';
is mode($key), 0600, '--force: mode 0600';
remember_secret('secret key', $text2 =~ /([0-9a-f]+)/);

my $other = "$dir/other.key";
key_tool('key', 'generate', $other);
isnt slurp($other), slurp($key), 'two generated keys differ';
remember_secret('secret key', (slurp($other) // '') =~ /([0-9a-f]+)/);

($st, $out) = key_tool('key', 'generate', "$dir/no-such-dir/k.key");
is $st, 1, 'key generate into a missing directory: exit 1';
($st) = key_tool('key', 'generate');
is $st, 2, 'key generate without FILE: exit 2 (usage)';
($st) = key_tool('key', 'generate', 'a', 'b');
is $st, 2, 'key generate with two files: exit 2';
($st, $out) = key_tool('key', '--help');
ok $st == 0 && $out =~ /key generate FILE \[--force\]/, 'key --help: the usage, exit 0';
($st, $out) = key_tool('help');
like $out, qr/^\s+key generate FILE/m, "the tool's usage lists key generate";

# --- apache2 -t ----------------------------------------------------------------

sub httpd_t { httpd_syntax_check($_[0], dir => "$dir") }

sub syntax_ok {
    my ($lines, $name) = @_;
    my ($status, $text) = httpd_t($lines);
    ok $status == 0 && $text =~ /Syntax OK/, "$name: Syntax OK" or diag $text;
}

sub refused {
    my ($lines, $why, $name) = @_;
    my ($status, $text) = httpd_t($lines);
    ok $status != 0 && $text !~ /Syntax OK|Invalid command/, "$name: apache2 -t fails";
    like $text, qr/MyTimetableOAuthSecretKeyFile/, "$name: the message names the directive";
    like $text, $why, "$name: and says why";
    unlike $text, qr/[0-9a-f]{64}/, "$name: no key in the message";
}

my $hex = '0123456789abcdef' x 4;
syntax_ok("MyTimetableOAuthSecretKeyFile $key", 'a generated key file');
syntax_ok("<VirtualHost 127.0.0.1:8443>\n MyTimetableOAuthSecretKeyFile $other\n</VirtualHost>",
          'a key file in a virtual host');
syntax_ok('MyTimetableOAuthSecretKeyFile ' . write_file('group.key', "$hex\n", 0640),
          'mode 0640 (a group of its own may read it)');
syntax_ok('MyTimetableOAuthSecretKeyFile ' . write_file('upper.key', uc($hex x 2) . "\r\n"),
          '128 hex digits in upper case, CRLF');

refused("MyTimetableOAuthSecretKeyFile $dir/missing.key", qr/cannot read/, 'a missing file');
refused("MyTimetableOAuthSecretKeyFile $dir", qr/not a regular file/, 'a directory');
refused('MyTimetableOAuthSecretKeyFile ' . write_file('world.key', "$hex\n", 0644),
        qr/readable by every user/, 'a world-readable file (0644)');
refused('MyTimetableOAuthSecretKeyFile ' . write_file('short.key', substr($hex, 0, 62) . "\n"),
        qr/too short/, '62 hex digits (248 bits)');
refused('MyTimetableOAuthSecretKeyFile ' . write_file('empty.key', ''), qr/too short/,
        'an empty file');
refused('MyTimetableOAuthSecretKeyFile ' . write_file('raw.key', join('', map { chr } 0 .. 63)),
        qr/other than hex/, '64 raw bytes (not the hex format)');
refused('MyTimetableOAuthSecretKeyFile ' . write_file('two.key', "$hex\n$hex\n"),
        qr/other than hex/, 'two lines of hex');
refused('MyTimetableOAuthSecretKeyFile ' . write_file('long.key', ('ab' x 600) . "\n"),
        qr/longer than|larger than/, '1200 hex digits');
refused("<Location /x>\n MyTimetableOAuthSecretKeyFile $key\n</Location>", qr/not allowed|cannot occur/,
        'inside <Location>');
refused('MyTimetableOAuthSecretKeyFile', qr/takes one argument/, 'without a file');

done_testing();
