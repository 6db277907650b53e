"""docker-compose.yml: valid against the Compose Specification, and wired as docs/deploy.md says.

The schema ships in the repository (deploy/schema/compose-spec.json): nothing is downloaded.
`.ci/run` also checks the file with `docker-compose config` when docker-compose is there.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
SCHEMA = ROOT / "deploy" / "schema" / "compose-spec.json"


def _compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def test_the_compose_file_follows_the_compose_specification() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--schemafile", str(SCHEMA), str(COMPOSE)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_data_lives_in_named_volumes_and_only_the_proxy_faces_the_internet() -> None:
    compose = _compose()
    named = set(compose["volumes"])
    assert {"pgdata", "nlu-models", "backups"} <= named
    services = compose["services"]
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "nlu-models:/models:ro" in services["rasa"]["volumes"]
    public = {
        name
        for name, service in services.items()
        for port in service.get("ports", [])
        if not str(port).startswith("127.0.0.1:")
    }
    assert public == {"caddy"}
