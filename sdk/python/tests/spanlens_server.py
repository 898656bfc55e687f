"""The real Spanlens (collector, API) as a child process: `node --import tsx server/src/cli.ts start`."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

REPO_ROOT = Path(__file__).resolve().parents[3]
API_KEY = "sl_python_tests_key_0123456789"

_HTTP_LINE = re.compile(r"spanlens: OTLP/HTTP on (http://[\d.]+:(\d+))/v1/traces")
_BACKLOG = re.compile(r"^spanlens_export_queue_spans (\S+)$", re.M)
_API_LINE = re.compile(r"spanlens: API and dashboard on (http://[\d.]+:(\d+))/")


class Spanlens:
    def __init__(self, otlp_http_port: int = 0, startup_timeout: float = 90.0) -> None:
        cli = REPO_ROOT / "server" / "src" / "cli.ts"
        if not cli.exists():
            raise RuntimeError(f"Spanlens server not found at {cli}")
        self.key = API_KEY
        self.data_dir = tempfile.mkdtemp(prefix="spanlens-py-")
        inherited = {k: v for k, v in os.environ.items() if not k.startswith(("SPANLENS_", "KAFKA_", "CLICKHOUSE_", "OTEL_"))}
        env = {
            **inherited,
            "SPANLENS_DATA_DIR": self.data_dir,
            "SPANLENS_INIT_API_KEY": API_KEY,
            "SPANLENS_OTLP_HTTP_PORT": str(otlp_http_port),
            "SPANLENS_OTLP_GRPC_PORT": "0",
            "SPANLENS_API_PORT": "0",
            "SPANLENS_BATCH_MAX_DELAY_MS": "5",
        }
        self.output: list[str] = []
        self.proc = subprocess.Popen(
            ["node", "--import", "tsx", "server/src/cli.ts", "start"],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            start_new_session=True,
        )
        self.http_url = ""
        self.api_url = ""
        ready = threading.Event()

        def read() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                self.output.append(line.rstrip("\n"))
                if m := _HTTP_LINE.search(line):
                    self.http_url = m.group(1)
                if m := _API_LINE.search(line):
                    self.api_url = m.group(1)
                if line.strip() == "spanlens: ready":
                    ready.set()
            ready.set()  # exited

        self._reader = threading.Thread(target=read, name="spanlens-output", daemon=True)
        self._reader.start()
        deadline = time.monotonic() + startup_timeout
        while not ready.wait(0.05):
            if time.monotonic() > deadline:
                self.close()
                raise RuntimeError("Spanlens did not start in time:\n" + "\n".join(self.output))
        if not (self.http_url and self.api_url) or self.proc.poll() is not None:
            self.close()
            raise RuntimeError("Spanlens failed to start:\n" + "\n".join(self.output))
        self.client = httpx.Client(base_url=self.api_url, headers={"authorization": f"Bearer {API_KEY}"}, timeout=30)

    def get(self, path: str) -> tuple[int, Any]:
        res = self.client.get(path)
        try:
            return res.status_code, res.json()
        except ValueError:
            return res.status_code, res.text

    def stored(self, timeout: float = 30.0) -> None:
        """Waits until everything acknowledged so far is stored: a 200 means "in the ingest log",
        and the writer stores it moments later (the backlog gauge counts what it has not yet)."""
        deadline = time.monotonic() + timeout
        while True:
            text = httpx.get(f"{self.http_url}/metrics", timeout=10).text
            m = _BACKLOG.search(text)
            if m and float(m.group(1)) == 0:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"the writer did not store the backlog within {timeout} s: {m.group(0) if m else 'no backlog gauge'}")
            time.sleep(0.02)

    def trace(self, trace_id: str) -> dict[str, Any]:
        self.stored()
        status, body = self.get(f"/api/v1/traces/{trace_id}")
        assert status == 200, f"trace {trace_id}: {status} {body}"
        return body

    def close(self) -> None:
        if getattr(self, "client", None) is not None:
            self.client.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self._reader.join(timeout=5)
        shutil.rmtree(self.data_dir, ignore_errors=True)
