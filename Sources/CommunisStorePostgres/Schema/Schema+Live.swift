extension PostgresSchema {
    /// The live layer: the per-workspace event log, discussions, blogs, notifications,
    /// idempotency keys, feed tokens and comments on personal blogs (SQLite's `v2-*`, `v3-*`
    /// and the `v8` notifications in one migration: this engine has no history to replay).
    ///
    /// - `workspace_sequences` holds the last seq ever handed out per workspace: its row is the
    ///   workspace's head, locked by every `apply` until it commits (so seqs are gapless and
    ///   commit in order), and it outlives pruned events, so a seq never comes back. Made on
    ///   first use (an upsert), removed with the workspace.
    /// - `events.payload` is `bytea`: sent out byte for byte as the service encoded it.
    ///   `actor_id` has no foreign key: the log is history. `events_feed` serves the home feed
    ///   (each member workspace read newest first) and pruning.
    /// - Authors of threads, posts and comments have no foreign key: what someone wrote for
    ///   others stays (with their id) when the account is removed. A blog post's comment
    ///   thread shares the blog post's id and has kind `blog-comments`.
    /// - Reactions point at a post or a blog post, so `target_id` has no foreign key: the
    ///   triggers below remove them with their target (also when a workspace or a person is
    ///   deleted and the rows go by cascade), and deleting a blog post removes its comment
    ///   thread, as SQLite's triggers do.
    /// - `ordinal` (an identity) is the order rows were added in, SQLite's rowid: it breaks
    ///   ties between equal times in lists (threads, posts, blog posts, notifications, comments),
    ///   and orders reactions and revisions. Gaps in it mean nothing.
    /// - `notifications.review_by` is `text COLLATE "C"` like `how_tos.review_by`, so the two
    ///   compare as days; `notifications_how_to` (unique; rows without a how-to never clash)
    ///   is the memory of which review day was told.
    /// - The columns the search index reads (SQLite's `Schema+Search.swift`: threads' kind and
    ///   title, posts' body, edited_at and deleted_at, blog posts' status, title, body and times)
    ///   are here with the same names; the `search` migration adds its triggers on them.
    static let live: [String] = [
        """
        CREATE TABLE workspace_sequences (
            workspace_id uuid PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
            last_seq     bigint NOT NULL CHECK (last_seq >= 0)
        )
        """,
        """
        CREATE TABLE events (
            workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
            seq          bigint NOT NULL CHECK (seq > 0),
            kind         text NOT NULL,
            payload      bytea NOT NULL,
            actor_id     uuid,
            created_at   timestamptz NOT NULL,
            PRIMARY KEY (workspace_id, seq)
        )
        """,
        "CREATE INDEX events_feed ON events (workspace_id, created_at, seq) INCLUDE (kind)",
        """
        CREATE TABLE threads (
            id               uuid PRIMARY KEY,
            workspace_id     uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
            kind             text NOT NULL DEFAULT 'discussion' CHECK (kind IN ('discussion', 'blog-comments')),
            title            text NOT NULL,
            author_id        uuid NOT NULL,
            created_at       timestamptz NOT NULL,
            last_activity_at timestamptz NOT NULL,
            post_count       integer NOT NULL DEFAULT 0 CHECK (post_count >= 0),
            ordinal          bigint GENERATED ALWAYS AS IDENTITY
        )
        """,
        "CREATE INDEX threads_activity ON threads (workspace_id, kind, last_activity_at, ordinal)",
        """
        CREATE TABLE posts (
            id           uuid PRIMARY KEY,
            thread_id    uuid NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
            workspace_id uuid NOT NULL,
            author_id    uuid NOT NULL,
            parent_id    uuid,
            body         text NOT NULL,
            created_at   timestamptz NOT NULL,
            edited_at    timestamptz,
            deleted_at   timestamptz,
            deleted_by   uuid,
            ordinal      bigint GENERATED ALWAYS AS IDENTITY
        )
        """,
        "CREATE INDEX posts_thread ON posts (thread_id, created_at, ordinal)",
        """
        CREATE TABLE post_revisions (
            id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            post_id     uuid NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
            body        text NOT NULL,
            replaced_at timestamptz NOT NULL,
            editor_id   uuid NOT NULL
        )
        """,
        "CREATE INDEX post_revisions_post ON post_revisions (post_id, replaced_at, id)",
        """
        CREATE TABLE reactions (
            id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            target_id uuid NOT NULL,
            person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
            emoji     text NOT NULL,
            UNIQUE (target_id, person_id, emoji)
        )
        """,
        "CREATE INDEX reactions_person ON reactions (person_id)",
        """
        CREATE TABLE blog_posts (
            id           uuid PRIMARY KEY,
            workspace_id uuid REFERENCES workspaces (id) ON DELETE CASCADE,
            author_id    uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
            title        text NOT NULL,
            body         text NOT NULL,
            status       text NOT NULL CHECK (status IN ('draft', 'published')),
            created_at   timestamptz NOT NULL,
            updated_at   timestamptz NOT NULL,
            published_at timestamptz,
            ordinal      bigint GENERATED ALWAYS AS IDENTITY
        )
        """,
        "CREATE INDEX blog_posts_workspace ON blog_posts (workspace_id, status, published_at)",
        "CREATE INDEX blog_posts_author ON blog_posts (author_id, workspace_id, status, published_at)",
        // Statement-level with the deleted rows as a table: one DELETE per statement, also for
        // the many rows a workspace's or a person's cascade removes.
        """
        CREATE FUNCTION posts_delete_reactions() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM reactions WHERE target_id IN (SELECT id FROM gone);
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER posts_delete_reactions AFTER DELETE ON posts
        REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION posts_delete_reactions()
        """,
        """
        CREATE FUNCTION blog_posts_delete_comments() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM threads WHERE id IN (SELECT id FROM gone);
            DELETE FROM reactions WHERE target_id IN (SELECT id FROM gone);
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER blog_posts_delete_comments AFTER DELETE ON blog_posts
        REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION blog_posts_delete_comments()
        """,
        """
        CREATE TABLE notifications (
            id           uuid PRIMARY KEY,
            person_id    uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
            kind         text NOT NULL,
            workspace_id uuid REFERENCES workspaces (id) ON DELETE CASCADE,
            thread_id    uuid,
            post_id      uuid,
            how_to_id    uuid REFERENCES how_tos (id) ON DELETE CASCADE,
            review_by    text COLLATE "C",
            actor_id     uuid,
            excerpt      text NOT NULL,
            created_at   timestamptz NOT NULL,
            read_at      timestamptz,
            ordinal      bigint GENERATED ALWAYS AS IDENTITY,
            CHECK (kind <> 'mention' OR (workspace_id IS NOT NULL AND actor_id IS NOT NULL)),
            CHECK (kind <> 'review-due' OR (how_to_id IS NOT NULL AND review_by IS NOT NULL))
        )
        """,
        "CREATE INDEX notifications_person ON notifications (person_id, created_at, ordinal)",
        "CREATE INDEX notifications_unread ON notifications (person_id, created_at) WHERE read_at IS NULL",
        "CREATE INDEX notifications_workspace ON notifications (workspace_id)",
        // Deleting a post or a blog post blanks the excerpts that quote it.
        "CREATE INDEX notifications_post ON notifications (post_id) WHERE post_id IS NOT NULL",
        "CREATE INDEX notifications_thread ON notifications (thread_id) WHERE thread_id IS NOT NULL",
        "CREATE UNIQUE INDEX notifications_how_to ON notifications (how_to_id, kind, review_by)",
        // A key lives as long as the event it produced: pruning the event (or deleting its
        // workspace) removes the key too.
        """
        CREATE TABLE idempotency_keys (
            person_id    uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
            key          text NOT NULL,
            workspace_id uuid NOT NULL,
            seq          bigint NOT NULL,
            created_at   timestamptz NOT NULL,
            PRIMARY KEY (person_id, key),
            FOREIGN KEY (workspace_id, seq) REFERENCES events (workspace_id, seq) ON DELETE CASCADE
        )
        """,
        "CREATE INDEX idempotency_keys_event ON idempotency_keys (workspace_id, seq)",
        """
        CREATE TABLE feed_tokens (
            person_id  uuid PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
            token_hash text NOT NULL UNIQUE
        )
        """,
        // Comments on personal blog posts: no workspace, no event log. A deleted comment keeps
        // its row (the list shows that something was removed) without its text.
        """
        CREATE TABLE personal_comments (
            id           uuid PRIMARY KEY,
            blog_post_id uuid NOT NULL REFERENCES blog_posts (id) ON DELETE CASCADE,
            author_id    uuid NOT NULL,
            body         text NOT NULL,
            created_at   timestamptz NOT NULL,
            deleted_at   timestamptz,
            ordinal      bigint GENERATED ALWAYS AS IDENTITY
        )
        """,
        "CREATE INDEX personal_comments_post ON personal_comments (blog_post_id, created_at, ordinal)",
    ]
}
