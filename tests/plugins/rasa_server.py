"""The real Rasa server, trained from nlu/rasa, for tests marked ``rasa``.

``rasa_url`` starts ``rasa run`` from Rasa's own virtual environment (``.venv-rasa``) with
the trained model, on a free 127.0.0.1 port, once per test session, and stops it at the
end. A missing environment, a missing model or a model older than the training data is a
failure with the command to run, never a skip: a suite that silently skips its NLU tests
would let a broken model ship.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
PROJECT = ROOT / "nlu" / "rasa"
MODEL = PROJECT / "models" / "passerelle-nlu.tar.gz"
STAMP = PROJECT / "models" / "passerelle-nlu.sha256"
NLU_SCRIPT = ROOT / "scripts" / "nlu.sh"
# Loading the model takes ~30 s on an idle machine but over 200 s when other test suites
# share the two cores (measured 2026-12-01): a slow start is not a broken server.
READY_TIMEOUT_S = 300.0


def free_port() -> int:
    """A TCP port nobody listens on right now (127.0.0.1)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def require_trained_model() -> None:
    """Fail (not skip) with the fix when Rasa's environment or an up-to-date model is missing."""
    if not RASA.exists():
        pytest.fail(
            f"Rasa's environment is missing ({RASA}): run `make rasa-venv`, then `make nlu-train`"
        )
    if not MODEL.exists():
        pytest.fail(f"no trained NLU model at {MODEL}: run `make nlu-train`")
    current = subprocess.run(
        [str(NLU_SCRIPT), "hash"], capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()
    trained = STAMP.read_text(encoding="utf-8").strip() if STAMP.exists() else ""
    if current != trained:
        pytest.fail(
            "the NLU model is older than nlu/rasa (config, domain or data): run `make nlu-train`"
        )


class RasaServer:
    """One ``rasa run --enable-api`` process serving the trained model."""

    def __init__(self, port: int, log_path: Path) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server and wait until ``/status`` answers (or fail with its log)."""
        env = {
            **os.environ,
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "PYTHONWARNINGS": "ignore",
        }
        command = [
            str(RASA), "run", "--enable-api", "--quiet", "-m", str(MODEL),
            "-i", "127.0.0.1", "-p", str(self.port),
        ]  # fmt: skip
        with self._log_path.open("ab") as log:
            self._process = subprocess.Popen(
                command, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                pytest.fail(f"Rasa exited with {self._process.returncode}:\n{self._log_tail()}")
            try:
                if httpx.get(f"{self.url}/status", timeout=2.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass  # not listening yet
            time.sleep(0.5)
        self.stop()
        pytest.fail(f"Rasa was not ready within {READY_TIMEOUT_S:.0f} s:\n{self._log_tail()}")

    def stop(self) -> None:
        """Stop the server (its whole process group) and wait for it."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)

    def _log_tail(self, lines: int = 40) -> str:
        text = self._log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


@pytest.fixture(scope="session")
def rasa_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a real Rasa server with the trained model, shared by the session."""
    require_trained_model()
    server = RasaServer(free_port(), tmp_path_factory.mktemp("rasa") / "rasa.log")
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def spare_rasa(tmp_path: Path) -> Iterator[RasaServer]:
    """A second Rasa server, not started yet, on its own free port; stopped after the test.

    For outage tests: a client can point at it while it is down, then see it come back.
    """
    require_trained_model()
    server = RasaServer(free_port(), tmp_path / "rasa-spare.log")
    yield server
    server.stop()
