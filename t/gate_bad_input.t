# Hostile input to the gate (docs/gate.md, docs/security.md: never a 5xx or a crash for a
# request a client can send).  10,000 generated requests (fixed seed) go to
# gated Locations (/gate/cgi, /gate/proxy, /gate/any, /gate/need-api) with
# junk in every place the gate reads: the Authorization header (random
# bytes, odd spacing and tabs, other schemes, quotes, backslashes, 32 KB),
# the query (access_token repeated, empty, %00, %zz, non-UTF-8, many "&",
# 64 KB), apiToken, requestedAuth and forged X-OAuth-* headers.  None
# carries a valid credential, so each must get exactly the answer RFC 6750 /
# docs/gate.md give for it, computed here from the request alone: 400
# invalid_request, 401 invalid_token / invalid_api_token / a bare challenge,
# 403 access_denied.  Requests with control characters in a header never
# reach the gate: httpd's core answers them 400 itself.
#
# Then valid tokens with junk around them (forged identity headers, junk in
# other parameters, legal odd spellings), httpd's own limits on the main
# server, a valid token still served, and an error_log free of crashes.
#
# The requests go out on raw keep-alive sockets (LWP would re-encode or
# refuse the bytes this test is about); the 10,000 go to the virtual host
# gate_bad_input (t/conf/gate_bad_input.conf.in), whose raised request limits
# let a 64 KB query and 32 KB headers reach the gate.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use IO::Select ();
use IO::Socket::INET ();
use JSON ();
use Time::HiRes ();
use MTO::Test;

my $started = Time::HiRes::time();
my $DEADLINE = $started + time_budget(50); # the whole file stays well under 60 s (unstretched)
$SIG{PIPE} = 'IGNORE';

my $N_CASES = 10_000;
my @PATHS = qw(/gate/cgi /gate/proxy /gate/any /gate/need-api);
my $REALM = 'MyTimetable';

# --- a deterministic generator (independent of Perl's rand, which the
# helpers use for client ids and secrets) ------------------------------------

my $seed = 0x2545F491;
sub rnd {                                   # 0 .. $n-1 (xorshift32)
    my ($n) = @_;
    $seed ^= ($seed << 13) & 0xFFFFFFFF;
    $seed ^= $seed >> 17;
    $seed ^= ($seed << 5) & 0xFFFFFFFF;
    return $seed % $n;
}
sub pick   { $_[rnd(scalar @_)] }
sub chance { rnd(1000) < $_[0] * 1000 }
my %byte_map;                               # alphabet => sub mapping bytes into it
sub str_from {                             # $len characters of $alphabet
    my ($alphabet, $len) = @_;
    # Long values repeat a random block: as hostile, and 10,000 stay fast.
    return substr str_from($alphabet, 512) x (1 + $len / 512), 0, $len if $len > 512;
    my $map = $byte_map{$alphabet} //= do {
        my $to = join '', map { sprintf '\\x%02X', ord substr $alphabet, $_ % length $alphabet, 1 } 0 .. 255;
        eval "sub { \$_[0] =~ tr/\\x00-\\xFF/$to/r }" or die $@;
    };
    return $map->(substr pack('N*', map { rnd(2**32) } 0 .. $len / 4), 0, $len);
}

my $B64 = join '', 'A' .. 'Z', 'a' .. 'z', 0 .. 9, '-._~+/';
# What httpd lets through in a header value: SP, HTAB, VCHAR, obs-text.
my $FIELD = join '', "\t", map { chr } 0x20 .. 0x7E, 0x80 .. 0xFF;
my $ODD = qq{"\\',;:=%&?#<>()[]{}\@! \t\x80\xC3\x28\xFF\xFE};
my @CTL = map { chr } 0x01 .. 0x08, 0x0B, 0x0C, 0x0E .. 0x1F, 0x7F;

sub b64_junk { str_from($B64, 1 + rnd(60)) }      # well formed, never issued
# httpd takes the blanks around a header value off (s/[ \t]+\z// is slow on
# 32 KB: the end is trimmed from the front of the reversed string).
sub trim { my $s = shift =~ s/^[ \t]+//r; return scalar reverse(reverse($s) =~ s/^[ \t]+//r) }
sub field_junk { trim(str_from($FIELD, rnd($_[0] // 80))) }
sub odd_junk {                             # mostly b64token, a third odd
    my $s = str_from($B64, 1 + rnd(40));
    substr($s, rnd(length $s), 1) = substr $ODD, rnd(length $ODD), 1 for 0 .. length($s) / 3;
    return $s;
}

# Percent-encodes for a query, except what the case wants raw.
sub qenc {
    my ($s) = @_;
    $s =~ s/([^A-Za-z0-9\-._~])/sprintf '%%%02X', ord $1/ge;
    return $s;
}

# --- the oracle: what RFC 6750 / docs/gate.md say the gate answers ---------------

# RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token.  Returns 'absent'
# (no header, or another scheme), 'found' or 'malformed'.
sub header_verdict {
    my ($v) = @_;
    return 'absent' unless defined $v;
    my ($scheme, $rest) = $v =~ /^([!#\$%&'*+\-.^_`|~A-Za-z0-9]*)(.*)\z/s;
    return 'malformed' if $scheme eq '' || ($rest ne '' && $rest !~ /^ /);
    return 'absent' unless lc $scheme eq 'bearer';
    $rest = reverse(reverse($rest =~ s/^ +//r) =~ s/^ +//r);
    return $rest =~ m{\A[A-Za-z0-9\-._~+/]+=*\z} ? 'found' : 'malformed';
}

# application/x-www-form-urlencoded decoding; undef when it fails (a bad or
# NUL escape, a raw NUL, bytes that are not UTF-8).
sub form_decode {
    my ($s) = @_;
    return undef if $s =~ /%(?![0-9A-Fa-f]{2})/ || $s =~ /%00/;
    $s =~ tr/+/ /;
    $s =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge;
    return undef if $s =~ /\0/;
    return undef unless utf8::decode(my $copy = $s);
    return $s;
}

# RFC 6750 §2.3: one access_token parameter holding a b64token.
sub query_verdict {
    my ($q) = @_;
    return 'absent' unless defined $q;
    $q =~ s/#.*//s;
    my @values;
    for my $pair (grep { $_ ne '' } split /&+/, $q) {
        my ($name, $value) = $pair =~ /^([^=]*)(?:=(.*))?\z/s;
        next if length $name > 3 * length 'access_token';       # cannot decode to it
        my $n = form_decode($name);
        push @values, $value if defined $n && $n eq 'access_token';
    }
    return 'absent' unless @values;
    return 'malformed' if @values > 1 || !defined $values[0];
    my $v = form_decode($values[0]);
    return defined $v && $v =~ m{\A[A-Za-z0-9\-._~+/]+=*\z} ? 'found' : 'malformed';
}

# [status, error] the gate owes a request without a valid credential
# (error '' = the bare challenge of RFC 6750 §3.1).
sub expected_answer {
    my ($c) = @_;
    my %h;                                  # as httpd merges repeated headers
    for (@{ $c->{headers} }) {
        my $k = lc $_->[0];
        $h{$k} = exists $h{$k} ? "$h{$k}, $_->[1]" : $_->[1];
    }
    my $hv = header_verdict($h{authorization});
    my $qv = query_verdict($c->{query});
    return [400, 'invalid_request'] if $hv eq 'malformed' || $qv eq 'malformed'
        || ($hv eq 'found' && $qv eq 'found');
    return [401, 'invalid_api_token'] if defined $h{apitoken};
    return [403, 'access_denied'] if defined $h{requestedauth};
    return [401, 'invalid_token'] if $hv eq 'found' || $qv eq 'found';
    return [401, 'invalid_api_token'] if $c->{path} eq '/gate/need-api';
    return [401, ''];
}

# --- the cases ----------------------------------------------------------------

my @SPACES = (' ', '  ', '   ', "\t", " \t", "\t ", '', ',', '=', ' , ');
my @SCHEMES = (qw(Bearer bearer BEARER BeArEr Bearer: OAuth Basic Token Negotiate Digest MAC B3arer),
               "Bearer,");

my %AUTH_GEN = (
    random_bytes => sub { field_junk(200) },
    bearer_odd_spacing => sub { 'Bearer' . pick(@SPACES) . b64_junk() . pick('', ' ', '  ') },
    bearer_odd_chars => sub { pick(@SCHEMES) . ' ' . odd_junk() },
    bearer_ctl_escaped => sub { 'Bearer ' . b64_junk() . pick('%00', '%0A', '\\0', '\\n', '"') . b64_junk() },
    other_scheme => sub { pick(@SCHEMES) . pick('', ' ', ' ' . b64_junk(), ' ' . field_junk(40)) },
    bearer_only => sub { pick('Bearer', 'bearer ', 'Bearer ""', 'Bearer =', 'Bearer ==', '') },
    bearer_quoted => sub { 'Bearer ' . pick('"' . b64_junk() . '"', "'" . b64_junk() . "'",
                                             'token="' . b64_junk() . '"', b64_junk() . '\\') },
    bearer_two_tokens => sub { 'Bearer ' . b64_junk() . pick(' ', ', ', ',') . b64_junk() },
    bearer_huge => sub { 'Bearer ' . str_from($B64, 8_000 + rnd(24_000)) },
    huge_junk => sub { str_from($FIELD, 8_000 + rnd(8_000)) . 'x' },
);

my %QUERY_GEN = (
    token_junk => sub { 'access_token=' . qenc(odd_junk()) },
    token_b64 => sub { 'access_token=' . qenc(b64_junk()) },
    token_raw_odd => sub { 'access_token=' . odd_junk() =~ s/[ \t#]/+/gr },
    token_bad_escape => sub { 'access_token=' . b64_junk() . pick('%zz', '%0', '%', '%00', '%C3%28',
                                 '%FF', '%C0%AF', '%E2%82', '%ED%A0%80', '%0D%0A', '%22', '%5C') . b64_junk() },
    token_raw_8bit => sub { 'access_token=' . b64_junk() . pick("\x80", "\xC3\x28", "\xFF", "\xFE\xFF") },
    token_empty => sub { pick('access_token', 'access_token=', 'access_token=&x=1', 'x=1&access_token') },
    token_repeated => sub { my $t = qenc(b64_junk());
                            join '&', map { 'access_token=' . (rnd(2) ? $t : qenc(b64_junk())) } 1 .. 2 + rnd(3) },
    many_amps => sub { join '&' x (1 + rnd(50)), '', 'access_token=' . qenc(b64_junk()),
                       pick('', 'a=1', '=x', '=', 'x'), '' },
    name_variants => sub { pick('access%5Ftoken', 'ACCESS_TOKEN', 'access_token%00', 'access_token+',
                                'access_token%20', 'access_token[]', 'access_tok%65n', '%61ccess_token',
                                'access_token%zz', 'access%C3%28token') . '=' . qenc(b64_junk()) },
    other_params => sub { join '&', map { qenc(odd_junk()) . '=' . qenc(odd_junk()) } 1 .. 1 + rnd(8) },
    huge_token => sub { 'access_token=' . str_from($B64 =~ tr{+/}{}dr, 65_536) },
    huge_junk => sub { my $v = qenc(str_from($FIELD, 600)); join '&', map { "p$_=$v" } 1 .. 40 },
    huge_amps => sub { ('&' x 65_536) . 'access_token=' . qenc(b64_junk()) },
);

my @IDENTITY = qw(X-OAuth-User x-oauth-user X-OAUTH-USER X-OAuth-Scope X-OAuth-Client-Id x-OAuth-client-ID);

my @JUNK_VALUES = (sub { field_junk(60) }, sub { trim(odd_junk()) },
                   sub { 'alice' }, sub { 'admin' }, sub { 'profile_read alltimetables' },
                   sub { '' }, sub { str_from($FIELD, 9_000) . 'x' });
sub junk_value { pick(@JUNK_VALUES)->() }

sub make_case {
    my %c = (path => pick(@PATHS), headers => [], tags => []);
    my $tag = sub { push @{ $c{tags} }, @_ };
    if (chance(0.6)) {
        my $kind = pick(sort keys %AUTH_GEN);
        my $v = $AUTH_GEN{$kind}->();
        push @{ $c{headers} }, [pick('Authorization', 'authorization', 'AUTHORIZATION') => trim($v)];
        $tag->("auth:$kind");
        if (chance(0.05)) {
            push @{ $c{headers} }, [Authorization => 'Bearer ' . b64_junk()];
            $tag->('auth:repeated');
        }
    }
    if (chance(0.5)) {
        my $kind = pick(sort keys %QUERY_GEN);
        $c{query} = $QUERY_GEN{$kind}->();
        $tag->("query:$kind");
    }
    if (chance(0.15)) {
        push @{ $c{headers} }, [pick('apiToken', 'apitoken', 'APITOKEN') => junk_value()];
        $tag->('apiToken');
    }
    if (chance(0.15)) {
        push @{ $c{headers} }, [pick('requestedAuth', 'RequestedAuth') => junk_value()];
        $tag->('requestedAuth');
    }
    if (chance(0.3)) {
        push @{ $c{headers} }, [pick(@IDENTITY) => junk_value()] for 1 .. 1 + rnd(3);
        $tag->('x-oauth');
    }
    if (chance(0.03)) {                      # never reaches the gate
        push @{ $c{headers} }, [pick('Authorization', 'apiToken', 'X-Junk')
                                => b64_junk() . pick(@CTL) . b64_junk()];
        $c{core} = 1;
        $tag->('ctl');
    }
    $tag->('nothing') unless @{ $c{tags} };
    return \%c;
}

# --- a raw HTTP/1.1 keep-alive client ---------------------------------------

my %conn;                                   # hostport => socket

sub wire_request {
    my ($c) = @_;
    my $target = $c->{path} . (defined $c->{query} ? "?$c->{query}" : '');
    return join '', "GET $target HTTP/1.1\r\nHost: localhost\r\n",
        (map { "$_->[0]: $_->[1]\r\n" } @{ $c->{headers} }), "\r\n";
}

sub read_some {
    my ($sock, $buf) = @_;
    my $left = $DEADLINE - Time::HiRes::time();
    $left = 5 if $left > 5;                 # one answer may take that long, no more
    return -1 if $left <= 0 || !IO::Select->new($sock)->can_read($left);
    return sysread($sock, $$buf, 65536, length $$buf) // -1;
}

# One request on a kept-alive connection (a fresh one when the server
# closed it).  Returns {code, headers => {lc name => value}, body} or undef.
sub roundtrip {
    my ($hostport, $raw) = @_;
    for my $attempt (1, 2) {
        my $sock = $conn{$hostport} //= IO::Socket::INET->new(PeerAddr => $hostport, Timeout => 10)
            or die "connect $hostport: $!\n";
        binmode $sock;
        my $sent = defined syswrite $sock, $raw;
        my $buf = '';
        my $n = 0;
        while ($sent && $buf !~ /\r\n\r\n/) {
            $n = read_some($sock, \$buf);
            last if !$n || $n < 0;
        }
        if ($buf !~ /\r\n\r\n/) {
            delete $conn{$hostport};
            next if $buf eq '' && $attempt == 1 && $n >= 0;   # an idle close: once more
            return undef;
        }
        my ($head, $body) = split /\r\n\r\n/, $buf, 2;
        my ($status_line, @lines) = split /\r\n/, $head;
        my ($code) = $status_line =~ m{^HTTP/1\.\d (\d{3})} or return undef;
        my %h;
        for (@lines) {
            my ($k, $v) = /^([^:]+):\s*(.*)$/ or next;
            $h{lc $k} = exists $h{lc $k} ? "$h{lc $k}, $v" : $v;
        }
        if (defined $h{'content-length'}) {
            while (length $body < $h{'content-length'}) {
                last if read_some($sock, \$body) <= 0;
            }
        }
        elsif (($h{'transfer-encoding'} // '') =~ /chunked/i) {
            $body = dechunk($sock, $body);
        }
        else {
            1 while read_some($sock, \$body) > 0;
            $h{connection} = 'close';
        }
        delete $conn{$hostport} if ($h{connection} // '') =~ /close/i;
        return { code => $code, headers => \%h, body => $body };
    }
    return undef;
}

sub dechunk {
    my ($sock, $buf) = @_;
    my $out = '';
    while (1) {
        while ($buf !~ /\r\n/) { return $out if read_some($sock, \$buf) <= 0 }
        my ($size) = $buf =~ /^([0-9A-Fa-f]+)/ or return $out;
        $size = hex $size;
        while (length($buf) < index($buf, "\r\n") + 2 + $size + 2) {
            return $out if read_some($sock, \$buf) <= 0;
        }
        $buf =~ s/^[^\r]*\r\n//;
        return $out if $size == 0;
        $out .= substr $buf, 0, $size, '';
        $buf =~ s/^\r\n//;
    }
}

# --- what came back -----------------------------------------------------------

my $JSON = JSON->new->utf8;

# {source => gate|core, status, error, bad => why it is malformed}
sub classify {
    my ($res) = @_;
    return { source => 'none', status => 0, error => '', bad => 'no response' } unless $res;
    my $h = $res->{headers};
    my $challenge = $h->{'www-authenticate'};
    my $json = ($h->{'content-type'} // '') =~ m{^application/json}
        ? eval { $JSON->decode($res->{body}) } : undef;
    my %out = (status => $res->{code}, source => 'core', error => '');
    if (defined $challenge || ($json && defined $json->{error})) {
        $out{source} = 'gate';
        $out{error} = $json ? $json->{error} // ''
                    : (($challenge // '') =~ /\berror="([^"]*)"/)[0] // '';
    }
    if (defined $challenge) {
        my ($cerr) = $challenge =~ /\berror="([^"]*)"/;
        $out{bad} = "challenge not Bearer realm=\"$REALM\": $challenge"
            unless $challenge =~ /^Bearer realm="\Q$REALM\E"(?:, [a-z_]+="(?:[^"\\]|\\.)*")*\z/;
        $out{bad} = "challenge error=$cerr, body error=$out{error}"
            if $json && defined $cerr && $cerr ne $out{error};
        $out{bad} = 'a challenge on a 403 access_denied' if $out{error} eq 'access_denied';
    }
    elsif ($res->{code} == 401) {
        $out{bad} = 'a 401 without WWW-Authenticate';
    }
    $out{bad} = "Content-Type application/json but no JSON body"
        if ($h->{'content-type'} // '') =~ m{^application/json} && !$json;
    return \%out;
}

sub printable { my $s = substr shift, 0, 200; $s =~ s/([^\x20-\x7E])/sprintf '\\x%02X', ord $1/ge; $s }

# The error_log grows from here: only this file's lines are looked at.
my $error_log = Apache::Test::vars('t_logs') . '/error_log';
my $log_offset = -s $error_log // 0;

# --- 1. 10,000 requests without a valid credential ------------------------------

Apache::TestRequest::module('gate_bad_input');
my $big = Apache::TestRequest::hostport();
Apache::TestRequest::module('default');
my $main = Apache::TestRequest::hostport();

my (%outcome, %by_tag, %by_tag_bad, @wrong, $sent, @slowest);
for my $i (1 .. $N_CASES) {
    last if Time::HiRes::time() > $DEADLINE;
    my $c = make_case();
    my $t0 = Time::HiRes::time();
    my $res = roundtrip($big, wire_request($c));
    my $took = Time::HiRes::time() - $t0;
    @slowest = ($took, $i, $c) if !@slowest || $took > $slowest[0];
    $sent++;
    my $got = classify($res);
    my $want = $c->{core} ? [400, 'core'] : expected_answer($c);
    my $ok = $c->{core}
        ? $got->{status} == 400 && $got->{source} eq 'core'
        : $got->{source} eq 'gate' && $got->{status} == $want->[0] && $got->{error} eq $want->[1]
          && !$got->{bad};
    my $key = "$got->{status} " . ($got->{source} eq 'core' ? "(httpd core)" : $got->{error} || '(bare challenge)');
    $outcome{$key}++;
    for my $tag (@{ $c->{tags} }) {
        $by_tag{$tag}++;
        $by_tag_bad{$tag}++ unless $ok;
    }
    next if $ok;
    push @wrong, sprintf "#%d %s %s: want %d %s, got %d %s %s%s\n    %s", $i, $c->{path},
        join(',', @{ $c->{tags} }), $want->[0], $want->[1] || '(bare)', $got->{status},
        $got->{source}, $got->{error}, ($got->{bad} ? " [$got->{bad}]" : ''),
        printable(wire_request($c));
}

is $sent, $N_CASES, "all $N_CASES generated requests were answered in time";
is scalar(grep { /^5\d\d / || /^0 / } keys %outcome), 0, 'no generated request gets a 5xx or no answer'
    or diag join "\n", map { "$_: $outcome{$_}" } grep { /^[50]/ } sort keys %outcome;
is scalar(grep { !/^(400|401|403) / } keys %outcome), 0, 'every answer is a 400, 401 or 403';
ok !@wrong, 'every request gets the answer RFC 6750 / docs/gate.md give for it (status, error, challenge)'
    or diag scalar(@wrong) . " wrong, the first ones:\n" . join "\n", @wrong[0 .. ($#wrong < 9 ? $#wrong : 9)];
for my $tag (sort keys %by_tag) {
    next if $tag eq 'nothing';
    # (A wrong answer counts against every ingredient of its request.)
    ok !$by_tag_bad{$tag}, "the $by_tag{$tag} requests with $tag: each gets its RFC 6750 / README (The gate) answer";
}
diag sprintf "%d requests in %.1f s (the slowest, #%d %s, %.3f s); outcomes:\n%s", $sent,
    Time::HiRes::time() - $started, $slowest[1], join(',', @{ $slowest[2]{tags} }), $slowest[0],
    join "\n", map { sprintf '  %6d  %s', $outcome{$_}, $_ } sort keys %outcome;

# The cases behind a fixed bug, by name: PostgreSQL refused the lookup of an
# apiToken that is not UTF-8 and the gate answered 503.
for my $bytes ("\xFF\xFE", "ab\xC3\x28cd", "\xED\xA0\x80", "\xC0\xAF") {
    my $got = classify(roundtrip($big, wire_request({ path => '/gate/any',
                                                      headers => [[apiToken => $bytes]] })));
    ok $got->{status} == 401 && $got->{error} eq 'invalid_api_token' && !$got->{bad},
        'an apiToken that is not UTF-8 (' . printable($bytes) . ') is unknown: 401 invalid_api_token'
        or diag "got $got->{status} $got->{source} $got->{error}";
}

# --- 2. valid tokens with junk around them -------------------------------------

my $client = add_client(scope => 'profile_read,alltimetables');
my $token = obtain_token(client => $client, user => 'alice',
                         scope => 'profile_read alltimetables')->{access_token};

# [name, path, query, headers]: each must pass, and the backend must see
# alice and the token's scopes, not the forged identity.
my @VALID = (
    (map { my $p = $_; map {
        my $h = $_;
        ["forged $h on $p", $p, undef, [[Authorization => "Bearer $token"], [$h => junk_value()],
                                         ['X-OAuth-Client-Id' => trim(odd_junk())]]]
      } @IDENTITY[0 .. 3] } qw(/gate/cgi /gate/proxy)),
    ['the token in the query beside junk parameters', '/gate/cgi',
     join('&', '&&', 'a=%zz', 'b=%00', 'c=%C3%28', "d=\xFF", 'access_token=' . qenc($token), '&'), []],
    ['junk parameters beside a header token', '/gate/proxy',
     'x=%zz&y=' . qenc("\"\\'") . '&&&z', [[Authorization => "Bearer $token"]]],
    ['lower-case scheme, three spaces, trailing spaces', '/gate/cgi', undef,
     [[Authorization => "bearer   $token   "]]],
    ['upper-case scheme', '/gate/proxy', undef, [[Authorization => "BEARER $token"]]],
    ['access%5Ftoken spelling in the query', '/gate/cgi', 'access%5Ftoken=' . qenc($token), []],
    ['an 8 KB junk header beside the token', '/gate/cgi', undef,
     [[Authorization => "Bearer $token"], ['X-Junk' => str_from($FIELD, 8_000) . 'x']]],
);
for my $v (@VALID) {
    my ($name, $path, $query, $headers) = @$v;
    my $res = roundtrip($big, wire_request({ path => $path, query => $query, headers => $headers }));
    # The echo backend writes the bytes it got, UTF-8 or not.
    my $env = $res && $res->{code} == 200 ? eval { JSON->new->decode($res->{body}) } : undef;
    # (Through mod_proxy the backend, /echo, has no REMOTE_USER of its own.)
    ok $env && ($path =~ /proxy/ || ($env->{REMOTE_USER} // '') eq 'alice')
        && ($env->{HTTP_X_OAUTH_USER} // '') eq 'alice'
        && ($env->{HTTP_X_OAUTH_SCOPE} // '') eq 'profile_read alltimetables'
        && ($env->{HTTP_X_OAUTH_CLIENT_ID} // '') eq $client->{id}
        && index($res->{body}, $token) < 0,
        "$name: 200, the backend sees alice, her scopes and her client, nothing forged, no token"
        or diag 'got ' . ($res ? "$res->{code}: " . substr($res->{body}, 0, 400) : 'no response');
}

# --- 3. httpd's own limits (the main server keeps the defaults) ------------------

# Core's answers (HTML, no Bearer challenge): 414 for a request line beyond
# LimitRequestLine, 400 for a header line beyond LimitRequestFieldSize or
# more header lines than LimitRequestFields.  httpd 2.4 answers no 431.
my @LIMITS = (
    ['an 8,000-byte Bearer header, within the limit', $main, { path => '/gate/cgi',
        headers => [[Authorization => 'Bearer ' . str_from($B64, 8_000)]] }, 401, 'gate'],
    ['a 9,000-byte Bearer header, over LimitRequestFieldSize', $main, { path => '/gate/cgi',
        headers => [[Authorization => 'Bearer ' . str_from($B64, 9_000)]] }, 400, 'core'],
    ['a 64 KB query, over LimitRequestLine', $main, { path => '/gate/proxy',
        query => 'access_token=' . ('A' x 65_536) }, 414, 'core'],
    ['101 header lines, over LimitRequestFields', $main, { path => '/gate/any',
        headers => [map { ["X-OAuth-User-$_" => 'x'] } 1 .. 101] }, 400, 'core'],
    ['a 70,000-byte apiToken, over the raised LimitRequestFieldSize', $big, { path => '/gate/need-api',
        headers => [[apiToken => 'A' x 70_000]] }, 400, 'core'],
    ['a 64 KB access_token on the raised limits', $big, { path => '/gate/proxy',
        query => 'access_token=' . ('A' x 65_536) }, 401, 'gate'],
    ['a 60,000-byte apiToken on the raised limits', $big, { path => '/gate/need-api',
        headers => [[apiToken => 'A' x 60_000]] }, 401, 'gate'],
);
for my $l (@LIMITS) {
    my ($name, $server, $c, $status, $source) = @$l;
    my $got = classify(roundtrip($server, wire_request($c)));
    ok $got->{status} == $status && $got->{source} eq $source && !$got->{bad},
        "$name: $status from " . ($source eq 'core' ? "httpd's core" : 'the gate')
        or diag "got $got->{status} from $got->{source} $got->{error} " . ($got->{bad} // '');
}

# --- 4. afterwards ----------------------------------------------------------------

%conn = ();
my $res = GET('/gate/cgi', Authorization => "Bearer $token");
is $res->code, 200, 'afterwards the server still serves a valid token';
is eval { json_body($res)->{REMOTE_USER} }, 'alice', 'afterwards the token still reads as alice';

sleep 1;                                    # the last access log lines
my @leaks = log_grep($token);
ok !@leaks, 'the token is in no log' or diag join '', @leaks[0 .. ($#leaks < 4 ? $#leaks : 4)];

open my $el, '<', $error_log or die "$error_log: $!\n";
seek $el, $log_offset, 0;
my @crashes = grep { /exit signal|Segmentation fault|AH0005[12]|double free|stack smashing|
                       corrupted|Aborted|AH00050|child process \d+ still did not exit/x } <$el>;
close $el;
ok !@crashes, 'the error_log shows no crashed child' or diag join '', @crashes[0 .. ($#crashes < 9 ? $#crashes : 9)];

cmp_ok Time::HiRes::time() - $started, '<', 55, 'the whole file ran in under 55 s';

done_testing;
