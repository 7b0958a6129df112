"""Running ``osrm-routed`` on a dataset as a managed child process."""

from __future__ import annotations

import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import requests

from nco.errors import OsrmError
from nco.osrm.binaries import Toolchain, find_toolchain

DEFAULT_MAX_TABLE_SIZE = 1000


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class OsrmServer:
    """``osrm-routed`` (MLD) serving ``dataset``; a context manager.

    Parameters
    ----------
    dataset
        The ``<city>.osrm`` base path written by :func:`nco.osrm.build`.
    port
        TCP port; a free one is picked when None.
    host
        Interface to bind. Loopback by default: the server has no authentication.
    max_table_size
        osrm-routed's ``--max-table-size``: a table request may hold at most this many
        sources times destinations squared (see :class:`nco.osrm.OsrmClient`).
    startup_timeout
        Seconds to wait for the server to answer before giving up.

    Examples
    --------
    >>> with OsrmServer(dataset) as server:          # doctest: +SKIP
    ...     client = OsrmClient(server.url, server.max_table_size)
    """

    def __init__(
        self,
        dataset: str | Path,
        port: int | None = None,
        host: str = "127.0.0.1",
        max_table_size: int = DEFAULT_MAX_TABLE_SIZE,
        startup_timeout: float = 30.0,
        toolchain: Toolchain | None = None,
    ):
        self.dataset = Path(dataset)
        self.host = host
        self.port = port if port is not None else free_port(host)
        self.max_table_size = max_table_size
        self.startup_timeout = startup_timeout
        self.toolchain = toolchain
        self._process: subprocess.Popen[bytes] | None = None
        self._log: tempfile._TemporaryFileWrapper[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:5000``."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> OsrmServer:
        """Start osrm-routed and wait until it answers requests."""
        if not Path(f"{self.dataset}.mldgr").is_file():
            raise OsrmError(f"{self.dataset} is not a built MLD dataset; run `nco osrm build` first")
        tools = self.toolchain or find_toolchain()
        # osrm-routed binds with SO_REUSEPORT, so a busy port would not stop it: it would
        # share the port with whatever listens there. Check first.
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((self.host, self.port))
            except OSError as exc:
                raise OsrmError(f"cannot listen on {self.host}:{self.port}: {exc.strerror}") from exc
        # A file, not a pipe: osrm-routed logs every request and would block on a full pipe.
        self._log = tempfile.TemporaryFile(prefix="nco-osrm-routed-")
        cmd = [
            str(tools.tool("osrm-routed")), "--algorithm", "mld",
            "--ip", self.host, "--port", str(self.port),
            "--max-table-size", str(self.max_table_size),
            str(self.dataset),
        ]
        self._process = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT)
        self._wait_healthy()
        return self

    def _wait_healthy(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                log = self.log_tail()
                self.stop()
                raise OsrmError(f"osrm-routed exited with code {self._process.returncode}: {log}")
            try:
                # Any JSON answer (even NoSegment) proves the server is up and has its data.
                requests.get(f"{self.url}/nearest/v1/driving/0,0", timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.05)
        self.stop()
        raise OsrmError(f"osrm-routed did not answer on {self.url} within {self.startup_timeout} s")

    def log_tail(self, lines: int = 5) -> str:
        """Last ``lines`` lines osrm-routed printed, joined with `` | ``."""
        if self._log is None:
            return ""
        self._log.seek(0)
        text = self._log.read().decode("utf-8", "replace").strip().splitlines()
        return " | ".join(text[-lines:])

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate the server; kill it if it has not exited after ``timeout`` seconds."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def wait(self) -> int:
        """Block until the server exits (e.g. for ``nco osrm serve``); returns its exit code."""
        assert self._process is not None
        return self._process.wait()

    def __enter__(self) -> OsrmServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
