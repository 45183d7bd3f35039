extension PostgresSchema {
    /// Outside identities and groups, group rules, login counters, password resets, OIDC logins
    /// under way, the outbox and the append-only audit log.
    static let identity: [String] = [
        """
        CREATE TABLE external_identities (
            provider   text NOT NULL,
            subject    text NOT NULL,
            person_id  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
            created_at timestamptz NOT NULL,
            PRIMARY KEY (provider, subject)
        )
        """,
        "CREATE UNIQUE INDEX external_identities_person ON external_identities (person_id, provider)",
        """
        CREATE TABLE known_groups (
            key      text PRIMARY KEY,
            name     text NOT NULL,
            name_key text NOT NULL,
            source   text NOT NULL CHECK (source IN ('directory', 'oidc')),
            dn       text NOT NULL DEFAULT '',
            seen_at  timestamptz NOT NULL
        )
        """,
        """
        CREATE TABLE person_groups (
            person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
            group_key text NOT NULL,
            source    text NOT NULL CHECK (source IN ('directory', 'oidc')),
            PRIMARY KEY (person_id, group_key)
        )
        """,
        "CREATE INDEX person_groups_group ON person_groups (group_key, person_id)",
        """
        CREATE TABLE group_rules (
            id              uuid PRIMARY KEY,
            group_key       text NOT NULL,
            group_name      text NOT NULL,
            kind            text NOT NULL CHECK (kind IN ('role', 'membership')),
            role            text CHECK (role IN ('admin', 'member')),
            workspace_id    uuid REFERENCES workspaces (id) ON DELETE CASCADE,
            membership_role text CHECK (membership_role IN ('owner', 'member')),
            created_by      uuid REFERENCES people (id) ON DELETE SET NULL,
            created_at      timestamptz NOT NULL,
            CHECK ((kind = 'role' AND role IS NOT NULL AND workspace_id IS NULL AND membership_role IS NULL)
                OR (kind = 'membership' AND role IS NULL AND workspace_id IS NOT NULL AND membership_role IS NOT NULL))
        )
        """,
        """
        CREATE UNIQUE INDEX group_rules_unique ON group_rules
            (group_key, kind, coalesce(role, ''), coalesce(workspace_id::text, ''), coalesce(membership_role, ''))
        """,
        "CREATE INDEX group_rules_workspace ON group_rules (workspace_id)",
        "CREATE INDEX group_rules_created_by ON group_rules (created_by)",
        """
        CREATE TABLE login_failures (
            scope            text NOT NULL,
            address          text NOT NULL,
            person_id        uuid REFERENCES people (id) ON DELETE CASCADE,
            failures         integer NOT NULL CHECK (failures > 0),
            first_failure_at timestamptz NOT NULL,
            last_failure_at  timestamptz NOT NULL,
            blocked_until    timestamptz,
            PRIMARY KEY (scope, address)
        )
        """,
        "CREATE INDEX login_failures_person ON login_failures (person_id) WHERE person_id IS NOT NULL",
        "CREATE INDEX login_failures_last ON login_failures (last_failure_at)",
        """
        CREATE TABLE password_resets (
            token_hash text PRIMARY KEY,
            person_id  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
            created_at timestamptz NOT NULL,
            expires_at timestamptz NOT NULL,
            used_at    timestamptz
        )
        """,
        "CREATE INDEX password_resets_person ON password_resets (person_id, created_at)",
        "CREATE INDEX password_resets_expires ON password_resets (expires_at)",
        """
        CREATE TABLE oidc_logins (
            flow_hash     text PRIMARY KEY,
            state         text NOT NULL,
            nonce         text NOT NULL,
            code_verifier text NOT NULL,
            return_to     text NOT NULL,
            created_at    timestamptz NOT NULL,
            expires_at    timestamptz NOT NULL
        )
        """,
        "CREATE INDEX oidc_logins_expires ON oidc_logins (expires_at)",
        """
        CREATE TABLE mail_outbox (
            id              uuid PRIMARY KEY,
            kind            text NOT NULL,
            recipient       text NOT NULL,
            recipient_name  text NOT NULL DEFAULT '',
            subject         text NOT NULL,
            text_body       text NOT NULL,
            html_body       text NOT NULL,
            status          text NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
            attempts        integer NOT NULL DEFAULT 0,
            next_attempt_at timestamptz NOT NULL,
            leased_until    timestamptz,
            last_error      text NOT NULL DEFAULT '',
            created_at      timestamptz NOT NULL,
            sent_at         timestamptz
        )
        """,
        "CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at)",
        "CREATE INDEX mail_outbox_created ON mail_outbox (created_at)",
        """
        CREATE TABLE audit_log (
            id             bigserial PRIMARY KEY,
            at             timestamptz NOT NULL,
            action         text NOT NULL,
            actor_id       text,
            actor_name     text NOT NULL DEFAULT '',
            target_type    text NOT NULL DEFAULT '',
            target_id      text NOT NULL DEFAULT '',
            target_name    text NOT NULL DEFAULT '',
            workspace_id   text,
            workspace_name text NOT NULL DEFAULT '',
            via            text NOT NULL DEFAULT '',
            address        text NOT NULL DEFAULT '',
            details        text NOT NULL DEFAULT '{}',
            search_text    text NOT NULL DEFAULT ''
        )
        """,
        "CREATE INDEX audit_log_at ON audit_log (at)",
        "CREATE INDEX audit_log_action ON audit_log (action, id)",
        "CREATE INDEX audit_log_actor ON audit_log (actor_id, id)",
        "CREATE INDEX audit_log_target ON audit_log (target_id, id)",
        """
        CREATE FUNCTION communis_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the audit log is append-only';
        END
        $$
        """,
        """
        CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
            FOR EACH ROW EXECUTE FUNCTION communis_audit_append_only()
        """,
    ]
}
