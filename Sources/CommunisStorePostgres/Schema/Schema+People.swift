extension PostgresSchema {
    /// People, their competences, sessions and API tokens.
    ///
    /// Conventions of this engine: ids are `uuid`, times `timestamptz`, booleans `boolean`;
    /// columns ending in `_key` hold the lower-cased, composed form of the column beside them
    /// (as the SQLite engine), so comparisons are exact string comparisons whatever the
    /// database's locale; names sort with the ICU collation `communis_name` (Swedish, ignoring
    /// case): a–z, then å, ä, ö.
    static let people: [String] = [
        """
        CREATE COLLATION IF NOT EXISTS communis_name (provider = icu, locale = 'sv-SE-u-ks-level2', deterministic = false)
        """,
        """
        CREATE TABLE people (
            id                uuid PRIMARY KEY,
            email             text UNIQUE,
            login             text UNIQUE,
            name              text NOT NULL,
            role              text NOT NULL CHECK (role IN ('admin', 'member', 'guest')),
            role_source       text NOT NULL DEFAULT 'manual' CHECK (role_source IN ('manual', 'rules')),
            managed_by        text CHECK (managed_by IN ('directory', 'oidc')),
            title             text NOT NULL DEFAULT '',
            department        text NOT NULL DEFAULT '',
            department_key    text NOT NULL DEFAULT '',
            workplace         text NOT NULL DEFAULT '',
            workplace_key     text NOT NULL DEFAULT '',
            phone             text NOT NULL DEFAULT '',
            presentation      text NOT NULL DEFAULT '',
            search_text       text NOT NULL DEFAULT '',
            password_hash     text,
            disabled          boolean NOT NULL DEFAULT false,
            disabled_by       text CHECK (disabled_by IN ('admin', 'directory')),
            groups_unreadable boolean NOT NULL DEFAULT false,
            created_at        timestamptz NOT NULL,
            last_login_at     timestamptz
        )
        """,
        "CREATE INDEX people_role_disabled ON people (role, disabled)",
        "CREATE INDEX people_department_key ON people (department_key)",
        "CREATE INDEX people_workplace_key ON people (workplace_key)",
        """
        CREATE TABLE person_competences (
            person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
            ordinal   integer NOT NULL,
            name      text NOT NULL,
            name_key  text NOT NULL,
            PRIMARY KEY (person_id, ordinal)
        )
        """,
        "CREATE INDEX person_competences_name_key ON person_competences (name_key, person_id)",
        """
        CREATE TABLE sessions (
            token_hash   text PRIMARY KEY,
            id           uuid NOT NULL UNIQUE,
            person_id    uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
            csrf_token   text NOT NULL,
            created_at   timestamptz NOT NULL,
            expires_at   timestamptz NOT NULL,
            method       text NOT NULL DEFAULT 'password' CHECK (method IN ('password', 'directory', 'oidc', 'invitation')),
            address      text NOT NULL DEFAULT '',
            user_agent   text NOT NULL DEFAULT '',
            last_seen_at timestamptz
        )
        """,
        "CREATE INDEX sessions_person_id ON sessions (person_id)",
        "CREATE INDEX sessions_expires_at ON sessions (expires_at)",
        """
        CREATE TABLE api_tokens (
            id           uuid PRIMARY KEY,
            person_id    uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
            name         text NOT NULL,
            token_hash   text NOT NULL UNIQUE,
            created_at   timestamptz NOT NULL,
            last_used_at timestamptz
        )
        """,
        "CREATE INDEX api_tokens_person_id ON api_tokens (person_id, created_at)",
    ]
}
