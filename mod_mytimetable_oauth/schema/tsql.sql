-- mod_mytimetable_oauth schema for Microsoft SQL Server (T-SQL), reached
-- with DBDriver odbc (unixODBC + FreeTDS: docs/databases.md).
-- The first two tables are MyTimetable's own (Spring Security OAuth columns):
-- on MyTimetable's database they exist and are read as they are; each table
-- and index is created only if missing.  SQL Server has no CREATE TABLE IF
-- NOT EXISTS: OBJECT_ID and sys.indexes say what is there.  The module's own
-- text columns compare byte for byte (a _BIN2 collation: the server's default
-- usually ignores case).  BIT for booleans; a clustered key stays within 900
-- bytes (mto_approval's is 768).

IF OBJECT_ID(N'oauth_client_details', N'U') IS NULL
CREATE TABLE oauth_client_details (
    client_id               VARCHAR(256) PRIMARY KEY,
    resource_ids            VARCHAR(256),
    client_secret           VARCHAR(256),
    scope                   VARCHAR(256),
    authorized_grant_types  VARCHAR(256),
    web_server_redirect_uri VARCHAR(2048),
    authorities             VARCHAR(256),
    access_token_validity   INTEGER,
    refresh_token_validity  INTEGER,
    additional_information  VARCHAR(4096),
    autoapprove             VARCHAR(256)
);

IF OBJECT_ID(N'api_tokens', N'U') IS NULL
CREATE TABLE api_tokens (
    name                    VARCHAR(256) NOT NULL,
    token                   VARCHAR(256) NOT NULL PRIMARY KEY,
    is_elevated             BIT NOT NULL DEFAULT 0,
    authentication_required BIT NOT NULL DEFAULT 0
);

-- Authorization codes: only the SHA-256 hex of a code is stored.
-- used_at = 0 until redeemed. Redeeming is "UPDATE … WHERE used_at = 0".
IF OBJECT_ID(N'mto_code', N'U') IS NULL
CREATE TABLE mto_code (
    code_hash        CHAR(64) COLLATE Latin1_General_100_BIN2 PRIMARY KEY,
    client_id        VARCHAR(256) COLLATE Latin1_General_100_BIN2 NOT NULL,
    user_name        VARCHAR(256) COLLATE Latin1_General_100_BIN2 NOT NULL,
    scope            VARCHAR(1024) COLLATE Latin1_General_100_BIN2 NOT NULL,
    redirect_uri     VARCHAR(2048) COLLATE Latin1_General_100_BIN2 NOT NULL,
    challenge        VARCHAR(128) COLLATE Latin1_General_100_BIN2 NOT NULL,
    challenge_method VARCHAR(8) COLLATE Latin1_General_100_BIN2 NOT NULL,
    expires_at       BIGINT NOT NULL,
    used_at          BIGINT NOT NULL DEFAULT 0
);
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'mto_code_expires'
               AND object_id = OBJECT_ID(N'mto_code'))
CREATE INDEX mto_code_expires ON mto_code (expires_at);

-- Issued access tokens: only the SHA-256 hex of a token is stored.
-- expires_at = 0: never expires.  code_hash: the code it was issued from
-- (revoked together when the code is replayed).  refresh_hash: the refresh
-- token issued together with it (revoked together with that grant).
IF OBJECT_ID(N'mto_access_token', N'U') IS NULL
CREATE TABLE mto_access_token (
    token_hash   CHAR(64) COLLATE Latin1_General_100_BIN2 PRIMARY KEY,
    client_id    VARCHAR(256) COLLATE Latin1_General_100_BIN2 NOT NULL,
    user_name    VARCHAR(256) COLLATE Latin1_General_100_BIN2 NOT NULL,
    scope        VARCHAR(1024) COLLATE Latin1_General_100_BIN2 NOT NULL,
    issued_at    BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    code_hash    CHAR(64) COLLATE Latin1_General_100_BIN2,
    refresh_hash CHAR(64) COLLATE Latin1_General_100_BIN2
);
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'mto_access_token_code'
               AND object_id = OBJECT_ID(N'mto_access_token'))
CREATE INDEX mto_access_token_code ON mto_access_token (code_hash);
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'mto_access_token_refresh'
               AND object_id = OBJECT_ID(N'mto_access_token'))
CREATE INDEX mto_access_token_refresh ON mto_access_token (refresh_hash);
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'mto_access_token_client'
               AND object_id = OBJECT_ID(N'mto_access_token'))
CREATE INDEX mto_access_token_client ON mto_access_token (client_id);
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'mto_access_token_expires'
               AND object_id = OBJECT_ID(N'mto_access_token'))
CREATE INDEX mto_access_token_expires ON mto_access_token (expires_at);

-- Refresh tokens (hashed), one grant = one family; a rotated token keeps its
-- row with rotated_at set so that its reuse can be detected.  scope is the
-- grant's; expires_at (0: never) is the family's, the same on every row.
-- code_hash: the authorization code the grant began with (a replay of the
-- code revokes the family).
IF OBJECT_ID(N'mto_refresh_token', N'U') IS NULL
CREATE TABLE mto_refresh_token (
    token_hash   CHAR(64) COLLATE Latin1_General_100_BIN2 PRIMARY KEY,
    grant_id     CHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    client_id    VARCHAR(256) COLLATE Latin1_General_100_BIN2 NOT NULL,
    user_name    VARCHAR(256) COLLATE Latin1_General_100_BIN2 NOT NULL,
    scope        VARCHAR(1024) COLLATE Latin1_General_100_BIN2 NOT NULL,
    issued_at    BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    rotated_at   BIGINT NOT NULL DEFAULT 0,
    code_hash    CHAR(64) COLLATE Latin1_General_100_BIN2
);
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'mto_refresh_token_grant'
               AND object_id = OBJECT_ID(N'mto_refresh_token'))
CREATE INDEX mto_refresh_token_grant ON mto_refresh_token (grant_id);
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'mto_refresh_token_code'
               AND object_id = OBJECT_ID(N'mto_refresh_token'))
CREATE INDEX mto_refresh_token_code ON mto_refresh_token (code_hash);
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'mto_refresh_token_expires'
               AND object_id = OBJECT_ID(N'mto_refresh_token'))
CREATE INDEX mto_refresh_token_expires ON mto_refresh_token (expires_at);

-- Remembered consent: one row per user, client and scope.
IF OBJECT_ID(N'mto_approval', N'U') IS NULL
CREATE TABLE mto_approval (
    user_name  VARCHAR(256) COLLATE Latin1_General_100_BIN2 NOT NULL,
    client_id  VARCHAR(256) COLLATE Latin1_General_100_BIN2 NOT NULL,
    scope      VARCHAR(256) COLLATE Latin1_General_100_BIN2 NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (user_name, client_id, scope)
);
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'mto_approval_expires'
               AND object_id = OBJECT_ID(N'mto_approval'))
CREATE INDEX mto_approval_expires ON mto_approval (expires_at);

-- The cache generation: one row, bumped by every change the admin tool makes,
-- in the same transaction; every httpd process reads it at most once a second
-- and serves no cached row read under another generation (README §9, "Caching and revocation").
IF OBJECT_ID(N'mto_generation', N'U') IS NULL
CREATE TABLE mto_generation (
    id         INTEGER PRIMARY KEY,
    generation BIGINT NOT NULL
);
IF NOT EXISTS (SELECT 1 FROM mto_generation WHERE id = 1)
INSERT INTO mto_generation (id, generation) VALUES (1, 0);
