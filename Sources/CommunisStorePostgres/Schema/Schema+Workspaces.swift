extension PostgresSchema {
    /// Workspaces, memberships, join requests and guest invitations.
    static let workspaces: [String] = [
        """
        CREATE TABLE workspaces (
            id          uuid PRIMARY KEY,
            name        text NOT NULL,
            name_key    text NOT NULL,
            description text NOT NULL DEFAULT '',
            visibility  text NOT NULL CHECK (visibility IN ('open', 'closed', 'secret')),
            created_by  uuid REFERENCES people (id) ON DELETE SET NULL,
            created_at  timestamptz NOT NULL
        )
        """,
        "CREATE INDEX workspaces_visibility ON workspaces (visibility)",
        "CREATE INDEX workspaces_created_by ON workspaces (created_by)",
        """
        CREATE TABLE memberships (
            workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
            person_id    uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
            role         text NOT NULL CHECK (role IN ('owner', 'member')),
            joined_at    timestamptz NOT NULL,
            origin       text NOT NULL DEFAULT 'manual' CHECK (origin IN ('manual', 'rule')),
            PRIMARY KEY (workspace_id, person_id)
        )
        """,
        "CREATE INDEX memberships_person_id ON memberships (person_id, workspace_id)",
        """
        CREATE TABLE join_requests (
            workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
            person_id    uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
            requested_at timestamptz NOT NULL,
            PRIMARY KEY (workspace_id, person_id)
        )
        """,
        "CREATE INDEX join_requests_person_id ON join_requests (person_id, workspace_id)",
        """
        CREATE TABLE guest_invitations (
            token_hash   text PRIMARY KEY,
            workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
            person_id    uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
            invited_by   uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
            created_at   timestamptz NOT NULL,
            expires_at   timestamptz NOT NULL,
            accepted_at  timestamptz
        )
        """,
        "CREATE INDEX guest_invitations_workspace_id ON guest_invitations (workspace_id)",
        "CREATE INDEX guest_invitations_person_id ON guest_invitations (person_id)",
        "CREATE INDEX guest_invitations_invited_by ON guest_invitations (invited_by)",
    ]
}
