import Foundation
import GRDB

extension Schema {
    /// v10: one login through the directory and OpenID Connect, login delays instead of
    /// locks, password resets, the outbox, the audit log, and sessions that can be listed.
    ///
    /// `people` is rebuilt (SQLite cannot relax NOT NULL in place), following SQLite's
    /// twelve-step procedure: its indexes and triggers (the search index's) are read from
    /// `sqlite_master`, the table is copied into `people_v10`, dropped, the copy renamed (with
    /// `legacy_alter_table`, see below), and
    /// the indexes and triggers created again from their own SQL. Other tables' foreign keys
    /// name `people` and resolve to the new table; GRDB runs the migration with foreign keys
    /// off and checks them all afterwards.
    /// - `email` may be NULL (a directory entry without `mail`); still unique when present.
    /// - `login`: the directory login name, lowercased, unique when present.
    /// - `managed_by`: NULL for local accounts, else who owns name, e-mail and job fields.
    /// - `role_source`: `rules` when group rules decide the role; `manual` otherwise.
    /// - `disabled_by`: who disabled the account (the directory re-enables only its own).
    /// - `groups_unreadable`: the provider's token said the groups were elsewhere.
    /// - `failed_logins` and `locked_until` are gone: accounts are no longer locked; failures
    ///   are counted per (account, address) in `login_failures`.
    static func registerIdentity(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v10-identity") { db in
            let dependents = try String.fetchAll(db, sql: """
                SELECT sql FROM sqlite_master
                WHERE tbl_name = 'people' AND type IN ('index', 'trigger') AND sql IS NOT NULL
                ORDER BY type, name
                """)
            try db.execute(sql: """
                CREATE TABLE people_v10 (
                    id                TEXT PRIMARY KEY NOT NULL,
                    email             TEXT UNIQUE,
                    login             TEXT UNIQUE,
                    name              TEXT NOT NULL,
                    role              TEXT NOT NULL CHECK (role IN ('admin', 'member', 'guest')),
                    role_source       TEXT NOT NULL DEFAULT 'manual' CHECK (role_source IN ('manual', 'rules')),
                    managed_by        TEXT CHECK (managed_by IN ('directory', 'oidc')),
                    title             TEXT NOT NULL DEFAULT '',
                    department        TEXT NOT NULL DEFAULT '',
                    department_key    TEXT NOT NULL DEFAULT '',
                    workplace         TEXT NOT NULL DEFAULT '',
                    workplace_key     TEXT NOT NULL DEFAULT '',
                    phone             TEXT NOT NULL DEFAULT '',
                    presentation      TEXT NOT NULL DEFAULT '',
                    search_text       TEXT NOT NULL DEFAULT '',
                    password_hash     TEXT,
                    disabled          INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
                    disabled_by       TEXT CHECK (disabled_by IN ('admin', 'directory')),
                    groups_unreadable INTEGER NOT NULL DEFAULT 0 CHECK (groups_unreadable IN (0, 1)),
                    created_at        REAL NOT NULL,
                    last_login_at     REAL
                ) STRICT;
                INSERT INTO people_v10 (
                    id, email, name, role, title, department, department_key, workplace, workplace_key, phone,
                    presentation, search_text, password_hash, disabled, disabled_by, created_at, last_login_at)
                SELECT id, NULLIF(email, ''), name, role, title, department, department_key, workplace, workplace_key, phone,
                       presentation, search_text, password_hash, disabled, CASE WHEN disabled = 1 THEN 'admin' END,
                       created_at, last_login_at
                FROM people;
                DROP TABLE people;
                """)
            // Triggers of other tables (the competences' search triggers) name `people`, which
            // does not exist between the drop and the rename; the modern RENAME re-checks every
            // trigger and would refuse. The legacy rename leaves them alone, as the twelve-step
            // procedure expects.
            try db.execute(sql: "PRAGMA legacy_alter_table = ON")
            try db.execute(sql: "ALTER TABLE people_v10 RENAME TO people")
            try db.execute(sql: "PRAGMA legacy_alter_table = OFF")
            for sql in dependents { try db.execute(sql: sql) }

            try db.execute(sql: """
                CREATE TABLE external_identities (
                    provider   TEXT NOT NULL,
                    subject    TEXT NOT NULL,
                    person_id  TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
                    created_at REAL NOT NULL,
                    PRIMARY KEY (provider, subject)
                ) STRICT, WITHOUT ROWID;
                CREATE UNIQUE INDEX external_identities_person ON external_identities (person_id, provider);

                CREATE TABLE known_groups (
                    key      TEXT PRIMARY KEY NOT NULL,
                    name     TEXT NOT NULL,
                    name_key TEXT NOT NULL,
                    source   TEXT NOT NULL CHECK (source IN ('directory', 'oidc')),
                    dn       TEXT NOT NULL DEFAULT '',
                    seen_at  REAL NOT NULL
                ) STRICT, WITHOUT ROWID;

                CREATE TABLE person_groups (
                    person_id TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
                    group_key TEXT NOT NULL,
                    source    TEXT NOT NULL CHECK (source IN ('directory', 'oidc')),
                    PRIMARY KEY (person_id, group_key)
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX person_groups_group ON person_groups (group_key, person_id);

                CREATE TABLE group_rules (
                    id              TEXT PRIMARY KEY NOT NULL,
                    group_key       TEXT NOT NULL,
                    group_name      TEXT NOT NULL,
                    kind            TEXT NOT NULL CHECK (kind IN ('role', 'membership')),
                    role            TEXT CHECK (role IN ('admin', 'member')),
                    workspace_id    TEXT REFERENCES workspaces (id) ON DELETE CASCADE,
                    membership_role TEXT CHECK (membership_role IN ('owner', 'member')),
                    created_by      TEXT REFERENCES people (id) ON DELETE SET NULL,
                    created_at      REAL NOT NULL,
                    CHECK ((kind = 'role' AND role IS NOT NULL AND workspace_id IS NULL AND membership_role IS NULL)
                        OR (kind = 'membership' AND role IS NULL AND workspace_id IS NOT NULL AND membership_role IS NOT NULL))
                ) STRICT;
                CREATE UNIQUE INDEX group_rules_unique
                    ON group_rules (group_key, kind, coalesce(role, ''), coalesce(workspace_id, ''), coalesce(membership_role, ''));
                CREATE INDEX group_rules_workspace ON group_rules (workspace_id);
                CREATE INDEX group_rules_created_by ON group_rules (created_by);

                ALTER TABLE memberships ADD COLUMN origin TEXT NOT NULL DEFAULT 'manual' CHECK (origin IN ('manual', 'rule'));

                CREATE TABLE login_failures (
                    scope            TEXT NOT NULL,
                    address          TEXT NOT NULL,
                    person_id        TEXT REFERENCES people (id) ON DELETE CASCADE,
                    failures         INTEGER NOT NULL CHECK (failures > 0),
                    first_failure_at REAL NOT NULL,
                    last_failure_at  REAL NOT NULL,
                    blocked_until    REAL,
                    PRIMARY KEY (scope, address)
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX login_failures_person ON login_failures (person_id) WHERE person_id IS NOT NULL;
                CREATE INDEX login_failures_last ON login_failures (last_failure_at);

                CREATE TABLE password_resets (
                    token_hash TEXT PRIMARY KEY NOT NULL,
                    person_id  TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
                    created_at REAL NOT NULL,
                    expires_at REAL NOT NULL,
                    used_at    REAL
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX password_resets_person ON password_resets (person_id, created_at);
                CREATE INDEX password_resets_expires ON password_resets (expires_at);

                CREATE TABLE oidc_logins (
                    flow_hash     TEXT PRIMARY KEY NOT NULL,
                    state         TEXT NOT NULL,
                    nonce         TEXT NOT NULL,
                    code_verifier TEXT NOT NULL,
                    return_to     TEXT NOT NULL,
                    created_at    REAL NOT NULL,
                    expires_at    REAL NOT NULL
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX oidc_logins_expires ON oidc_logins (expires_at);

                CREATE TABLE mail_outbox (
                    id              TEXT PRIMARY KEY NOT NULL,
                    kind            TEXT NOT NULL,
                    recipient       TEXT NOT NULL,
                    recipient_name  TEXT NOT NULL DEFAULT '',
                    subject         TEXT NOT NULL,
                    text_body       TEXT NOT NULL,
                    html_body       TEXT NOT NULL,
                    status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
                    attempts        INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at REAL NOT NULL,
                    leased_until    REAL,
                    last_error      TEXT NOT NULL DEFAULT '',
                    created_at      REAL NOT NULL,
                    sent_at         REAL
                ) STRICT;
                CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);
                CREATE INDEX mail_outbox_created ON mail_outbox (created_at);

                CREATE TABLE audit_log (
                    id           INTEGER PRIMARY KEY,
                    at           REAL NOT NULL,
                    action       TEXT NOT NULL,
                    actor_id     TEXT,
                    actor_name   TEXT NOT NULL DEFAULT '',
                    target_type  TEXT NOT NULL DEFAULT '',
                    target_id    TEXT NOT NULL DEFAULT '',
                    target_name  TEXT NOT NULL DEFAULT '',
                    workspace_id   TEXT,
                    workspace_name TEXT NOT NULL DEFAULT '',
                    via          TEXT NOT NULL DEFAULT '',
                    address      TEXT NOT NULL DEFAULT '',
                    details      TEXT NOT NULL DEFAULT '{}',
                    search_text  TEXT NOT NULL DEFAULT ''
                ) STRICT;
                CREATE INDEX audit_log_at ON audit_log (at);
                CREATE INDEX audit_log_action ON audit_log (action, id);
                CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
                CREATE INDEX audit_log_target ON audit_log (target_id, id);
                CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log BEGIN
                    SELECT RAISE(ABORT, 'the audit log is append-only');
                END;

                ALTER TABLE sessions ADD COLUMN id TEXT;
                ALTER TABLE sessions ADD COLUMN method TEXT NOT NULL DEFAULT 'password'
                    CHECK (method IN ('password', 'directory', 'oidc', 'invitation'));
                ALTER TABLE sessions ADD COLUMN address TEXT NOT NULL DEFAULT '';
                ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
                ALTER TABLE sessions ADD COLUMN last_seen_at REAL;
                """)
            // Sessions made before v10 get public ids (UUIDs, like every id here).
            for tokenHash in try String.fetchAll(db, sql: "SELECT token_hash FROM sessions") {
                try db.execute(sql: "UPDATE sessions SET id = ? WHERE token_hash = ?", arguments: [UUID().uuidString.lowercased(), tokenHash])
            }
            try db.execute(sql: "CREATE UNIQUE INDEX sessions_id ON sessions (id)")
        }
    }
}
