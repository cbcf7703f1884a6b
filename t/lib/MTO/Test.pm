package MTO::Test;
# Shared helpers for the Apache::Test suite (t/*.t).  t/TEST puts t/lib on
# PERL5LIB and exports MTO_DBD_DRIVER / MTO_DBD_PARAMS, so a test only says
#
#   use Apache::Test qw(-withtestmore);     # brings Test::More's is/like/...
#   use Apache::TestRequest qw(GET POST);    # (no `use Test::More` besides)
#   use MTO::Test;
#
# Debian-packaged modules only: JSON, LWP, URI, Digest::SHA, MIME::Base64.
use strict;
use warnings;

use Exporter 'import';
use Apache::Test ();
use Apache::TestRequest ();
use Digest::SHA ();
use Test::More ();
use File::Basename ();
use File::Path ();
use File::Temp ();
use HTTP::Response ();
use IO::Select ();
use IO::Socket::INET ();
use JSON ();
use MTO::DB ();
use MIME::Base64 ();
use POSIX ();
use Time::HiRes ();
use URI ();
use URI::Escape ();

our @EXPORT = qw(
    %USERS @SCOPES
    db_sql db_value tool tool_result add_client
    basic_header client_basic_header
    authorize_url query_params location_params json_body
    consent_form approve_consent obtain_code obtain_token
    add_api_token add_token add_tokens token_exists bearer_challenge httpd_syntax_check
    raw_form_post race_requests race_summary
    oauth_error_is method_refused client_auth_refused client_creds
    log_files log_grep error_log_mark error_log_since db_statements time_budget graceful_restart
    generation_settled
    sqlite_db_create sqlite_unreadable sqlite_readable
    remember_secret logged_on_purpose recorded_secrets all_log_files
);

# t/conf/htpasswd
our %USERS = (alice => 'alice-pw', bob => 'bob-pw', demo => 'demo');

# The built-in scopes (README "Directive reference").
our @SCOPES = qw(username user_read profile_read profile_write alltimetables messages_read);

my $JSON = JSON->new->utf8->canonical;

sub top_dir { Apache::Test::vars('top_dir') }

sub driver { $ENV{MTO_DBD_DRIVER} || 'sqlite3' }

sub params {
    return $ENV{MTO_DBD_PARAMS} if $ENV{MTO_DBD_PARAMS};
    return top_dir() . '/t/db/oauth.db' if driver() eq 'sqlite3';
    die "MTO::Test: MTO_DBD_PARAMS is not set (run the tests through t/TEST)\n";
}

# uid/gid of httpd's children when we run as root, else nothing: a root-run
# sqlite3 or admin tool would leave root-owned -wal/-shm files that the
# children cannot open.
sub _server_ids {
    return () unless $> == 0;
    my $user  = Apache::Test::vars('user')  || 'nobody';
    my $group = Apache::Test::vars('group') || 'nogroup';
    my $uid = getpwnam($user);
    my $gid = getgrnam($group);
    die "MTO::Test: unknown user/group $user/$group\n" unless defined $uid && defined $gid;
    return ($uid, $gid);
}

# Runs @cmd (no shell) with $stdin on its standard input, as the server's
# user when root.  Returns (exit status, stdout, stderr).
sub _run {
    my ($stdin, @cmd) = @_;
    my ($in, $out, $err) = map { File::Temp->new(TMPDIR => 1) } 1 .. 3;
    print {$in} $stdin if defined $stdin;
    close $in;
    my @ids = _server_ids();
    chown $ids[0], $ids[1], $out->filename, $err->filename if @ids;

    my $pid = fork;
    die "MTO::Test: fork: $!\n" unless defined $pid;
    if (!$pid) {
        open STDIN,  '<', $in->filename  or POSIX::_exit(127);
        open STDOUT, '>', $out->filename or POSIX::_exit(127);
        open STDERR, '>', $err->filename or POSIX::_exit(127);
        if (@ids) {
            my ($uid, $gid) = @ids;
            $) = "$gid $gid";
            POSIX::setgid($gid) or POSIX::_exit(126);
            POSIX::setuid($uid) or POSIX::_exit(126);
        }
        { no warnings 'exec'; exec { $cmd[0] } @cmd; }
        print STDERR "exec $cmd[0]: $!\n";
        POSIX::_exit(127);
    }
    waitpid $pid, 0;
    my $status = $?;
    local $/;
    open my $o, '<', $out->filename or die;
    open my $e, '<', $err->filename or die;
    my ($o_text, $e_text) = (scalar <$o>, scalar <$e>);
    return ($status, $o_text // '', $e_text // '');
}

# db_sql($sql): runs SQL (one or more statements) on the test database with
# the sqlite3 CLI, psql or mariadb (MTO::DB).  Returns the result rows as array refs (NULL and
# '' both read as '').  Dies on an SQL error.
sub db_sql {
    my ($sql) = @_;
    my ($cmd, $env) = MTO::DB::sql_command(driver(), params());
    local @ENV{keys %$env} = values %$env;
    my ($status, $out, $err) = _run($sql, @$cmd);
    die "db_sql failed ($err): $sql\n" if $status;
    # The mariadb client prints NULL as "NULL".
    my $null = driver() eq 'mysql' ? 'NULL' : undef;
    return map { [map { defined $null && $_ eq $null ? '' : $_ } split /\t/, $_, -1] }
        split /\n/, $out;
}

# db_value($sql): the first column of the first row, or undef.
sub db_value {
    my ($row) = db_sql(@_);
    return $row ? $row->[0] : undef;
}

sub _tool_cmd {
    my @args = @_;
    my @db = grep({ /^--(driver|params)(=|$)/ } @args)
        ? () : ('--driver', driver(), '--params', params());
    return (top_dir() . '/mytimetable-oauth', @db, @args);
}

# tool_result(@args) / tool_result({stdin => $text}, @args): runs the admin
# tool on the test database (unless @args name --driver/--params) and returns
# {status => exit code, out => stdout, err => stderr}.
sub tool_result {
    my $opt = ref $_[0] eq 'HASH' ? shift : {};
    my ($status, $out, $err) = _run($opt->{stdin}, _tool_cmd(@_));
    return { status => $status >> 8, signal => $status & 127, out => $out, err => $err };
}

# tool(@args) / tool({stdin => $text}, @args): stdout; dies when the tool fails.
sub tool {
    my $r = tool_result(@_);
    my @args = grep { !ref } @_;
    die "mytimetable-oauth @args: exit $r->{status}"
      . ($r->{signal} ? " (signal $r->{signal})" : '') . ": $r->{err}\n"
        if $r->{status} || $r->{signal};
    return $r->{out};
}

my $client_seq = 0;

# add_client(%opt): `mytimetable-oauth client add ID --secret-stdin ...`.
#   id            default: unique per call
#   secret        default: random
#   redirect_uri  default: http://localhost/cb       (array ref: option repeated)
#   scope         default: the six built-in scopes, comma separated
#   public        a public client (--public): no secret; {secret} is undef
#   any other key: passed as --key-with-dashes VALUE (undef: a bare flag;
#                  array ref: the option repeated)
# Returns {id => ..., secret => ...}.
sub add_client {
    my %opt = @_;
    my $id = delete $opt{id} // sprintf 'client-%d-%d-%d', $$, time, ++$client_seq;
    my $public = exists $opt{public};
    my $secret = $public ? undef : delete $opt{secret}
        // join '', map { sprintf '%02x', int rand 256 } 1 .. 16;
    $opt{redirect_uri} = 'http://localhost/cb' unless exists $opt{redirect_uri};
    $opt{scope} = join(',', @SCOPES) unless exists $opt{scope};

    my @args = ('client', 'add', $id, $public ? () : '--secret-stdin');
    for my $key (sort keys %opt) {
        (my $flag = "--$key") =~ tr/_/-/;
        my $v = $opt{$key};
        if (!defined $v)       { push @args, $flag }
        elsif (ref $v eq 'ARRAY') { push @args, map { ($flag, $_) } @$v }
        else                   { push @args, $flag, $v }
    }
    tool({ stdin => $public ? '' : "$secret\n" }, @args);
    remember_secret('client secret', $secret) unless $public;
    return { id => $id, secret => $secret };
}

# basic_header($user, $pw): the header pair for Apache::TestRequest,
#   GET $url, basic_header(alice => $USERS{alice});
sub basic_header {
    my ($user, $pw) = @_;
    return (Authorization => 'Basic ' . MIME::Base64::encode_base64("$user:$pw", ''));
}

# client_basic_header($id, $secret): client_secret_basic as RFC 6749 §2.3.1
# has it: id and secret form-urlencoded before base64.
sub client_basic_header {
    my ($id, $secret) = @_;
    my $enc = sub {
        (my $s = URI::Escape::uri_escape_utf8($_[0], '^A-Za-z0-9\-._~ ')) =~ tr/ /+/;
        $s;
    };
    return basic_header($enc->($id), $enc->($secret));
}

# authorize_url(k => v, ...) or authorize_url('/noauth/authorize', k => v, ...):
# a path with the query in the order given (repeat a key to send it twice).
sub authorize_url {
    my $path = @_ % 2 ? shift : '/oauth/authorize';
    my $u = URI->new($path);
    $u->query_form(@_);
    return "$u";
}

# query_params($url_or_query): {name => value}; a repeated name gives an
# array ref of its values.
sub query_params {
    my ($s) = @_;
    return {} unless defined $s;
    my $q = $s =~ /\?/ ? URI->new($s)->query : $s;
    my %h;
    my @pairs = URI->new('?' . ($q // ''))->query_form;
    while (my ($k, $v) = splice @pairs, 0, 2) {
        if (!exists $h{$k})        { $h{$k} = $v }
        elsif (ref $h{$k})         { push @{ $h{$k} }, $v }
        else                       { $h{$k} = [$h{$k}, $v] }
    }
    return \%h;
}

# location_params($res): the query of the response's Location header.
sub location_params {
    my ($res) = @_;
    my $loc = $res->header('Location');
    die 'no Location header (status ' . $res->code . ")\n" unless defined $loc;
    my $p = query_params($loc);
    remember_secret('authorization code', $p->{code});
    return $p;
}

# json_body($res): the decoded JSON body; dies if it is not JSON.
sub json_body {
    my ($res) = @_;
    my $body = $res->decoded_content // $res->content;
    my $data = eval { $JSON->decode($body) };
    die 'not JSON (status ' . $res->code . "): $body\n" unless defined $data;
    if (ref $data eq 'HASH') {
        remember_secret('access token', $data->{access_token});
        remember_secret('refresh token', $data->{refresh_token});
    }
    return $data;
}

# consent_form($res): the consent page's form as {action => ..., method =>
# ..., fields => [name => value, ...]} (hidden inputs only), or undef.
sub consent_form {
    my ($res) = @_;
    my $html = $res->decoded_content // $res->content // '';
    my ($attrs, $body) = $html =~ m{<form\b([^>]*)>(.*?)</form>}is or return;
    my $attr = sub {
        my ($tag, $name) = @_;
        $tag =~ /\b\Q$name\E\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i or return;
        return _html_unescape($1 // $2 // $3);
    };
    my @fields;
    for my $input ($body =~ m{<input\b([^>]*)>}gi) {
        next unless lc($attr->($input, 'type') // '') eq 'hidden';
        my $name = $attr->($input, 'name');
        next unless defined $name;
        my $value = $attr->($input, 'value') // '';
        remember_secret('CSRF token', $value) if $name eq 'csrf_token';
        push @fields, $name, $value;
    }
    return {
        action => $attr->($attrs, 'action') // '',
        method => uc($attr->($attrs, 'method') // 'GET'),
        fields => \@fields,
    };
}

sub _html_unescape {
    my ($s) = @_;
    $s =~ s/&#x([0-9a-f]+);/chr hex $1/gie;
    $s =~ s/&#(\d+);/chr $1/ge;
    my %ent = (amp => '&', lt => '<', gt => '>', quot => '"', apos => "'");
    $s =~ s/&(amp|lt|gt|quot|apos);/$ent{$1}/g;
    return $s;
}

# approve_consent($res, $approve, $user, $pw, $url): posts the consent
# page's form back (to its action, or to $url, the authorize URL that showed
# it) with user_oauth_approval=true|false; returns the response (a redirect
# is not followed).
sub approve_consent {
    my ($res, $approve, $user, $pw, $url) = @_;
    my $form = consent_form($res) or die "no consent form in the page:\n" . $res->content . "\n";
    $url //= '/oauth/authorize';
    my $action = $form->{action} ne '' ? $form->{action} : $url;
    $action = URI->new_abs($action, "http://localhost$url")->path_query;
    my @fields = grep { defined } @{ $form->{fields} };
    my %f = @fields;
    push @fields, user_oauth_approval => ($approve ? 'true' : 'false')
        unless exists $f{user_oauth_approval};
    return Apache::TestRequest::POST($action, \@fields,
        basic_header($user, $pw), redirect_ok => 0);
}

# obtain_code(client => {id,...}, user => 'alice', redirect_uri => ..., any
# other authorize parameter ...): runs the authorize step (approving the
# consent page if one is shown) and returns the redirect's query parameters
# ({code, state, iss} or {error, ...}).
sub obtain_code {
    my %opt = @_;
    my $client = delete $opt{client} or die "obtain_code: client => {id => ...} needed\n";
    my $user = delete $opt{user} // 'alice';
    my $path = delete $opt{path} // '/oauth/authorize';
    my @params = (response_type => 'code', client_id => $client->{id},
                  redirect_uri => 'http://localhost/cb', state => 'xyz');
    my %p = @params;
    $p{$_} = $opt{$_} for keys %opt;
    my @pairs = map { defined $p{$_} ? ($_ => $p{$_}) : () } sort keys %p;
    my $url = authorize_url($path, @pairs);
    my $res = Apache::TestRequest::GET($url, basic_header($user, $USERS{$user}),
        redirect_ok => 0);
    $res = approve_consent($res, 1, $user, $USERS{$user}, $url) if $res->code == 200;
    die "obtain_code: authorize answered " . $res->code . "\n" . $res->content . "\n"
        unless $res->is_redirect;
    return location_params($res);
}

# obtain_token(client => {id, secret}, ... as obtain_code): a code, then the
# token endpoint (client_secret_post).  Returns the decoded JSON of the
# token response; dies unless it is a 200.
sub obtain_token {
    my %opt = @_;
    my $client = $opt{client};
    my $redirect_uri = exists $opt{redirect_uri} ? $opt{redirect_uri} : 'http://localhost/cb';
    my $verifier = delete $opt{code_verifier};
    # A plain verifier is the challenge itself, which the authorize URL
    # (and so the access log) carries: only an S256 verifier is secret.
    remember_secret('PKCE code_verifier', $verifier)
        if ($opt{code_challenge_method} // 'plain') eq 'S256';
    my $got = obtain_code(%opt);
    die "obtain_token: no code: " . $JSON->encode($got) . "\n" unless $got->{code};
    my $res = Apache::TestRequest::POST('/oauth/token', [
        grant_type    => 'authorization_code',
        code          => $got->{code},
        client_id     => $client->{id},
        client_secret => $client->{secret},
        (defined $redirect_uri ? (redirect_uri  => $redirect_uri) : ()),
        (defined $verifier ? (code_verifier => $verifier) : ()),
    ]);
    die "obtain_token: token endpoint answered " . $res->code . ": " . $res->content . "\n"
        unless $res->code == 200;
    return json_body($res);
}

# client_creds($client): client_secret_post's form fields for {id, secret}.
sub client_creds {
    my ($c) = @_;
    return (client_id => $c->{id}, client_secret => $c->{secret});
}

# oauth_error_is($res, $status, $error, $name): an RFC 6749 §5.2 error
# answer: the status, Cache-Control: no-store, a JSON body with that error
# code.  Returns the body.
sub oauth_error_is {
    my ($res, $status, $error, $name) = @_;
    Test::More::is($res->code, $status, "$name: $status");
    Test::More::is($res->header('Cache-Control'), 'no-store', "$name: Cache-Control: no-store");
    my $body = eval { json_body($res) } || {};
    Test::More::is($body->{error}, $error, "$name: error=$error");
    return $body;
}

# method_refused($path, $allow, @methods): each method (GET, PUT or POST)
# gets 405 invalid_request with Allow: $allow.
sub method_refused {
    my ($path, $allow, @methods) = @_;
    for my $m (@methods) {
        my $send = Apache::TestRequest->can($m) or die "method_refused: $m?\n";
        my $res = $send->($path, 'Content-Type' => 'application/x-www-form-urlencoded',
                          content => 'token=x');
        oauth_error_is($res, 405, 'invalid_request', "$m $path");
        Test::More::is($res->header('Allow'), $allow, "$m $path: Allow: $allow");
    }
}

# client_auth_refused($path, $client, \@form, $what): the client
# authentication of the token endpoint (docs/endpoints.md), at another endpoint: each
# way to get it wrong is refused, before \@form (a request that would
# otherwise succeed, without credentials) is looked at.
sub client_auth_refused {
    my ($path, $client, $form, $what) = @_;
    my $post = sub { Apache::TestRequest::POST($path, @_) };
    my ($id, $secret) = @$client{qw(id secret)};

    my $res = $post->([@$form]);
    oauth_error_is($res, 401, 'invalid_client', "$what: no client authentication");
    Test::More::ok(!defined $res->header('WWW-Authenticate'),
                   "$what: no client authentication: no WWW-Authenticate");
    $res = $post->([@$form, client_id => $id]);
    oauth_error_is($res, 401, 'invalid_client', "$what: client_id without client_secret");
    $res = $post->([@$form, client_id => $id, client_secret => "$secret-wrong"]);
    oauth_error_is($res, 401, 'invalid_client', "$what: wrong secret (client_secret_post)");
    Test::More::ok(!defined $res->header('WWW-Authenticate'),
                   "$what: wrong secret (client_secret_post): no WWW-Authenticate");
    $res = $post->([@$form], client_basic_header($id, "$secret-wrong"));
    oauth_error_is($res, 401, 'invalid_client', "$what: wrong secret (client_secret_basic)");
    Test::More::like($res->header('WWW-Authenticate') // '', qr/^Basic\b/,
                     "$what: wrong secret (client_secret_basic): WWW-Authenticate: Basic");
    # An id of its own: unknown client_ids count towards
    # MyTimetableOAuthClientAuthLimit like known ones, and every caller shares 127.0.0.1.
    my $unknown = sprintf 'no-such-client-%d-%d', $$, ++$client_seq;
    $res = $post->([@$form, client_id => $unknown, client_secret => $secret]);
    oauth_error_is($res, 401, 'invalid_client', "$what: unknown client");
    $res = $post->([@$form, client_secret => $secret], client_basic_header($id, $secret));
    oauth_error_is($res, 400, 'invalid_request', "$what: Basic and client_secret at once");
    $res = $post->([@$form, client_id => $id, client_id => $id, client_secret => $secret]);
    oauth_error_is($res, 400, 'invalid_request', "$what: client_id given twice");
    $res = Apache::TestRequest::POST($path, 'Content-Type' => 'application/json',
                                     content => '{"token":"x"}', client_basic_header($id, $secret));
    oauth_error_is($res, 400, 'invalid_request', "$what: a JSON body");
}

my $api_token_seq = 0;

# add_api_token(%opt): a row of api_tokens, written with SQL as MyTimetable
# or another tool might have written it.  Returns the token.
#   name                     default: unique per call
#   token                    default: random
#   stored                   'clear' (default), 'sha256' or 'SHA256' ({SHA-256}
#                            and the hex of the token in lower or upper case)
#   is_elevated              the value as written, e.g. 'true', '1', 't'
#   authentication_required  (both default 'false')
sub add_api_token {
    my %opt = @_;
    my $name = $opt{name} // sprintf 'api-%d-%d-%d', $$, time, ++$api_token_seq;
    my $token = $opt{token} // join '', map { sprintf '%02x', int rand 256 } 1 .. 24;
    my $stored = $opt{stored} // 'clear';
    my $column = $stored eq 'clear'  ? $token
               : $stored eq 'sha256' ? '{SHA-256}' . Digest::SHA::sha256_hex($token)
               : $stored eq 'SHA256' ? '{SHA-256}' . uc Digest::SHA::sha256_hex($token)
               : die "add_api_token: stored => '$stored'?\n";
    my $q = sub { (my $s = shift) =~ s/'/''/g; "'$s'" };
    # MariaDB's BOOLEAN is a TINYINT: it stores 'true', 't' … as 1 or 0.
    my $bool = sub {
        my $v = shift // 'false';
        return driver() ne 'mysql' ? $v : $v =~ /^(1|t|true|y|yes)$/i ? 1 : 0;
    };
    db_sql('INSERT INTO api_tokens (name, token, is_elevated, authentication_required) VALUES ('
           . join(', ', map { $q->($_) } $name, $column, $bool->($opt{is_elevated}),
                  $bool->($opt{authentication_required})) . ')');
    remember_secret('API token', $token);
    return $token;
}

sub _sql_quote { my $s = shift; $s =~ s/'/''/g; return "'$s'" }

# add_token(%opt): an access or refresh token row written with SQL, as the
# token endpoint stores it (only its SHA-256).  Returns the token.
#   client   the client id (required)
#   kind     'access' (default) or 'refresh'
#   token    default: random
#   user     default 'alice';  scope: default 'profile_read alltimetables'
#   issued   default: now;  expires: default now + 3600 (0: never expires)
#   refresh  access: the refresh token it was issued from (refresh_hash)
#   grant    refresh: its grant_id (default: a fresh one);  rotated: rotated_at
sub add_token {
    my ($sql, $token) = _token_insert(@_);
    db_sql($sql);
    return $token;
}

# add_tokens($n, %opt): $n random tokens as add_token(%opt) makes them, in one
# transaction; returns them.
sub add_tokens {
    my ($n, %o) = @_;
    my (@sql, @tokens);
    for (1 .. $n) {
        my ($sql, $token) = _token_insert(%o);
        push @sql, $sql;
        push @tokens, $token;
    }
    db_sql(join ";\n", 'BEGIN', @sql, 'COMMIT');
    return @tokens;
}

# The INSERT statement of add_token(%opt), and the token.
sub _token_insert {
    my %o = @_;
    my $client = $o{client} // die "add_token: client => ... needed\n";
    my $token = $o{token} // join '', 'tk', map { sprintf '%02x', int rand 256 } 1 .. 24;
    my $now = time;
    my @common = (Digest::SHA::sha256_hex($token), $client, $o{user} // 'alice',
                  $o{scope} // 'profile_read alltimetables');
    my @times = ($o{issued} // $now, $o{expires} // $now + 3600);
    my $kind = $o{kind} // 'access';
    my ($table, @cols, @vals);
    if ($kind eq 'access') {
        $table = 'mto_access_token';
        @cols = qw(refresh_hash);
        @vals = (defined $o{refresh} ? _sql_quote(Digest::SHA::sha256_hex($o{refresh})) : 'NULL');
    }
    elsif ($kind eq 'refresh') {
        $table = 'mto_refresh_token';
        @cols = qw(grant_id rotated_at);
        @vals = (_sql_quote($o{grant} // Digest::SHA::sha256_hex("grant $token")),
                 int($o{rotated} // 0));
    }
    else {
        die "add_token: kind => '$kind'?\n";
    }
    remember_secret("$kind token", $token);
    return ("INSERT INTO $table (token_hash, client_id, user_name, scope, issued_at, expires_at, "
            . join(', ', @cols) . ') VALUES ('
            . join(', ', (map { _sql_quote($_) } @common), (map { int } @times), @vals) . ')',
            $token);
}

# token_exists($token, $kind): whether the row of an access (default) or
# refresh token is still there.
sub token_exists {
    my ($token, $kind) = @_;
    my $table = ($kind // 'access') eq 'refresh' ? 'mto_refresh_token' : 'mto_access_token';
    return db_value("SELECT COUNT(*) FROM $table WHERE token_hash = '"
                    . Digest::SHA::sha256_hex($token) . "'") ? 1 : 0;
}

# bearer_challenge($res): the response's only WWW-Authenticate header as
# {scheme => ..., param => value, ...} (quoted values unescaped); undef
# when there is none.  Dies when there are several or one does not parse.
sub bearer_challenge {
    my ($res) = @_;
    my @headers = $res->header('WWW-Authenticate');
    return undef unless @headers;
    die "bearer_challenge: " . @headers . " WWW-Authenticate headers\n" if @headers > 1;
    my ($scheme, $rest) = $headers[0] =~ /^([!#\$%&'*+.^_`|~0-9A-Za-z-]+)(?:\s+(.*))?$/s
        or die "bearer_challenge: cannot parse '$headers[0]'\n";
    my %c = (scheme => $scheme);
    $rest //= '';
    while (length $rest) {
        $rest =~ s/^([!#\$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s",]+))\s*(?:,\s*|$)//s
            or die "bearer_challenge: cannot parse '$headers[0]'\n";
        my ($name, $value) = (lc $1, $2 // $3);
        $value =~ s/\\(.)/$1/gs if defined $2;
        die "bearer_challenge: $name twice in '$headers[0]'\n" if exists $c{$name};
        $c{$name} = $value;
    }
    return \%c;
}

# raw_form_post($path, [name => value, ...]): the raw HTTP/1.0 request
# (Connection: close) that POSTs the form to $path, for race_requests.
sub raw_form_post {
    my ($path, $form) = @_;
    my @pairs = @$form;
    my @enc;
    while (my ($k, $v) = splice @pairs, 0, 2) {
        push @enc, join '=', map { URI::Escape::uri_escape($_) } $k, $v;
    }
    my $body = join '&', @enc;
    return "POST $path HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n"
         . "Content-Type: application/x-www-form-urlencoded\r\n"
         . 'Content-Length: ' . length($body) . "\r\n\r\n$body";
}

# One racer, in a child: sends the whole request but its last byte, says it
# is ready, waits until the parent closes the start pipe, sends the last byte
# (so the server has every request in hand and they go on together) and
# reports {status, body} as one JSON line.  Never returns.
sub _racer {
    my ($request, $deadline, $ready, $start, $report) = @_;
    alarm $deadline;
    my $result = eval {
        my $sock = IO::Socket::INET->new(PeerAddr => Apache::TestRequest::hostport(),
                                         Timeout => 30)
            or die "connect: $!\n";
        binmode $sock;
        syswrite($sock, substr($request, 0, -1)) or die "send: $!\n";
        syswrite($ready, '.') or die "ready: $!\n";
        sysread $start, my $go, 1;                  # 0 bytes: the start pipe closed
        syswrite($sock, substr($request, -1)) or die "send: $!\n";
        my ($raw, $n) = ('', 0);
        $raw .= $n while sysread($sock, $n, 65536);
        my $res = HTTP::Response->parse($raw);
        { status => $res->code // 0, body => substr($res->content // '', 0, 1000) };
    } // { status => 0, body => "racer failed: $@" };
    syswrite $report, $JSON->encode($result) . "\n";
    POSIX::_exit(0);
}

# race_requests($request, $parallel, $deadline): $parallel children send the
# same raw request (raw_form_post) to the test server at the same moment.
# Returns ($ready, @results): how many racers were connected and waiting
# when the start was given, and {status, body} of each racer that answered
# within $deadline seconds (status 0: the racer failed; body says why).
sub race_requests {
    my ($request, $parallel, $deadline) = @_;
    pipe(my $ready_r, my $ready_w) or die "pipe: $!";
    pipe(my $start_r, my $start_w) or die "pipe: $!";
    pipe(my $report_r, my $report_w) or die "pipe: $!";
    my @pids;
    for (1 .. $parallel) {
        my $pid = fork // die "fork: $!";
        if (!$pid) {
            close $_ for $ready_r, $start_w, $report_r;
            _racer($request, $deadline, $ready_w, $start_r, $report_w);
        }
        push @pids, $pid;
    }
    close $_ for $ready_w, $start_r, $report_w;

    # Every racer connected and waiting (or gone), then all at once.
    my ($ready, $sel, $until) = (0, IO::Select->new($ready_r), time + $deadline);
    while ($ready < $parallel && $sel->can_read($until - time)) {
        my $n = sysread($ready_r, my $buf, 64) or last;
        $ready += $n;
    }
    close $start_w;

    # Their reports, until every racer has closed the pipe (or time is up).
    my $raw = '';
    $sel = IO::Select->new($report_r);
    while ($until > time && $sel->can_read($until - time)) {
        sysread($report_r, my $buf, 65536) or last;
        $raw .= $buf;
    }
    kill 'KILL', @pids;                             # only stragglers past the deadline
    waitpid $_, 0 for @pids;
    return ($ready, map { $JSON->decode($_) } split /\n/, $raw);
}

# race_summary(@results): "19 x 400 invalid_grant, 1 x 200 -", for diag.
sub race_summary {
    my %n;
    $n{"$_->{status} " . (eval { $JSON->decode($_->{body})->{error} } // '-')}++ for @_;
    return join ', ', map { "$n{$_} x $_" } sort keys %n;
}

my $modules = '/usr/lib/apache2/modules';

# The minimal httpd.conf of httpd_syntax_check.
sub _minimal_conf {
    my ($dir, $lines, %opt) = @_;
    my $module_so = top_dir() . '/mod_mytimetable_oauth/.libs/mod_mytimetable_oauth.so';
    my $dbd = "LoadModule dbd_module $modules/mod_dbd.so\n"
            . "DBDriver sqlite3\nDBDParams $dir/oauth.db\n";
    $dbd = '' if defined $opt{dbd} && !$opt{dbd};
    my ($before, $after) = $opt{dbd_after} ? ('', $dbd) : ($dbd, '');
    my $load = join '', map { "LoadModule ${_}_module $modules/mod_$_.so\n" } @{ $opt{load} || [] };
    my $shmcb = defined $opt{shmcb} && !$opt{shmcb} ? ''
        : "LoadModule socache_shmcb_module $modules/mod_socache_shmcb.so\n";
    return <<EOF;
ServerRoot $dir
ServerName localhost
PidFile $dir/httpd.pid
DefaultRuntimeDir $dir
ErrorLog $dir/error_log
LoadModule mpm_event_module $modules/mod_mpm_event.so
LoadModule authz_core_module $modules/mod_authz_core.so
${shmcb}LoadModule mytimetable_oauth_module $module_so
$before$lines
$after$load
EOF
}

# httpd_syntax_check($lines, %opt): `apache2 -t` on a small httpd.conf of
# its own (the event MPM, mod_authz_core, mod_socache_shmcb, mod_dbd on an
# SQLite file, the module) around $lines.  Returns (exit status, output).
#   dir            where httpd.conf goes, the ServerRoot (default: a fresh
#                  temporary folder)
#   dbd => 0       no mod_dbd;  dbd_after => 1: mod_dbd loaded after $lines
#   shmcb => 0     no mod_socache_shmcb
#   load           [extra modules, loaded after $lines]
sub httpd_syntax_check {
    my ($lines, %opt) = @_;
    my $tmp = $opt{dir} ? undef : File::Temp->newdir('mto-conf-XXXXXX', TMPDIR => 1);
    my $dir = $opt{dir} // $tmp->dirname;
    my $conf = "$dir/httpd.conf";
    open my $fh, '>', $conf or die "$conf: $!\n";
    print {$fh} _minimal_conf($dir, $lines, %opt);
    close $fh or die "$conf: $!\n";

    my $httpd = Apache::Test::vars('httpd') || '/usr/sbin/apache2';
    my $pid = open(my $out, '-|') // die "fork: $!\n";
    if (!$pid) {
        open STDERR, '>&', \*STDOUT or POSIX::_exit(127);
        exec 'timeout', '30', $httpd, '-t', '-f', $conf or POSIX::_exit(127);
    }
    my $text = do { local $/; <$out> } // '';
    close $out;
    return ($? >> 8, $text);
}

# generation_settled(): waits until every httpd process has read the cache
# generation that the admin tool just bumped (README §9: each process reads
# it at most once a second).  Until then processes disagree on it: one may
# miss an entry another cached, and, with the database down, answer 503
# where the cache should have answered.
sub generation_settled { Time::HiRes::sleep(1.2) }

# time_budget($seconds): a test's time limit, stretched by the factor in
# MTO_TEST_TIME_FACTOR (build/test sets it for its sanitizer pass, where the
# instrumented httpd answers two to three times slower).
sub time_budget {
    my ($seconds) = @_;
    my $factor = $ENV{MTO_TEST_TIME_FACTOR} // 1;
    $factor = 1 unless $factor =~ /^\d+(?:\.\d+)?\z/ && $factor >= 1;
    return $seconds * $factor;
}

# log_files(): the server's error and access logs (t/logs).
sub log_files {
    my $logs = Apache::Test::vars('t_logs');
    return grep { -f } map { "$logs/$_" } qw(error_log access_log mto_access_log);
}

# log_grep($string): the log lines containing $string, as "file: line".
# Access log lines are written after the response is sent: a test checking
# a request it just made may need a moment (or a second request) first.
sub log_grep {
    my ($needle) = @_;
    my @hits;
    for my $file (log_files()) {
        open my $fh, '<', $file or next;
        while (my $line = <$fh>) {
            push @hits, "$file: $line" if index($line, $needle) >= 0;
        }
    }
    return @hits;
}

# error_log_mark(): where the error log ends now; error_log_since($mark):
# the lines written after it.  For "this request logged that" checks.
sub _error_log { Apache::Test::vars('t_logs') . '/error_log' }

sub error_log_mark { return -s _error_log() // 0 }

sub error_log_since {
    my ($mark) = @_;
    open my $fh, '<', _error_log() or return;
    seek $fh, $mark, 0 or return;
    return <$fh>;
}

# graceful_restart(): SIGUSR1 to the test httpd, then waits (30 s at most,
# time_budget) for its "resuming normal operations".  True when it came.
sub graceful_restart {
    my $pid_file = Apache::Test::vars('t_pid_file');
    open my $fh, '<', $pid_file or die "MTO::Test: $pid_file: $!\n";
    chomp(my $pid = <$fh> // '');
    close $fh;
    my $mark = error_log_mark();
    return 0 unless $pid =~ /^\d+$/ && kill 'USR1', $pid;
    my $until = time + time_budget(30);
    while (time < $until) {
        Time::HiRes::sleep(0.2);
        return 1 if grep { /resuming normal operations/ } error_log_since($mark);
    }
    return 0;
}

# db_statements($mark, $label): how many times the statement $label (e.g.
# 'mto_token_get') ran since error_log_mark() returned $mark, in virtual
# hosts with "LogLevel mytimetable_oauth:trace2" (store/dbd.c logs each one).
sub db_statements {
    my ($mark, $label) = @_;
    return scalar grep { /\[mytimetable_oauth:trace2\].* db: \Q$label\E$/ } error_log_since($mark);
}

# --- an SQLite database of a virtual host's own, and its outage -----------

# sqlite_db_create($file): a fresh database made by the admin tool's init,
# its directory owned by httpd's user (who also runs the tool, when root).
sub sqlite_db_create {
    my ($file) = @_;
    my $dir = File::Basename::dirname($file);
    File::Path::make_path($dir);
    unlink map { "$file$_" } '', '-wal', '-shm', '-journal';
    if (my ($uid, $gid) = _server_ids()) {
        chown $uid, $gid, $dir or die "MTO::Test: chown $dir: $!\n";
    }
    tool('--driver', 'sqlite3', '--params', $file, 'init');
}

my %unreadable;             # file => its mode, while made unreadable

# sqlite_unreadable($file): the database file and its -wal/-shm made
# unreadable (mode 000) for httpd's children; sqlite_readable() gives every
# such file its mode back (also when the test dies: see END).
sub sqlite_unreadable {
    my ($file) = @_;
    # SQLite removes -wal and -shm when its last connection closes, which
    # may happen between a look and a chmod: a file gone is no file to hide.
    for my $f (map { "$file$_" } '', '-wal', '-shm') {
        my @st = stat $f or next;
        $unreadable{$f} //= $st[2] & 07777;
        chmod 0, $f or !-e $f or die "MTO::Test: chmod $f: $!\n";
    }
}

# A connection that failed marks the database down for a second in each
# httpd process (README "Database down"): when files were made readable
# again, sqlite_readable waits that second, so that the next request tries.
sub sqlite_readable {
    my $any = %unreadable;
    chmod $unreadable{$_}, $_ for keys %unreadable;
    %unreadable = ();
    Time::HiRes::sleep(1.1) if $any;
}

END { local $?; sqlite_readable() }

# ---------------------------------------------------------------- secrets seen
# Every token, code and secret the suite handles is written down as it goes
# by (the helpers above do it for what passes through them), so that
# t/zz_log_redaction.t can look for each of them in every log once the
# whole suite has run (README "Security notes").  One file per test process, a line per
# value: "kind<TAB>test file<TAB>value".  t/TEST empties the directory
# before the tests run.

# Shorter values could be ordinary words of a log line.
our $SECRET_MIN_LENGTH = 16;

sub secrets_dir {
    return $ENV{MTO_SECRETS_DIR} || Apache::Test::vars('t_logs') . '/secrets-seen';
}

# remember_secret($kind, @values): records the values (undef, short ones
# and ones spanning lines are left out) as secrets of that kind ('access
# token', 'client secret', ...).  For tests that make their own.
sub remember_secret {
    my ($kind, @values) = @_;
    my @keep = grep { defined && length >= $SECRET_MIN_LENGTH && !/[\t\r\n]/ } @values;
    return unless @keep;
    my $dir = secrets_dir();
    File::Path::make_path($dir);
    my $test = File::Basename::basename($0);
    open my $fh, '>>', "$dir/$$.txt" or die "MTO::Test: $dir/$$.txt: $!\n";
    print {$fh} map { "$kind\t$test\t$_\n" } @keep;
    close $fh or die "MTO::Test: $dir/$$.txt: $!\n";
}

# logged_on_purpose($why, @values): a test that itself sends recorded
# secrets where a log sees them (in a URL the module does not guard, to a
# backend behind PassToken On) says so and why; t/zz_log_redaction.t then
# does not look for these values, and lists the reason.
sub logged_on_purpose {
    my ($why, @values) = @_;
    remember_secret("on purpose: $why", @values);
}

# recorded_secrets(): {value => {kind => ..., test => ..., on_purpose =>
# the reason or undef}} of everything remembered in this run.
sub recorded_secrets {
    my %seen;
    for my $file (glob secrets_dir() . '/*.txt') {
        open my $fh, '<', $file or die "MTO::Test: $file: $!\n";
        while (my $line = <$fh>) {
            chomp $line;
            my ($kind, $test, $value) = split /\t/, $line, 3;
            next unless defined $value;
            my $s = $seen{$value} //= { test => $test };
            if ($kind =~ /^on purpose: (.*)/s) { $s->{on_purpose} = $1 }
            else                              { $s->{kind} //= $kind; $s->{test} = $test }
        }
    }
    return \%seen;
}

# all_log_files(): every log the test server writes: each file in t/logs
# whose name says log (error_log, access_log, mto_access_log and the logs
# a test configures for itself), and the private PostgreSQL's server log
# when build/test runs one (MTO_PG_LOG).
sub all_log_files {
    my $logs = Apache::Test::vars('t_logs');
    my @files = grep { -f && File::Basename::basename($_) =~ /log/i } glob "$logs/*";
    push @files, $ENV{MTO_PG_LOG} if $ENV{MTO_PG_LOG} && -f $ENV{MTO_PG_LOG};
    return @files;
}

1;
