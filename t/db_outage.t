# The database unreachable (docs/endpoints.md, docs/security.md; README "When the database is down"):
# the token endpoint answers 503 {"error":"temporarily_unavailable"} with
# Retry-After, never "unknown client"; the authorize endpoint answers a 503
# page and does not redirect (it cannot check the redirect_uri without the
# client's row, RFC 6749 §4.1.2.1); the error log says what failed, without a
# code or secret; and service comes back without restarting httpd.
#  a) SQLite, always: the db_outage virtual host (t/conf/db_outage.conf.in)
#     has a database file of its own, made unreadable and then restored.
#  b) PostgreSQL, when MTO_DBD_DRIVER=pgsql, or MariaDB, when it is mysql:
#     build/test's private server is stopped and started again under the main
#     server.  Pooled connections lose their prepared statements (apr_dbd_pgsql
#     and apr_dbd_mysql reconnect without them); store/dbd.c must prepare
#     them again.
# Whatever fails, the END block gives the database back to the other tests.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(-withtestmore);
use Apache::TestRequest qw(GET POST);
use Time::HiRes ();
use MTO::Test;
use MTO::DbServer;

my $CB = 'http://localhost/cb';
my @SECRETS;                # codes and secrets that must not reach a log

# --- what an outage and a recovery look like ---------------------------------

sub token_post {
    my ($client, $code) = @_;
    return POST '/oauth/token', [grant_type => 'authorization_code', code => $code,
                                 redirect_uri => $CB, client_id => $client->{id},
                                 client_secret => $client->{secret}];
}

sub authorize_get {
    my ($client) = @_;
    return GET authorize_url(response_type => 'code', client_id => $client->{id},
                             redirect_uri => $CB, state => 'outage'),
        basic_header(alice => $USERS{alice}), redirect_ok => 0;
}

sub token_unavailable {
    my ($res, $name) = @_;
    is $res->code, 503, "$name: the token endpoint answers 503";
    is eval { json_body($res)->{error} } // $res->content, 'temporarily_unavailable',
        "$name: error=temporarily_unavailable";
    like $res->header('Retry-After') // '', qr/^[1-9][0-9]*$/,
        "$name: Retry-After gives the seconds to wait";
    is $res->header('Cache-Control'), 'no-store', "$name: the error is not cached";
}

sub authorize_unavailable {
    my ($res, $name) = @_;
    is $res->code, 503, "$name: the authorize endpoint answers 503";
    like $res->header('Content-Type') // '', qr{^text/html\b}i, "$name: an HTML page for the user";
    ok !defined $res->header('Location'), "$name: no redirect to the unchecked redirect_uri";
    is $res->header('Cache-Control'), 'no-store', "$name: the page is not cached";
}

# The error-log lines since $mark: the module says what failed, and no code
# or secret is among them.
sub outage_logged {
    my ($mark, $name) = @_;
    my @lines = error_log_since($mark);
    ok scalar(grep { /\[mytimetable_oauth:\w+\].*MTO\d{4}: (no database connection|mto_\w+ failed: \S)/ } @lines),
        "$name: the error log says the database failed";
    my @leaks = grep { my $l = $_; grep { index($l, $_) >= 0 } @SECRETS } @lines;
    is_deeply \@leaks, [], "$name: no code or secret in those log lines";
}

sub redeems {
    my ($res, $name) = @_;
    is $res->code, 200, $name or diag $res->content;
}

# --- a) SQLite: the database file unreadable ------------------------------------

my $sqlite_file = Apache::Test::vars('t_dir') . '/db/outage/oauth.db';  # as in db_outage.conf.in

sub sqlite_outage {
    sqlite_db_create($sqlite_file);
    Apache::TestRequest::module('db_outage');
    my $client = add_client(driver => 'sqlite3', params => $sqlite_file, autoapprove => 'true');
    push @SECRETS, $client->{secret};

    ok eval { obtain_token(client => $client)->{access_token} },
        'SQLite: a virtual host with a database of its own and no persistent connections works'
        or diag $@;
    my $code = eval { obtain_code(client => $client)->{code} } // die "no code: $@";
    push @SECRETS, $code;

    sqlite_unreadable($sqlite_file);
    my $mark = error_log_mark();
    token_unavailable(token_post($client, $code), 'SQLite unreadable');
    authorize_unavailable(authorize_get($client), 'SQLite unreadable');
    outage_logged($mark, 'SQLite unreadable');

    sqlite_readable();
    redeems(token_post($client, $code),
            'SQLite readable again: the code presented during the outage redeems (200)');
    my $again = eval { location_params(authorize_get($client))->{code} };
    push @SECRETS, $again if $again;
    ok $again, 'SQLite readable again: the authorize endpoint redirects with a code';
    ok eval { obtain_token(client => $client)->{access_token} },
        'SQLite readable again: a whole new flow works, without an httpd restart';
}

# --- b) PostgreSQL or MariaDB: the server stopped and started again ----------------

# The server b) stops and starts (through MTO::DbServer): build/test's private one.
my $DB = ($ENV{MTO_DBD_DRIVER} // '') eq 'mysql' ? 'MariaDB' : 'PostgreSQL';

sub pg_outage {
    my $why = db_server_unavailable();
    plan skip_all => $why if $why;
    Apache::TestRequest::module('default');
    my $client = add_client(autoapprove => 'true');
    push @SECRETS, $client->{secret};

    # 1. A restart while httpd's pooled connection sits idle.  One keep-alive
    #    connection (kept busy while pg_ctl runs) means one httpd child, so the
    #    request after the restart gets the pooled connection of the flow
    #    before it: dead, and its prepared statements gone with the old server.
    #    (A 503 would end the keep-alive connection: nothing is sent while the
    #    server is down.)
    Apache::TestRequest::user_agent(reset => 1, keep_alive => 1);
    my $keepalive = sub { GET '/db-outage-keepalive' };
    ok eval { obtain_token(client => $client)->{access_token} }, "$DB: a flow works before"
        or diag $@;
    my $code = eval { obtain_code(client => $client)->{code} } // die "no code: $@";
    push @SECRETS, $code;
    my $before = Apache::TestRequest::user_agent_request_num(GET '/db-outage-keepalive');

    my $mark = error_log_mark();
    ok db_server('stop', $keepalive), "$DB stopped";
    ok db_server('start', $keepalive), "$DB started again";
    my $res = token_post($client, $code);
    cmp_ok Apache::TestRequest::user_agent_request_num($res), '>', $before,
        "$DB back: the next request comes over the same connection, to the same child";
    redeems($res, "$DB back: the first request on the stale pooled connection succeeds");
    ok scalar(grep { /prepared statements were lost .*prepared them again/ } error_log_since($mark)),
        "$DB back: the module prepared its statements again on that connection";

    # 2. Requests while the server is down, on new connections spread over
    #    httpd's children: 503s from both endpoints.  A pooled connection such
    #    a request broke comes back after the restart (mod_dbd reconnects it)
    #    without its statements, and every flow must still succeed.
    Apache::TestRequest::user_agent(reset => 1, keep_alive => 0);
    $code = eval { obtain_code(client => $client)->{code} } // die "no code: $@";
    push @SECRETS, $code;
    ok db_server('stop'), "$DB stopped a second time";
    $mark = error_log_mark();
    authorize_unavailable(authorize_get($client), "$DB down");
    token_unavailable(token_post($client, $code), "$DB down");
    my @codes = map { token_post($client, $code)->code } 1 .. 6;
    is "@codes", join(' ', (503) x 6), "$DB down: every further token request is a 503";
    outage_logged($mark, "$DB down");
    ok db_server('start'), "$DB started a second time";

    my $tries = 1;
    while (($res = token_post($client, $code))->code == 503 && $tries++ < 10) {
        Time::HiRes::sleep(0.2);
    }
    redeems($res, "$DB back: the code kept during the outage redeems within 10 tries");
    # The other children marked the database down for a second at their last
    # failure (README "Database down"): past it, each tries again.
    Time::HiRes::sleep(1.1);
    my @tokens = map { eval { obtain_token(client => $client)->{access_token} } } 1 .. 20;
    push @SECRETS, grep { defined } @tokens;
    is scalar(grep { defined } @tokens), 20,
        "$DB back: 20 consecutive flows all succeed (no stale statements)";
}

END { sqlite_readable() }     # (MTO::DbServer starts the database server again if needed)

sqlite_outage();
subtest "$DB stopped and started again" => sub {
    plan skip_all => 'MTO_DBD_DRIVER is neither pgsql nor mysql'
        unless ($ENV{MTO_DBD_DRIVER} // '') =~ /^(pgsql|mysql)$/;
    pg_outage();
};
is_deeply [map { log_grep($_) } @SECRETS], [], 'no code, token or client secret of this test in any log';

done_testing();
