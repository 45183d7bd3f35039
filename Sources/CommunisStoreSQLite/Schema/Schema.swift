import GRDB

/// The database schema as an append-only list of migrations, written in SQL so that they
/// never change when the Swift types do. Never edit a migration that has shipped: add one.
///
/// Conventions: ids are lowercase UUID strings; dates are unix seconds (REAL); booleans are
/// 0/1; columns ending in `_key` hold the Swift-lowercased (composed) form of the column next
/// to them, so comparisons in SQL are plain byte comparisons that work for å, ä and ö.
enum Schema {
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()

        migrator.registerMigration("v1-people") { db in
            try db.execute(sql: """
                CREATE TABLE people (
                    id             TEXT PRIMARY KEY NOT NULL,
                    email          TEXT NOT NULL UNIQUE,
                    name           TEXT NOT NULL,
                    role           TEXT NOT NULL CHECK (role IN ('admin', 'member', 'guest')),
                    title          TEXT NOT NULL DEFAULT '',
                    department     TEXT NOT NULL DEFAULT '',
                    department_key TEXT NOT NULL DEFAULT '',
                    workplace      TEXT NOT NULL DEFAULT '',
                    workplace_key  TEXT NOT NULL DEFAULT '',
                    phone          TEXT NOT NULL DEFAULT '',
                    presentation   TEXT NOT NULL DEFAULT '',
                    search_text    TEXT NOT NULL DEFAULT '',
                    password_hash  TEXT,
                    failed_logins  INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
                    locked_until   REAL,
                    disabled       INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
                    created_at     REAL NOT NULL,
                    last_login_at  REAL
                ) STRICT;
                CREATE INDEX people_role_disabled ON people (role, disabled);
                CREATE INDEX people_department_key ON people (department_key);
                CREATE INDEX people_workplace_key ON people (workplace_key);

                CREATE TABLE person_competences (
                    person_id TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
                    ordinal   INTEGER NOT NULL,
                    name      TEXT NOT NULL,
                    name_key  TEXT NOT NULL,
                    PRIMARY KEY (person_id, ordinal)
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX person_competences_name_key ON person_competences (name_key, person_id);
                """)
        }

        migrator.registerMigration("v1-sessions") { db in
            try db.execute(sql: """
                CREATE TABLE sessions (
                    token_hash TEXT PRIMARY KEY NOT NULL,
                    person_id  TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
                    csrf_token TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    expires_at REAL NOT NULL
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX sessions_person_id ON sessions (person_id);
                CREATE INDEX sessions_expires_at ON sessions (expires_at);
                """)
        }

        migrator.registerMigration("v1-api-tokens") { db in
            try db.execute(sql: """
                CREATE TABLE api_tokens (
                    id           TEXT PRIMARY KEY NOT NULL,
                    person_id    TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
                    name         TEXT NOT NULL,
                    token_hash   TEXT NOT NULL UNIQUE,
                    created_at   REAL NOT NULL,
                    last_used_at REAL
                ) STRICT;
                CREATE INDEX api_tokens_person_id ON api_tokens (person_id, created_at);
                """)
        }

        migrator.registerMigration("v1-workspaces") { db in
            try db.execute(sql: """
                CREATE TABLE workspaces (
                    id          TEXT PRIMARY KEY NOT NULL,
                    name        TEXT NOT NULL,
                    name_key    TEXT NOT NULL,
                    description TEXT NOT NULL DEFAULT '',
                    visibility  TEXT NOT NULL CHECK (visibility IN ('open', 'closed', 'secret')),
                    created_by  TEXT REFERENCES people (id) ON DELETE SET NULL,
                    created_at  REAL NOT NULL
                ) STRICT;
                CREATE INDEX workspaces_visibility ON workspaces (visibility);
                CREATE INDEX workspaces_created_by ON workspaces (created_by);
                """)
        }

        migrator.registerMigration("v1-memberships") { db in
            try db.execute(sql: """
                CREATE TABLE memberships (
                    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                    person_id    TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
                    role         TEXT NOT NULL CHECK (role IN ('owner', 'member')),
                    joined_at    REAL NOT NULL,
                    PRIMARY KEY (workspace_id, person_id)
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX memberships_person_id ON memberships (person_id, workspace_id);
                """)
        }

        migrator.registerMigration("v1-join-requests") { db in
            try db.execute(sql: """
                CREATE TABLE join_requests (
                    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                    person_id    TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
                    requested_at REAL NOT NULL,
                    PRIMARY KEY (workspace_id, person_id)
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX join_requests_person_id ON join_requests (person_id, workspace_id);
                """)
        }

        migrator.registerMigration("v1-guest-invitations") { db in
            // The inviter is required by the domain type, so an invitation goes with the
            // person who sent it (rather than blocking that person's deletion).
            try db.execute(sql: """
                CREATE TABLE guest_invitations (
                    token_hash   TEXT PRIMARY KEY NOT NULL,
                    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                    person_id    TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
                    invited_by   TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
                    created_at   REAL NOT NULL,
                    expires_at   REAL NOT NULL,
                    accepted_at  REAL
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX guest_invitations_workspace_id ON guest_invitations (workspace_id);
                CREATE INDEX guest_invitations_person_id ON guest_invitations (person_id);
                CREATE INDEX guest_invitations_invited_by ON guest_invitations (invited_by);
                """)
        }

        return migrator
    }()
}
