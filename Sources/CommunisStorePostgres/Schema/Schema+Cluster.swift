extension PostgresSchema {
    /// What the nodes of a cluster share besides the data: who is alive, which node relays
    /// which meeting, and when each periodic job last ran.
    ///
    /// - `cluster_nodes`: one row per node, its heartbeat in `seen_at` and the hash of the key
    ///   other nodes present to link to it; rows of nodes gone for a day are removed by the
    ///   next heartbeat of anyone.
    /// - `cluster_meeting_leases`: the node relaying a meeting's audio until `expires_at`; the
    ///   holder renews it every few seconds, another node may take it once it expired. Goes with
    ///   the meeting. `roster` is who is in it now, as the holder last announced it (JSON), for
    ///   the other nodes' HTTP answers. Neither table is data an installation copies.
    /// - `cluster_presence`: who is subscribed to which workspace on which node (a node writes
    ///   its own rows, reads the others'; rows of a node whose heartbeat is stale are ignored
    ///   and removed). UNLOGGED: presence is not data, and after a database crash it is rebuilt
    ///   by the next heartbeat round.
    /// - `periodic_jobs`: the claim of each job's current period (also in the SQLite engine).
    static let cluster: [String] = [
        """
        CREATE TABLE cluster_nodes (
            id         text PRIMARY KEY,
            address    text NOT NULL,
            started_at timestamptz NOT NULL,
            seen_at    timestamptz NOT NULL,
            link_key_hash text NOT NULL DEFAULT ''
        )
        """,
        """
        CREATE TABLE cluster_meeting_leases (
            meeting_id uuid PRIMARY KEY REFERENCES meetings (id) ON DELETE CASCADE,
            node_id    text NOT NULL,
            expires_at timestamptz NOT NULL,
            roster     bytea NOT NULL DEFAULT ''
        )
        """,
        """
        CREATE UNLOGGED TABLE cluster_presence (
            node_id      text NOT NULL,
            workspace_id uuid NOT NULL,
            person_id    uuid NOT NULL,
            name         text NOT NULL,
            status       text NOT NULL,
            PRIMARY KEY (workspace_id, node_id, person_id)
        )
        """,
        "CREATE INDEX cluster_presence_node ON cluster_presence (node_id)",
        """
        CREATE TABLE periodic_jobs (
            name        text PRIMARY KEY,
            node_id     text NOT NULL,
            last_run_at timestamptz NOT NULL
        )
        """,
    ]
}
