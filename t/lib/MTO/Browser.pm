package MTO::Browser;
# Headless Chromium for the tests, driven through chromedriver's W3C
# WebDriver HTTP interface with LWP and JSON (no npm, no Selenium):
#
#   my $b = MTO::Browser->start(timeout => 15)
#       or plan skip_all => "no browser: $MTO::Browser::WHY";
#   $b->get($url); $b->click($b->find('button')); $b->press('Tab'); $b->screenshot($png);
#   $b->stop;       # also at exit: every process it started is ended
#
# chromedriver runs in a process group of its own, with a scratch folder as
# its HOME: stop() ends that group (Chromium is in it) and Chromium's crash
# handlers (they leave the group, but name the folder), by their PIDs, and
# nothing else.  Chromium as root needs --no-sandbox; without the background
# networking flags it keeps trying hosts this machine cannot reach.
use strict;
use warnings;

use File::Temp ();
use HTTP::Request ();
use IO::Socket::INET ();
use JSON ();
use LWP::UserAgent ();
use MIME::Base64 ();
use POSIX ();
use Time::HiRes ();

our $WHY = '';                  # why start() returned undef

my $JSON = JSON->new->utf8->canonical;
my $ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';     # W3C WebDriver's element key
my @CHROMIUM_FLAGS = (qw(
    --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-quic
    --no-first-run --no-default-browser-check --disable-background-networking
    --disable-component-update --disable-sync --disable-extensions
    --no-proxy-server
), '--window-size=1024,768');
my %STARTED;                    # chromedriver pid => scratch folder, ended in END

sub _free_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1)
        or die "MTO::Browser: no free port: $!\n";
    return $s->sockport;
}

# start(timeout => seconds (each wait), chromium => path, chromedriver =>
# path, lang => 'nl'): a fresh browser session, or undef with $WHY set.
# lang: the browser's language (its Accept-Language), else Chromium's own.
sub start {
    my ($class, %o) = @_;
    my $chromium = $o{chromium} // '/usr/bin/chromium';
    my $driver = $o{chromedriver} // '/usr/bin/chromedriver';
    for ($chromium, $driver) {
        return _why("$_ is not installed (Debian: chromium, chromium-driver)") unless -x;
    }
    my $self = bless { timeout => $o{timeout} // 20, port => _free_port(),
                       lang => $o{lang},
                       tmp => File::Temp->newdir('mto-browser-XXXXXX', TMPDIR => 1) }, $class;
    $self->{ua} = LWP::UserAgent->new(timeout => $self->{timeout}, env_proxy => 0);
    $self->{ua}->no_proxy('127.0.0.1');
    $self->{log} = "$self->{tmp}/chromedriver.log";
    $self->_spawn($driver) or return;
    my $session = eval { $self->_session($chromium) };
    if (!$session) {
        my $err = $@ || 'no session';
        $self->stop;
        return _why("chromium did not start: $err");
    }
    return $self;
}

sub _why { $WHY = $_[0]; $WHY =~ s/\s+/ /g; $WHY = substr $WHY, 0, 300; return }

# chromedriver in a new process group, its output to a scratch file (never
# a log under t/logs: it may name the URLs it was sent to).
sub _spawn {
    my ($self, $driver) = @_;
    my $pid = fork // return _why("fork: $!");
    if (!$pid) {
        POSIX::setpgid(0, 0);
        # Chromium's files (crash reports, caches) in the scratch folder,
        # not root's home.
        @ENV{qw(HOME XDG_CONFIG_HOME XDG_CACHE_HOME)} = map { "$self->{tmp}$_" } '', '/config', '/cache';
        open STDIN, '<', '/dev/null';
        open STDOUT, '>', $self->{log};
        open STDERR, '>&', \*STDOUT;
        { no warnings 'exec'; exec $driver, "--port=$self->{port}", '--allowed-ips=127.0.0.1'; }
        POSIX::_exit(127);
    }
    POSIX::setpgid($pid, $pid);     # also from here: no race with kill below
    $self->{pid} = $pid;
    $STARTED{$pid} = "$self->{tmp}";
    $self->{pgid_was} = $pid;
    my $until = Time::HiRes::time() + 10;
    while (Time::HiRes::time() < $until) {
        my $st = eval { $self->_call(GET => '/status') };
        return 1 if $st && $st->{ready};
        if (waitpid($pid, POSIX::WNOHANG()) == $pid) {
            delete $STARTED{$pid};
            delete $self->{pid};
            return _why("chromedriver exited: " . $self->_log_tail);
        }
        Time::HiRes::sleep(0.1);
    }
    $self->stop;
    return _why('chromedriver not ready within 10 s');
}

sub _log_tail {
    my $self = shift;
    open my $fh, '<', $self->{log} or return '';
    local $/;
    my $text = <$fh> // '';
    return substr $text, -300;
}

sub _session {
    my ($self, $chromium) = @_;
    my $caps = { browserName => 'chrome', pageLoadStrategy => 'normal',
                 'goog:chromeOptions' => {
                     binary => $chromium,
                     args => [@CHROMIUM_FLAGS, "--user-data-dir=$self->{tmp}/profile",
                              ($self->{lang} ? ("--lang=$self->{lang}",
                                                "--accept-lang=$self->{lang}") : ())],
                     ($self->{lang}
                      ? (prefs => { 'intl.accept_languages' => $self->{lang} }) : ()) } };
    my $v = $self->_call(POST => '/session', { capabilities => { alwaysMatch => $caps } });
    $self->{sid} = $v->{sessionId} or die "no sessionId\n";
    $self->_cmd(POST => 'timeouts', { pageLoad => $self->{timeout} * 1000, script => 5000 });
    return $self->{sid};
}

# One WebDriver request; returns the answer's value, dies with its error.
sub _call {
    my ($self, $method, $path, $body) = @_;
    my $req = HTTP::Request->new($method, "http://127.0.0.1:$self->{port}$path",
        ['Content-Type' => 'application/json; charset=utf-8'],
        defined $body ? $JSON->encode($body) : ($method eq 'POST' ? '{}' : undef));
    my $res = $self->{ua}->request($req);
    my $data = eval { $JSON->decode($res->content) };
    die "WebDriver $method $path: " . $res->status_line . "\n" unless ref $data eq 'HASH';
    my $v = $data->{value};
    die "WebDriver $method $path: $v->{error}: " . substr($v->{message} // '', 0, 200) . "\n"
        if ref $v eq 'HASH' && defined $v->{error};
    return $v;
}

sub _cmd {
    my ($self, $method, $what, $body) = @_;
    return $self->_call($method, "/session/$self->{sid}/$what", $body);
}

# ---------------------------------------------------------------- the page

sub get { my ($self, $url) = @_; $self->_cmd(POST => 'url', { url => $url }); }

sub url { $_[0]->_cmd(GET => 'url') }

# wait_url(qr/.../): the current URL once it matches, undef after timeout.
sub wait_url {
    my ($self, $re) = @_;
    my $until = Time::HiRes::time() + $self->{timeout};
    while (Time::HiRes::time() < $until) {
        my $u = eval { $self->url } // '';
        return $u if $u =~ $re;
        Time::HiRes::sleep(0.1);
    }
    return;
}

# js($body, @args): the value of a function body run in the page.
sub js {
    my ($self, $script, @args) = @_;
    return $self->_cmd(POST => 'execute/sync', { script => $script, args => \@args });
}

# find($css) / find_all($css): element ids (find dies when there is none).
sub find {
    my ($self, $css) = @_;
    return $self->_cmd(POST => 'element', { using => 'css selector', value => $css })->{$ELEMENT};
}

sub find_all {
    my ($self, $css) = @_;
    return map { $_->{$ELEMENT} }
        @{ $self->_cmd(POST => 'elements', { using => 'css selector', value => $css }) };
}

sub _el { my ($self, $id, $what) = @_; $self->_cmd(GET => "element/$id/$what") }

sub text      { $_[0]->_el($_[1], 'text') }
sub displayed { $_[0]->_el($_[1], 'displayed') }
sub label     { $_[0]->_el($_[1], 'computedlabel') }     # the accessible name
sub role      { $_[0]->_el($_[1], 'computedrole') }

sub active { $_[0]->_cmd(GET => 'element/active')->{$ELEMENT} }

# click($id): a real mouse click on the element's centre.
sub click { my ($self, $id) = @_; $self->_cmd(POST => "element/$id/click") }

# press('Tab', 'Shift+Tab', 'Enter'): key presses sent to whatever has the
# focus; "A+B" holds A down while B is pressed.
my %KEY = (Tab => "\x{E004}", Enter => "\x{E007}", Shift => "\x{E008}");

sub press {
    my ($self, @names) = @_;
    my @actions;
    for my $name (@names) {
        my @k = map { $KEY{$_} // die "MTO::Browser: unknown key $_\n" } split /\+/, $name;
        push @actions, (map { { type => 'keyDown', value => $_ } } @k),
                       (map { { type => 'keyUp', value => $_ } } reverse @k);
    }
    $self->_cmd(POST => 'actions', { actions => [{ type => 'key', id => 'keyboard', actions => \@actions }] });
    $self->_cmd(DELETE => 'actions');
}

# viewport($w, $h, mobile => 1): the page's viewport as a device of that
# size (mobile: a phone, which honours <meta name="viewport">).
sub viewport {
    my ($self, $w, $h, %o) = @_;
    $self->_cmd(POST => 'goog/cdp/execute', { cmd => 'Emulation.setDeviceMetricsOverride',
        params => { width => $w, height => $h, deviceScaleFactor => $o{mobile} ? 2 : 1,
                    mobile => $o{mobile} ? JSON::true : JSON::false } });
}

# screenshot($file): a PNG of the viewport.
sub screenshot {
    my ($self, $file) = @_;
    my $png = MIME::Base64::decode_base64($self->_cmd(GET => 'screenshot'));
    open my $fh, '>:raw', $file or die "$file: $!\n";
    print {$fh} $png;
    close $fh or die "$file: $!\n";
    return length $png;
}

# ---------------------------------------------------------------- the end

# stop(): ends the session, then every process this browser started:
# chromedriver's process group (Chromium is in it), and Chromium's crash
# handlers, which leave the group but name the scratch folder.  TERM, then
# KILL what is left; waits for chromedriver.
sub stop {
    my $self = shift;
    eval { $self->_call(DELETE => "/session/$self->{sid}") } if $self->{sid};
    delete $self->{sid};
    my $pid = delete $self->{pid} or return;
    _end($pid, "$self->{tmp}");
}

sub _end {
    my ($pgid, $tmp) = @_;
    for my $sig ('TERM', 'KILL') {
        my @pids = _ours($pgid, $tmp) or last;
        kill $sig, @pids;
        my $until = Time::HiRes::time() + 5;
        while (Time::HiRes::time() < $until) {
            waitpid $pgid, POSIX::WNOHANG();
            last unless _ours($pgid, $tmp);
            Time::HiRes::sleep(0.05);
        }
    }
    waitpid $pgid, 0;
    delete $STARTED{$pgid};
}

# The live processes of the browser whose chromedriver is $pgid: those in
# that process group, and those whose command line names $tmp.
sub _ours {
    my ($pgid, $tmp) = @_;
    my @ours;
    for my $dir (glob '/proc/[0-9]*') {
        open my $st, '<', "$dir/stat" or next;
        my $stat = <$st> // next;
        # pid (comm) state ppid pgrp ...: comm may hold spaces and parens.
        my ($pid, $state, $pgrp) = $stat =~ /^(\d+) \(.*\) (\S) \d+ (\d+) / or next;
        next if $state eq 'Z' && $pid != $pgid;     # (a zombie of ours is reaped above)
        my $cmdline = '';
        if ($pgrp != $pgid && open my $cl, '<', "$dir/cmdline") {
            local $/;
            $cmdline = <$cl> // '';
        }
        push @ours, $pid if $pgrp == $pgid || index($cmdline, $tmp) >= 0;
    }
    return @ours;
}

# leftovers(): the processes that this browser started and that still run
# (for a test that none is left behind once stop() returned).
sub leftovers { my $self = shift; return _ours(@$self{qw(pgid_was tmp)}) }

sub DESTROY { local ($@, $?); $_[0]->stop }

END { local $?; _end($_, $STARTED{$_}) for keys %STARTED; }

1;
