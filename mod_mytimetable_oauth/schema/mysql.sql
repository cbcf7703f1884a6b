-- mod_mytimetable_oauth schema for MariaDB and MySQL (DBDriver mysql).
-- The first two tables are MyTimetable's own (Spring Security OAuth columns),
-- they are created only if missing, so an existing database keeps its rows.
-- InnoDB for transactions.  utf8mb4_nopad_bin: identifiers, hashes and API
-- tokens compare byte for byte (the default collation ignores case and
-- trailing spaces: 'Alice' would match 'alice ').  Keys stay within InnoDB's
-- 3072 bytes (VARCHAR(256) in utf8mb4 is 1024).


CREATE TABLE IF NOT EXISTS oauth_client_details (
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
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE TABLE IF NOT EXISTS api_tokens (
    name                    VARCHAR(256) NOT NULL,
    token                   VARCHAR(256) NOT NULL PRIMARY KEY,
    is_elevated             BOOLEAN NOT NULL DEFAULT FALSE,
    authentication_required BOOLEAN NOT NULL DEFAULT FALSE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

-- Authorization codes: only the SHA-256 hex of a code is stored.
-- used_at = 0 until redeemed. Redeeming is "UPDATE … WHERE used_at = 0".
CREATE TABLE IF NOT EXISTS mto_code (
    code_hash        CHAR(64) PRIMARY KEY,
    client_id        VARCHAR(256) NOT NULL,
    user_name        VARCHAR(256) NOT NULL,
    scope            VARCHAR(1024) NOT NULL,
    redirect_uri     VARCHAR(2048) NOT NULL,
    challenge        VARCHAR(128) NOT NULL,
    challenge_method VARCHAR(8) NOT NULL,
    expires_at       BIGINT NOT NULL,
    used_at          BIGINT NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;
CREATE INDEX IF NOT EXISTS mto_code_expires ON mto_code (expires_at);

-- Issued access tokens: only the SHA-256 hex of a token is stored.
-- expires_at = 0: never expires.  code_hash: the code it was issued from
-- (revoked together when the code is replayed).  refresh_hash: the refresh
-- token issued together with it (revoked together with that grant).
CREATE TABLE IF NOT EXISTS mto_access_token (
    token_hash   CHAR(64) PRIMARY KEY,
    client_id    VARCHAR(256) NOT NULL,
    user_name    VARCHAR(256) NOT NULL,
    scope        VARCHAR(1024) NOT NULL,
    issued_at    BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    code_hash    CHAR(64),
    refresh_hash CHAR(64)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;
CREATE INDEX IF NOT EXISTS mto_access_token_code ON mto_access_token (code_hash);
CREATE INDEX IF NOT EXISTS mto_access_token_refresh ON mto_access_token (refresh_hash);
CREATE INDEX IF NOT EXISTS mto_access_token_client ON mto_access_token (client_id);
CREATE INDEX IF NOT EXISTS mto_access_token_expires ON mto_access_token (expires_at);

-- Refresh tokens (hashed), one grant = one family; a rotated token keeps its
-- row with rotated_at set so that its reuse can be detected.  scope is the
-- grant's; expires_at (0: never) is the family's, the same on every row.
-- code_hash: the authorization code the grant began with (a replay of the
-- code revokes the family).
CREATE TABLE IF NOT EXISTS mto_refresh_token (
    token_hash   CHAR(64) PRIMARY KEY,
    grant_id     CHAR(64) NOT NULL,
    client_id    VARCHAR(256) NOT NULL,
    user_name    VARCHAR(256) NOT NULL,
    scope        VARCHAR(1024) NOT NULL,
    issued_at    BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    rotated_at   BIGINT NOT NULL DEFAULT 0,
    code_hash    CHAR(64)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;
CREATE INDEX IF NOT EXISTS mto_refresh_token_grant ON mto_refresh_token (grant_id);
CREATE INDEX IF NOT EXISTS mto_refresh_token_code ON mto_refresh_token (code_hash);
CREATE INDEX IF NOT EXISTS mto_refresh_token_expires ON mto_refresh_token (expires_at);

-- Remembered consent: one row per user, client and scope.
CREATE TABLE IF NOT EXISTS mto_approval (
    user_name  VARCHAR(256) NOT NULL,
    client_id  VARCHAR(256) NOT NULL,
    scope      VARCHAR(256) NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (user_name, client_id, scope)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;
CREATE INDEX IF NOT EXISTS mto_approval_expires ON mto_approval (expires_at);

-- The cache generation: one row, bumped by every change the admin tool makes,
-- in the same transaction; every httpd process reads it at most once a second
-- and serves no cached row read under another generation (README §9, "Caching and revocation").
CREATE TABLE IF NOT EXISTS mto_generation (
    id         INTEGER PRIMARY KEY,
    generation BIGINT NOT NULL
) ENGINE=InnoDB;
INSERT IGNORE INTO mto_generation (id, generation) VALUES (1, 0);
