# Configuration errors (README "Directive reference"): `apache2 -t` on a small httpd.conf of its
# own, one bad line at a time.  A bad value, a directive where it may not
# stand, an unknown socache provider, the module without mod_dbd: -t exits
# non-zero and the message names the directive (or mod_dbd).  Good values
# of every directive: "Syntax OK".
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use File::Temp ();
use MTO::Test;


my $dir = File::Temp->newdir('mto-conf-XXXXXX', TMPDIR => 1);

sub write_file {
    my ($name, $text) = @_;
    open my $fh, '>', "$dir/$name" or die "$dir/$name: $!\n";
    print {$fh} $text;
    close $fh or die "$dir/$name: $!\n";
    return "$dir/$name";
}

my $template = write_file('consent.html', "<form method=post>{{csrf_token}}</form>\n");
my $no_csrf = write_file('no-csrf.html', "<form method=post></form>\n");
my $huge = write_file('huge.html', '{{csrf_token}}' . ('x' x (256 * 1024)));

# `apache2 -t` on a minimal configuration around $lines (MTO::Test).
sub httpd_t {
    my ($lines, %opt) = @_;
    return httpd_syntax_check($lines, %opt, dir => "$dir");
}

sub syntax_ok {
    my ($lines, $name, %opt) = @_;
    my ($status, $out) = httpd_t($lines, %opt);
    ok $status == 0 && $out =~ /Syntax OK/, "$name: Syntax OK" or diag $out;
}

# $lines is refused, with a message naming $what.
sub refused {
    my ($lines, $what, $name, %opt) = @_;
    my ($status, $out) = httpd_t($lines, %opt);
    # (Invalid command: the module is not loaded, which would prove nothing.)
    ok $status != 0 && $out !~ /Syntax OK|Invalid command/, "$name: apache2 -t fails";
    like $out, qr/\Q$what\E/, "$name: the message names $what";
}

sub in_location { "<Location /api>\n    @_\n</Location>" }

# --- good values --------------------------------------------------------------

my $good = <<EOF;
MyTimetableOAuthIssuer https://oauth.example.org/
MyTimetableOAuthTokenLifetime 0
MyTimetableOAuthCodeLifetime 600
MyTimetableOAuthApprovalLifetime 0
MyTimetableOAuthRequirePKCE On
MyTimetableOAuthCache shmcb
MyTimetableOAuthCacheTTL 86400
MyTimetableOAuthScope timetable_read "read the timetable"
MyTimetableOAuthScope username "who you are"
MyTimetableOAuthConsentTemplate $template
MyTimetableOAuthPurgeInterval 0
MyTimetableOAuthClientAuthLimit 10000 86400
<Location /oauth/authorize>
    SetHandler mytimetable-oauth-authorize
</Location>
<Location /oauth/token>
    SetHandler mytimetable-oauth-token
</Location>
<Location /oauth/revoke>
    SetHandler mytimetable-oauth-revoke
</Location>
<Location /oauth/introspect>
    SetHandler mytimetable-oauth-introspect
</Location>
<Location /.well-known/oauth-authorization-server>
    SetHandler mytimetable-oauth-metadata
</Location>
<Location /api>
    MyTimetableOAuthAcceptTokenIn header query
    MyTimetableOAuthRequireApiToken On
    MyTimetableOAuthPassToken Off
</Location>
<VirtualHost 127.0.0.1:8443>
    MyTimetableOAuthIssuer http://127.0.0.1:8443
    MyTimetableOAuthCodeLifetime 1
    MyTimetableOAuthCache none
    MyTimetableOAuthPurgeInterval 86400
    MyTimetableOAuthClientAuthLimit off
</VirtualHost>
EOF
syntax_ok('', 'the module and mod_dbd, no directive');
syntax_ok($good, 'every directive with a good value');
syntax_ok("MyTimetableOAuthCache none", 'MyTimetableOAuthCache none');
syntax_ok("MyTimetableOAuthClientAuthLimit 1 1", 'MyTimetableOAuthClientAuthLimit 1 1');
syntax_ok("MyTimetableOAuthClientAuthLimit OFF", 'MyTimetableOAuthClientAuthLimit OFF');
syntax_ok("MyTimetableOAuthCache memcache:127.0.0.1:11211",
          'MyTimetableOAuthCache memcache:… with mod_socache_memcache loaded after it',
          load => ['socache_memcache']);
syntax_ok("MyTimetableOAuthCache redis:127.0.0.1:6379",
          'MyTimetableOAuthCache redis:… with mod_socache_redis loaded after it',
          load => ['socache_redis']);
syntax_ok("MyTimetableOAuthCache none", 'MyTimetableOAuthCache none without mod_socache_shmcb',
          shmcb => 0);
syntax_ok("MyTimetableOAuthCodeLifetime 1\nMyTimetableOAuthTokenLifetime 315360000",
          'MyTimetableOAuthCodeLifetime 1, MyTimetableOAuthTokenLifetime 315360000');
syntax_ok("<Location /oauth/token>\n SetHandler mytimetable-oauth-token\n</Location>",
          'mod_dbd loaded after the module', dbd_after => 1);

# --- bad values: [line, the directive the message must name, name] -----------

my @bad = (
    ['MyTimetableOAuthIssuer not-a-url'],
    ['MyTimetableOAuthIssuer ftp://oauth.example.org'],
    ['MyTimetableOAuthIssuer https://'],
    ['MyTimetableOAuthIssuer https://oauth.example.org/?tenant=1'],
    ['MyTimetableOAuthIssuer https://oauth.example.org/#top'],
    ['MyTimetableOAuthIssuer'],
    ['MyTimetableOAuthIssuer https://a.example https://b.example'],

    ['MyTimetableOAuthTokenLifetime -1'],
    ['MyTimetableOAuthTokenLifetime 12h'],
    ['MyTimetableOAuthTokenLifetime ""'],
    ['MyTimetableOAuthTokenLifetime 315360001'],
    ['MyTimetableOAuthTokenLifetime 99999999999999999999'],
    ['MyTimetableOAuthTokenLifetime 1 2'],

    ['MyTimetableOAuthCodeLifetime 0'],
    ['MyTimetableOAuthCodeLifetime 601'],
    ['MyTimetableOAuthCodeLifetime -5'],
    ['MyTimetableOAuthCodeLifetime 1.5'],
    ['MyTimetableOAuthCodeLifetime five'],

    ['MyTimetableOAuthApprovalLifetime -1'],
    ['MyTimetableOAuthApprovalLifetime forever'],
    ['MyTimetableOAuthApprovalLifetime 0x10'],

    ['MyTimetableOAuthRequirePKCE yes'],
    ['MyTimetableOAuthRequirePKCE S256'],
    ['MyTimetableOAuthRequirePKCE'],

    ['MyTimetableOAuthCache ""'],
    ['MyTimetableOAuthCache :/tmp/cache'],
    ['MyTimetableOAuthCache nosuchprovider'],
    ['MyTimetableOAuthCache memcache:127.0.0.1:11211', 'MyTimetableOAuthCache',
     'MyTimetableOAuthCache memcache:… without mod_socache_memcache'],
    ['MyTimetableOAuthCache shmcb none'],
    ["<VirtualHost 127.0.0.1:8443>\n MyTimetableOAuthCache nosuchprovider\n</VirtualHost>",
     'MyTimetableOAuthCache', 'MyTimetableOAuthCache nosuchprovider in a VirtualHost'],

    ['MyTimetableOAuthCacheTTL -1'],
    ['MyTimetableOAuthCacheTTL 86401'],
    ['MyTimetableOAuthCacheTTL ten'],

    ['MyTimetableOAuthPurgeInterval -1'],
    ['MyTimetableOAuthPurgeInterval 86401'],
    ['MyTimetableOAuthPurgeInterval hourly'],

    ['MyTimetableOAuthClientAuthLimit 0 60'],
    ['MyTimetableOAuthClientAuthLimit -1 60'],
    ['MyTimetableOAuthClientAuthLimit 10001 60'],
    ['MyTimetableOAuthClientAuthLimit 10 0'],
    ['MyTimetableOAuthClientAuthLimit 10 86401'],
    ['MyTimetableOAuthClientAuthLimit 10'],
    ['MyTimetableOAuthClientAuthLimit ten 60'],
    ['MyTimetableOAuthClientAuthLimit 10 1m'],
    ['MyTimetableOAuthClientAuthLimit 10 ""'],
    ['MyTimetableOAuthClientAuthLimit off 60'],
    ['MyTimetableOAuthClientAuthLimit on'],
    ['MyTimetableOAuthClientAuthLimit'],
    ['MyTimetableOAuthClientAuthLimit 10 60 5'],

    ['MyTimetableOAuthScope "two words" "a scope with a space"'],
    ['MyTimetableOAuthScope "" "an empty scope name"'],
    ['MyTimetableOAuthScope say"hi "a quote in the name"'],
    ['MyTimetableOAuthScope lonely'],
    ['MyTimetableOAuthScope a "b" nl extra'],
    ['MyTimetableOAuthScope a "b" "n l"'],
    ["MyTimetableOAuthConsentTemplate $no_csrf nl", 'MyTimetableOAuthConsentTemplate',
     'MyTimetableOAuthConsentTemplate with LANG without {{csrf_token}}'],

    ["MyTimetableOAuthConsentTemplate $dir/no-such-file.html", 'MyTimetableOAuthConsentTemplate',
     'MyTimetableOAuthConsentTemplate of a missing file'],
    ["MyTimetableOAuthConsentTemplate $no_csrf", 'MyTimetableOAuthConsentTemplate',
     'MyTimetableOAuthConsentTemplate without {{csrf_token}}'],
    ["MyTimetableOAuthConsentTemplate $huge", 'MyTimetableOAuthConsentTemplate',
     'MyTimetableOAuthConsentTemplate larger than 256 KB'],
    ["MyTimetableOAuthConsentTemplate $dir", 'MyTimetableOAuthConsentTemplate',
     'MyTimetableOAuthConsentTemplate of a directory'],

    [in_location('MyTimetableOAuthAcceptTokenIn cookie'), 'MyTimetableOAuthAcceptTokenIn',
     'MyTimetableOAuthAcceptTokenIn cookie'],
    [in_location('MyTimetableOAuthAcceptTokenIn header body'), 'MyTimetableOAuthAcceptTokenIn',
     'MyTimetableOAuthAcceptTokenIn header body'],
    [in_location('MyTimetableOAuthAcceptTokenIn'), 'MyTimetableOAuthAcceptTokenIn',
     'MyTimetableOAuthAcceptTokenIn without a value'],
    ['MyTimetableOAuthAcceptTokenIn header', 'MyTimetableOAuthAcceptTokenIn',
     'MyTimetableOAuthAcceptTokenIn outside a directory section'],

    [in_location('MyTimetableOAuthRequireApiToken yes'), 'MyTimetableOAuthRequireApiToken',
     'MyTimetableOAuthRequireApiToken yes'],
    ['MyTimetableOAuthRequireApiToken On', 'MyTimetableOAuthRequireApiToken',
     'MyTimetableOAuthRequireApiToken outside a directory section'],

    [in_location('MyTimetableOAuthPassToken maybe'), 'MyTimetableOAuthPassToken',
     'MyTimetableOAuthPassToken maybe'],
    ['MyTimetableOAuthPassToken Off', 'MyTimetableOAuthPassToken',
     'MyTimetableOAuthPassToken outside a directory section'],
);

# Server-wide directives inside a <Location>.
for my $line ('MyTimetableOAuthIssuer https://oauth.example.org',
              'MyTimetableOAuthTokenLifetime 60', 'MyTimetableOAuthCodeLifetime 60',
              'MyTimetableOAuthApprovalLifetime 60', 'MyTimetableOAuthRequirePKCE On',
              'MyTimetableOAuthCache none', 'MyTimetableOAuthCacheTTL 60',
              'MyTimetableOAuthPurgeInterval 60', 'MyTimetableOAuthClientAuthLimit 10 60',
              'MyTimetableOAuthScope extra "an extra scope"',
              "MyTimetableOAuthConsentTemplate $template") {
    my ($directive) = $line =~ /^(\S+)/;
    push @bad, [in_location($line), $directive, "$directive inside <Location>"];
}

for my $case (@bad) {
    my ($lines, $what, $name) = @$case;
    $what //= ($lines =~ /^(\S+)/)[0];
    $name //= $lines;
    refused($lines, $what, $name);
}

# --- the default cache, shmcb, without its module ----------------------------

refused('', 'mod_socache_shmcb', 'no MyTimetableOAuthCache (shmcb) without mod_socache_shmcb',
        shmcb => 0);
refused("<VirtualHost 127.0.0.1:8443>\n MyTimetableOAuthCache none\n</VirtualHost>",
        'mod_socache_shmcb', 'none in a virtual host only, shmcb missing for the main server',
        shmcb => 0);

# --- mod_dbd missing (README "Directive reference") ------------------------------------------------

refused("<Location /oauth/token>\n SetHandler mytimetable-oauth-token\n</Location>", 'mod_dbd',
        'the token handler without mod_dbd', dbd => 0);
refused("MyTimetableOAuthCodeLifetime 60", 'mod_dbd', 'a directive without mod_dbd', dbd => 0);

done_testing();
