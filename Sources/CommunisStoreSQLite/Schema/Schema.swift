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

        // MARK: v2: the live layer (discussions, blogs, notifications, the event log)

        migrator.registerMigration("v2-events") { db in
            // The per-workspace log a client resumes from. `workspace_sequences` holds the
            // last seq ever handed out, so pruning old events never lets a seq come back.
            // `actor_id` has no foreign key: the log is history and is never rewritten.
            // `events_feed` serves the home feed (each member workspace read newest first),
            // and pruning; `kind` is in it so rows of other kinds are skipped without
            // reading their payload.
            try db.execute(sql: """
                CREATE TABLE workspace_sequences (
                    workspace_id TEXT PRIMARY KEY NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                    last_seq     INTEGER NOT NULL CHECK (last_seq >= 0)
                ) STRICT, WITHOUT ROWID;

                CREATE TABLE events (
                    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                    seq          INTEGER NOT NULL CHECK (seq > 0),
                    kind         TEXT NOT NULL,
                    payload      BLOB NOT NULL,
                    actor_id     TEXT,
                    created_at   REAL NOT NULL,
                    PRIMARY KEY (workspace_id, seq)
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX events_feed ON events (workspace_id, created_at, seq, kind);
                """)
        }

        migrator.registerMigration("v2-discussions") { db in
            // Authors have no foreign key: a thread or a post stays (with its author's id)
            // when an account is removed, as others have answered it. A blog post's comment
            // thread shares the blog post's id and has kind 'blog-comments'; it is not listed
            // among the workspace's discussions. Reactions point at a post or a blog post,
            // so `target_id` has no foreign key; triggers remove them with their target.
            try db.execute(sql: """
                CREATE TABLE threads (
                    id               TEXT PRIMARY KEY NOT NULL,
                    workspace_id     TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                    kind             TEXT NOT NULL DEFAULT 'discussion' CHECK (kind IN ('discussion', 'blog-comments')),
                    title            TEXT NOT NULL,
                    author_id        TEXT NOT NULL,
                    created_at       REAL NOT NULL,
                    last_activity_at REAL NOT NULL,
                    post_count       INTEGER NOT NULL DEFAULT 0 CHECK (post_count >= 0)
                ) STRICT;
                CREATE INDEX threads_activity ON threads (workspace_id, kind, last_activity_at);

                CREATE TABLE posts (
                    id           TEXT PRIMARY KEY NOT NULL,
                    thread_id    TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
                    workspace_id TEXT NOT NULL,
                    author_id    TEXT NOT NULL,
                    parent_id    TEXT,
                    body         TEXT NOT NULL,
                    created_at   REAL NOT NULL,
                    edited_at    REAL,
                    deleted_at   REAL,
                    deleted_by   TEXT
                ) STRICT;
                CREATE INDEX posts_thread ON posts (thread_id, created_at);

                CREATE TABLE post_revisions (
                    id          INTEGER PRIMARY KEY,
                    post_id     TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
                    body        TEXT NOT NULL,
                    replaced_at REAL NOT NULL,
                    editor_id   TEXT NOT NULL
                ) STRICT;
                CREATE INDEX post_revisions_post ON post_revisions (post_id, replaced_at);

                CREATE TABLE reactions (
                    id        INTEGER PRIMARY KEY,
                    target_id TEXT NOT NULL,
                    person_id TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
                    emoji     TEXT NOT NULL,
                    UNIQUE (target_id, person_id, emoji)
                ) STRICT;
                CREATE INDEX reactions_person ON reactions (person_id);

                CREATE TRIGGER posts_delete_reactions AFTER DELETE ON posts BEGIN
                    DELETE FROM reactions WHERE target_id = OLD.id;
                END;
                """)
        }

        migrator.registerMigration("v2-blogs") { db in
            // `workspace_id` NULL: the author's own blog. A blog post is its author's
            // writing, so it goes with the author's account; its comment thread and its
            // reactions go with it.
            try db.execute(sql: """
                CREATE TABLE blog_posts (
                    id           TEXT PRIMARY KEY NOT NULL,
                    workspace_id TEXT REFERENCES workspaces (id) ON DELETE CASCADE,
                    author_id    TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
                    title        TEXT NOT NULL,
                    body         TEXT NOT NULL,
                    status       TEXT NOT NULL CHECK (status IN ('draft', 'published')),
                    created_at   REAL NOT NULL,
                    updated_at   REAL NOT NULL,
                    published_at REAL
                ) STRICT;
                CREATE INDEX blog_posts_workspace ON blog_posts (workspace_id, status, published_at);
                CREATE INDEX blog_posts_author ON blog_posts (author_id, workspace_id, status, published_at);

                CREATE TRIGGER blog_posts_delete_comments AFTER DELETE ON blog_posts BEGIN
                    DELETE FROM threads WHERE id = OLD.id;
                    DELETE FROM reactions WHERE target_id = OLD.id;
                END;
                """)
        }

        migrator.registerMigration("v2-notifications") { db in
            try db.execute(sql: """
                CREATE TABLE notifications (
                    id           TEXT PRIMARY KEY NOT NULL,
                    person_id    TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
                    kind         TEXT NOT NULL,
                    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                    thread_id    TEXT,
                    post_id      TEXT,
                    actor_id     TEXT NOT NULL,
                    excerpt      TEXT NOT NULL,
                    created_at   REAL NOT NULL,
                    read_at      REAL
                ) STRICT;
                CREATE INDEX notifications_person ON notifications (person_id, created_at);
                CREATE INDEX notifications_unread ON notifications (person_id, created_at) WHERE read_at IS NULL;
                CREATE INDEX notifications_workspace ON notifications (workspace_id);
                """)
        }

        migrator.registerMigration("v2-idempotency") { db in
            // A key lives as long as the event it produced: pruning the event (or deleting
            // its workspace) removes the key too.
            try db.execute(sql: """
                CREATE TABLE idempotency_keys (
                    person_id    TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
                    key          TEXT NOT NULL,
                    workspace_id TEXT NOT NULL,
                    seq          INTEGER NOT NULL,
                    created_at   REAL NOT NULL,
                    PRIMARY KEY (person_id, key),
                    FOREIGN KEY (workspace_id, seq) REFERENCES events (workspace_id, seq) ON DELETE CASCADE
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX idempotency_keys_event ON idempotency_keys (workspace_id, seq);
                """)
        }

        migrator.registerMigration("v2-feed-tokens") { db in
            try db.execute(sql: """
                CREATE TABLE feed_tokens (
                    person_id  TEXT PRIMARY KEY NOT NULL REFERENCES people (id) ON DELETE CASCADE,
                    token_hash TEXT NOT NULL UNIQUE
                ) STRICT, WITHOUT ROWID;
                """)
        }

        migrator.registerMigration("v3-personal-comments") { db in
            // Comments on personal blog posts: no workspace, no event log. A deleted comment
            // keeps its row (the list shows it was removed) without its text.
            try db.execute(sql: """
                CREATE TABLE personal_comments (
                    id           TEXT PRIMARY KEY NOT NULL,
                    blog_post_id TEXT NOT NULL REFERENCES blog_posts (id) ON DELETE CASCADE,
                    author_id    TEXT NOT NULL,
                    body         TEXT NOT NULL,
                    created_at   REAL NOT NULL,
                    deleted_at   REAL
                ) STRICT;
                CREATE INDEX personal_comments_post ON personal_comments (blog_post_id, created_at);
                """)
        }

        // MARK: v4: web meetings

        migrator.registerMigration("v4-meetings") { db in
            // A meeting goes with its workspace; invitations and attendance go with the meeting.
            // `created_by`, `ended_by` and `thread_id` have no foreign key: like a thread's
            // author, the record of who created or ended a meeting stays when an account is
            // removed, and the chat thread belongs to the same workspace (it goes with it).
            // An invitation goes with the person who sent it (as guest_invitations do); the
            // guest account it made stays bound until that account is removed.
            try db.execute(sql: """
                CREATE TABLE meetings (
                    id            TEXT PRIMARY KEY NOT NULL,
                    workspace_id  TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                    title         TEXT NOT NULL,
                    scheduled_for REAL,
                    created_by    TEXT NOT NULL,
                    created_at    REAL NOT NULL,
                    thread_id     TEXT NOT NULL,
                    started_at    REAL,
                    ended_at      REAL,
                    ended_by      TEXT
                ) STRICT;
                CREATE INDEX meetings_workspace ON meetings (workspace_id, created_at);

                CREATE TABLE meeting_invitations (
                    id          TEXT PRIMARY KEY NOT NULL,
                    meeting_id  TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
                    guest_name  TEXT NOT NULL,
                    guest_email TEXT,
                    token_hash  TEXT NOT NULL UNIQUE,
                    created_by  TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
                    created_at  REAL NOT NULL,
                    expires_at  REAL NOT NULL,
                    guest_id    TEXT REFERENCES people (id) ON DELETE SET NULL
                ) STRICT;
                CREATE INDEX meeting_invitations_meeting ON meeting_invitations (meeting_id, guest_id);
                CREATE INDEX meeting_invitations_guest ON meeting_invitations (guest_id);
                CREATE INDEX meeting_invitations_created_by ON meeting_invitations (created_by);

                CREATE TABLE meeting_attendance (
                    id         INTEGER PRIMARY KEY,
                    meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
                    person_id  TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
                    joined_at  REAL NOT NULL,
                    left_at    REAL
                ) STRICT;
                CREATE INDEX meeting_attendance_meeting ON meeting_attendance (meeting_id, joined_at);
                CREATE INDEX meeting_attendance_person ON meeting_attendance (person_id);
                """)
        }

        // Later migrations live in their own files (Schema+<Area>.swift), registered here in
        // the order they shipped.
        registerKnowledgeBank(&migrator)   // v5
        registerSearch(&migrator)          // v6
        registerRecordings(&migrator)      // v7
        registerReviewNotifications(&migrator)  // v8
        registerSearchScope(&migrator)     // v9
        registerIdentity(&migrator)        // v10
        registerJobs(&migrator)            // v11
        registerMeetingChats(&migrator)    // v12
        registerSearchWorkspaces(&migrator)  // v13
        registerDocuments(&migrator)       // v14
        registerPush(&migrator)            // v15
        registerNotifications(&migrator)   // v16
        registerNews(&migrator)            // v17

        return migrator
    }()
}
