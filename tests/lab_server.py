"""Start and stop a real, headless JupyterLab server for the tests.

The server is started the way the README tells students to open the course
(``jupyter lab --no-browser`` in the repository root), but on a free port,
with a random token and with its runtime, user config, settings and
workspaces in a temporary folder, so a test run never writes into the
repository or the user's ~/.jupyter.  The lab extensions (the ipywidgets
manager among them) still come from the virtualenv's share/jupyter.
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


# User settings for the test server: never autosave (running the lesson must
# not rewrite the notebook in the repository) and no news/update toasts.
TEST_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/apputils-extension/notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def free_port():
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LabServer:
    """A running ``jupyter lab`` process; use as a context manager."""

    def __init__(self, root_dir, tmp_dir, startup_timeout=60):
        self.root_dir = Path(root_dir)
        self.tmp_dir = Path(tmp_dir)
        self.startup_timeout = startup_timeout
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.tmp_dir / "jupyter-lab.log"
        self.process = None

    # -- HTTP helpers -----------------------------------------------------

    def api(self, path, method="GET", timeout=10):
        """Call the server's REST API; return the decoded JSON (or None)."""
        request = urllib.request.Request(
            f"{self.url}{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def lab_url(self, path):
        """Browser URL of a file under the root, opened in JupyterLab."""
        return f"{self.url}/lab/tree/{path}?token={self.token}"

    def log(self):
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    # -- start / stop -----------------------------------------------------

    def command(self):
        jupyter = Path(sys.executable).with_name("jupyter")
        program = [str(jupyter)] if jupyter.exists() else [sys.executable, "-m", "jupyter"]
        # Containers and CI often run as root, which jupyter refuses by default.
        allow_root = ["--allow-root"] if os.geteuid() == 0 else []
        return program + [
            "lab",
            "--no-browser",
            *allow_root,
            f"--ServerApp.root_dir={self.root_dir}",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--LabApp.workspaces_dir={self.tmp_dir / 'workspaces'}",
            f"--LabApp.user_settings_dir={self.tmp_dir / 'user-settings'}",
            # JupyterLab makes a checkpoint of every notebook it opens: keep them
            # out of the repository (an absolute checkpoint_dir is used as is).
            f"--FileCheckpoints.checkpoint_dir={self.tmp_dir / 'checkpoints'}",
        ]

    def environment(self):
        env = dict(os.environ)
        bin_dir = str(Path(sys.executable).parent)
        env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
        # Isolate per-user state; JUPYTER_DATA_DIR is left alone on purpose,
        # the sys-prefix data path (lab extensions, kernelspecs) is always used.
        env["JUPYTER_RUNTIME_DIR"] = str(self.tmp_dir / "runtime")
        env["JUPYTER_CONFIG_DIR"] = str(self.tmp_dir / "config")
        env["IPYTHONDIR"] = str(self.tmp_dir / "ipython")
        env["MPLCONFIGDIR"] = str(self.tmp_dir / "matplotlib")
        env["DLCOURSE_QUICK"] = "1"
        env.pop("JUPYTER_TOKEN", None)
        # The kernel must import dlcourse even if it is not pip-installed.
        src = str(self.root_dir / "src")
        env["PYTHONPATH"] = src + os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else src
        return env

    def write_settings(self):
        for plugin_id, settings in TEST_SETTINGS.items():
            package, plugin = plugin_id.rsplit("/", 1)
            path = self.tmp_dir / "user-settings" / package / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(settings))

    def start(self):
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        self.write_settings()
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            self.command(),
            cwd=self.root_dir,
            env=self.environment(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"jupyter lab exited with code {self.process.returncode}:\n{self.log()}"
                )
            try:
                self.api("/api/status", timeout=2)
                return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(
            f"jupyter lab did not answer /api/status within {self.startup_timeout} s:\n{self.log()}"
        )

    def stop(self, timeout=20):
        """Shut the server down with its kernels; kill whatever is left."""
        if self.process is None or self.process.poll() is not None:
            return
        children = self._children()
        try:
            self.api("/api/shutdown", method="POST", timeout=5)
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        # Kernels run in sessions of their own; make sure none outlives us.
        for child in children:
            try:
                if child.is_running():  # also checks the pid was not reused
                    child.kill()
            except Exception:  # psutil.NoSuchProcess and friends
                pass

    def _children(self):
        """The server's child processes (kernels), if psutil is available."""
        try:
            import psutil

            return psutil.Process(self.process.pid).children(recursive=True)
        except Exception:
            return []

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
