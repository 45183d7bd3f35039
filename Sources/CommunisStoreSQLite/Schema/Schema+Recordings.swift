import GRDB

extension Schema {
    /// v7: recordings of meetings and guides, who is in them, and their place in search.
    ///
    /// A recording goes with its workspace (and its meeting, which goes with the same
    /// workspace). `started_by` and a participant's `person_id` have no foreign key: the record
    /// of who started a recording or spoke in it stays when an account is removed (as a
    /// thread's author). Chapters are a JSON array `[{"title","offsetMs"}]` in time order:
    /// they are read and written with the recording, never alone. The files themselves live
    /// under the recordings folder; the database holds only their names (relative paths).
    ///
    /// Search: a complete recording is one document of kind 'recording' (title; chapter titles
    /// as text) and one of kind 'chapter' per chapter (`ref_id` "<recording>#<index>",
    /// `parent_id` the recording). A running or failed recording is not findable. The
    /// triggers keep the documents in step in the same transaction as every change.
    static func registerRecordings(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v7-recordings") { db in
            try db.execute(sql: """
                CREATE TABLE recordings (
                    id                       TEXT PRIMARY KEY NOT NULL,
                    workspace_id             TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
                    meeting_id               TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
                    title                    TEXT NOT NULL,
                    kind                     TEXT NOT NULL CHECK (kind IN ('meeting', 'guide')),
                    started_by               TEXT NOT NULL,
                    started_at               REAL NOT NULL,
                    ended_at                 REAL,
                    duration_ms              INTEGER NOT NULL DEFAULT 0 CHECK (duration_ms >= 0),
                    size_bytes               INTEGER NOT NULL DEFAULT 0 CHECK (size_bytes >= 0),
                    state                    TEXT NOT NULL CHECK (state IN ('recording', 'complete', 'failed')),
                    stop_reason              TEXT CHECK (stop_reason IN ('stopped', 'meeting-ended', 'everyone-left', 'disk-full', 'write-failed', 'interrupted')),
                    file_name                TEXT NOT NULL,
                    shared_with_organisation INTEGER NOT NULL DEFAULT 0 CHECK (shared_with_organisation IN (0, 1)),
                    chapters                 TEXT NOT NULL DEFAULT '[]'
                ) STRICT;
                CREATE INDEX recordings_workspace ON recordings (workspace_id, started_at);
                CREATE INDEX recordings_meeting ON recordings (meeting_id);
                CREATE INDEX recordings_started ON recordings (started_at);
                CREATE INDEX recordings_shared ON recordings (started_at) WHERE shared_with_organisation = 1;
                CREATE INDEX recordings_unfinished ON recordings (state) WHERE state = 'recording';

                CREATE TABLE recording_participants (
                    recording_id     TEXT NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
                    stream_id        INTEGER NOT NULL,
                    person_id        TEXT NOT NULL,
                    joined_offset_ms INTEGER NOT NULL CHECK (joined_offset_ms >= 0),
                    file_name        TEXT,
                    PRIMARY KEY (recording_id, stream_id)
                ) STRICT, WITHOUT ROWID;
                """)

            let chapterTitles = "coalesce((SELECT group_concat(json_extract(value, '$.title'), ' ') FROM json_each(NEW.chapters)), '')"
            // The chapters' documents are replaced whole on every change that touches them.
            let insertChapters = """
                INSERT INTO search_documents (kind, ref_id, parent_id, workspace_id, author_id, title, body, created_at, updated_at)
                    SELECT 'chapter', NEW.id || '#' || c.key, NEW.id, NEW.workspace_id, NEW.started_by,
                           \(clean("json_extract(c.value, '$.title')")), '', NEW.started_at, coalesce(NEW.ended_at, NEW.started_at)
                    FROM json_each(NEW.chapters) c WHERE NEW.state = 'complete' ORDER BY c.key;
                """
            try db.execute(sql: """
                CREATE TRIGGER search_recordings_ai AFTER INSERT ON recordings WHEN NEW.state = 'complete' BEGIN
                    INSERT INTO search_documents (kind, ref_id, workspace_id, author_id, title, body, created_at, updated_at)
                    VALUES ('recording', NEW.id, NEW.workspace_id, NEW.started_by, \(clean("NEW.title")), \(clean(chapterTitles)),
                            NEW.started_at, coalesce(NEW.ended_at, NEW.started_at));
                    \(insertChapters)
                END;
                CREATE TRIGGER search_recordings_au AFTER UPDATE OF title, state, chapters, workspace_id, ended_at ON recordings BEGIN
                    DELETE FROM search_documents WHERE kind = 'recording' AND ref_id = NEW.id AND NEW.state <> 'complete';
                    UPDATE search_documents SET workspace_id = NEW.workspace_id, title = \(clean("NEW.title")), body = \(clean(chapterTitles)),
                        updated_at = coalesce(NEW.ended_at, NEW.started_at)
                    WHERE kind = 'recording' AND ref_id = NEW.id AND NEW.state = 'complete';
                    INSERT INTO search_documents (kind, ref_id, workspace_id, author_id, title, body, created_at, updated_at)
                    SELECT 'recording', NEW.id, NEW.workspace_id, NEW.started_by, \(clean("NEW.title")), \(clean(chapterTitles)),
                           NEW.started_at, coalesce(NEW.ended_at, NEW.started_at)
                    WHERE NEW.state = 'complete' AND NOT EXISTS (SELECT 1 FROM search_documents WHERE kind = 'recording' AND ref_id = NEW.id);
                    DELETE FROM search_documents WHERE kind = 'chapter' AND parent_id = NEW.id;
                    \(insertChapters)
                END;
                CREATE TRIGGER search_recordings_ad AFTER DELETE ON recordings BEGIN
                    DELETE FROM search_documents WHERE kind = 'recording' AND ref_id = OLD.id;
                    DELETE FROM search_documents WHERE kind = 'chapter' AND parent_id = OLD.id;
                END;
                """)
        }
    }
}
