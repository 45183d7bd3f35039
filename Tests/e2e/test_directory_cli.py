"""`communis directory sync` as an operator runs it (cron, after a reorganisation): the real
binary against a real slapd, one JSON line of counts on standard output, nothing changed by a
dry run or by a sync that fails, and why on the line."""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

from identity_services import slapd  # noqa: F401  (the fixture)
from serverproc import BINARY, REPO


def sync(data: Path, env: dict[str, str], *flags: str) -> tuple[int, dict, str]:
    done = subprocess.run([str(BINARY), "directory", "sync", "--data-dir", str(data), *flags], cwd=REPO,
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=120)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, f"one JSON line expected, got {done.stdout!r} (stderr {done.stderr[-2000:]})"
    return done.returncode, json.loads(lines[0]), done.stderr


def test_directory_sync_prints_one_json_line_and_a_dry_run_changes_nothing(slapd):  # noqa: F811
    data = Path(tempfile.mkdtemp(prefix="communis-cli-sync-"))
    env = slapd.env()

    status, dry, _ = sync(data, env, "--dry-run")
    assert status == 0
    assert dry["dryRun"] is True
    # The fixture directory: the demo organisation's 31 people, Tove Nyström and the disabled Gunnel Ek.
    assert dry["created"] == 32 and dry["errors"] == 0
    for key in ("updated", "disabled", "enabled", "membershipsAdded", "membershipsRemoved"):
        assert key in dry

    status, real, _ = sync(data, env)
    assert status == 0
    assert real["dryRun"] is False and real["created"] == 32, "the dry run wrote nothing"

    status, again, _ = sync(data, env)
    assert status == 0
    assert again["created"] == 0 and again["updated"] == 0 and again["disabled"] == 0


def test_a_sync_that_cannot_bind_changes_nothing_exits_1_and_says_why(slapd):  # noqa: F811
    data = Path(tempfile.mkdtemp(prefix="communis-cli-sync-"))
    env = {**slapd.env(), "COMMUNIS_DIRECTORY_BIND_PASSWORD": "fel-lösenord"}
    status, report, stderr = sync(data, env)
    assert status == 1, stderr
    assert report["errors"] == 1 and report["created"] == 0
    message = " ".join(report["messages"])
    assert "changed nothing" in message
    assert "bind" in message.lower() or "credentials" in message.lower(), message
