# build/check-docs (run by build/test before the suite): the README's
# directive reference and Require rows, and the entries of docs/directives.md,
# against the command table and the registered providers.  Each disagreement
# is planted in a copy of the files it reads and must be reported; the tree
# as it is must pass.
use strict;
use warnings;

use Test::More;
use FindBin ();
use File::Path ();
use File::Temp ();

my $top   = "$FindBin::Bin/..";
my $check = "$top/build/check-docs";
my @files = qw(README.md docs/directives.md mod_mytimetable_oauth/config/config.c mod_mytimetable_oauth/gate/require.c);

sub slurp { my ($f) = @_; open my $fh, '<', $f or die "$f: $!"; local $/; return scalar <$fh> }

# check(%edits): runs the check on a copy with edits (file => sub { s/…/…/ on $_ });
# (exit status, output).
sub check {
    my (%edits) = @_;
    my $dir = File::Temp::tempdir('mto-check-docs-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    for my $f (@files) {
        local $_ = slurp("$top/$f");
        if ($edits{$f}) {
            my $before = $_;
            $edits{$f}->();
            die "the edit of $f changed nothing" if $_ eq $before;
        }
        (my $folder = "$dir/$f") =~ s{/[^/]*$}{};
        File::Path::make_path($folder);
        open my $fh, '>', "$dir/$f" or die;
        print {$fh} $_;
        close $fh;
    }
    my $out = `MTO_CHECK_DOCS_ROOT='$dir' '$check' 2>&1`;
    return ($? >> 8, $out);
}

my ($st, $out) = check();
ok($st == 0 && $out =~ /^build\/check-docs: ok \(\d+ directives, 2 Require providers\)/, 'the tree as it is passes')
    or diag $out;

($st, $out) = check('README.md' => sub { s/^(\| `MyTimetableOAuthPassToken [^|]*\\\|[^|]*\| )directory/${1}server/m });
ok($st == 1 && $out =~ /MyTimetableOAuthPassToken: context "server", the command table says directory/,
   'a context that differs is reported');
($st, $out) = check('README.md' => sub { s/^(\| `MyTimetableOAuthCodeLifetime SECONDS` \| server \| )`300`/${1}`600`/m });
ok($st == 1 && $out =~ /MyTimetableOAuthCodeLifetime: default "`600`".*\(default 300\)/,
   'a default that differs from the help text is reported');
($st, $out) = check('README.md' => sub { s/^\| `MyTimetableOAuthCacheTTL .*\n//m });
ok($st == 1 && $out =~ /MyTimetableOAuthCacheTTL .*not in the README directive reference/,
   'a directive missing from the README is reported');
($st, $out) = check('mod_mytimetable_oauth/config/config.c' => sub { s/"MyTimetableOAuthCacheTTL"/"MyTimetableOAuthCacheSeconds"/ });
ok($st == 1 && $out =~ /MyTimetableOAuthCacheTTL: documented, but not in the command table/
   && $out =~ /MyTimetableOAuthCacheSeconds .*not in the README/,
   'a directive missing from the command table is reported');
($st, $out) = check('mod_mytimetable_oauth/config/config.c' => sub { s/ \(default 43200\)// });
ok($st == 1 && $out =~ /MyTimetableOAuthTokenLifetime: its help text says no "\(default …\)"/,
   'a help text without its default is reported');
($st, $out) = check('mod_mytimetable_oauth/gate/require.c'
    => sub { s/("api-token", AUTHZ_PROVIDER_VERSION)/$1, x);\n    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "oauth-user", AUTHZ_PROVIDER_VERSION/ });
ok($st == 1 && $out =~ /Require oauth-user .*no row "\| `Require oauth-user/,
   'a Require provider without its README row is reported');
($st, $out) = check('docs/directives.md' => sub { s/^## MyTimetableOAuthCacheTTL\n//m });
ok($st == 1 && $out =~ /MyTimetableOAuthCacheTTL .*no entry "## MyTimetableOAuthCacheTTL" in docs\/directives.md/,
   'a directive without its entry in docs/directives.md is reported');

done_testing;
