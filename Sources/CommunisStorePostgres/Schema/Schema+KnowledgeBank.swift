extension PostgresSchema {
    /// The knowledge bank: how-to articles and every saved revision of them (SQLite's
    /// `v5-knowledge-bank`, with its `v8` review-due index). Runs before `live`, whose
    /// `notifications` refer to `how_tos`.
    ///
    /// - An article goes with its workspace; `workspace_id` NULL is organisation-wide.
    ///   `owner_id`, `updated_by` and a revision's `author_id` have no foreign key: the record
    ///   of who wrote what stays when an account is removed (as a thread's author).
    /// - Lists of words (tags, audience) are `text[]`; the `_key` columns hold their
    ///   lower-cased, composed forms, which the filters compare. The embedded recordings are
    ///   `jsonb` (only this engine reads them).
    /// - `review_by` is a calendar day `YYYY-MM-DD` in the byte-order collation "C", so text
    ///   comparison is date order whatever the database's locale. `how_tos_review_due` serves
    ///   the periodic "which articles are due" query (`recordReviewReminders`:
    ///   `status = 'current' AND review_by IS NOT NULL AND review_by <= $today`).
    /// - `revision` on the article is the number of its latest save; every revision holds the
    ///   whole content of that save. A save locks the article row (`SELECT … FOR UPDATE`)
    ///   before it compares and adds, so numbers have no gaps and a stale save is refused;
    ///   the primary key (how_to_id, number) makes a duplicate number impossible anyway.
    /// - Search reads title, summary, body, tags, status, owner and times (its triggers live in
    ///   the later `search` migration).
    static let knowledgeBank: [String] = [
        """
        CREATE TABLE how_tos (
            id                       uuid PRIMARY KEY,
            workspace_id             uuid REFERENCES workspaces (id) ON DELETE CASCADE,
            owner_id                 uuid NOT NULL,
            status                   text NOT NULL CHECK (status IN ('current', 'archived')),
            revision                 integer NOT NULL CHECK (revision >= 1),
            title                    text NOT NULL,
            summary                  text NOT NULL,
            body                     text NOT NULL,
            tags                     text[] NOT NULL,
            tags_key                 text[] NOT NULL,
            audience_departments     text[] NOT NULL,
            audience_departments_key text[] NOT NULL,
            audience_roles           text[] NOT NULL,
            review_by                text COLLATE "C",
            recordings               jsonb NOT NULL,
            created_at               timestamptz NOT NULL,
            updated_at               timestamptz NOT NULL,
            updated_by               uuid NOT NULL
        )
        """,
        "CREATE INDEX how_tos_workspace ON how_tos (workspace_id, updated_at)",
        "CREATE INDEX how_tos_owner_review ON how_tos (owner_id, review_by)",
        "CREATE INDEX how_tos_updated ON how_tos (updated_at, id)",
        "CREATE INDEX how_tos_review_due ON how_tos (review_by) WHERE status = 'current' AND review_by IS NOT NULL",
        """
        CREATE TABLE how_to_revisions (
            how_to_id            uuid NOT NULL REFERENCES how_tos (id) ON DELETE CASCADE,
            number               integer NOT NULL CHECK (number >= 1),
            title                text NOT NULL,
            summary              text NOT NULL,
            body                 text NOT NULL,
            tags                 text[] NOT NULL,
            audience_departments text[] NOT NULL,
            audience_roles       text[] NOT NULL,
            review_by            text COLLATE "C",
            recordings           jsonb NOT NULL,
            author_id            uuid NOT NULL,
            created_at           timestamptz NOT NULL,
            restored_from        integer,
            PRIMARY KEY (how_to_id, number)
        )
        """,
    ]
}
