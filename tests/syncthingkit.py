"""Two real Syncthing instances on 127.0.0.1 sharing one folder, for `legquiz sync` tests.

Each instance has its own home (keys, config, database) and its own copy of the
folder. Everything that would reach beyond loopback is switched off in the
config before the first start: global and local discovery, relays, NAT, usage
and crash reporting, upgrades. The two know each other by device id and an
explicit ``tcp://127.0.0.1:PORT`` address.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

FOLDER_ID = "legquiz-test"
TIMEOUT = 120.0  # seconds allowed for starting, connecting or settling; on a loaded machine it takes a few

SYNCTHING = shutil.which("syncthing")
needs_syncthing = pytest.mark.skipif(
    SYNCTHING is None, reason="syncthing is not installed (Debian: apt-get install syncthing)"
)

# options/<name> -> value: nothing leaves 127.0.0.1, nothing is announced, nothing phones home
OPTIONS = {
    "globalAnnounceEnabled": "false",
    "localAnnounceEnabled": "false",
    "relaysEnabled": "false",
    "natEnabled": "false",
    "urAccepted": "-1",
    "crashReportingEnabled": "false",
    "autoUpgradeIntervalH": "0",
    "startBrowser": "false",
    "announceLANAddresses": "false",
    "reconnectionIntervalS": "2",
    "minHomeDiskFree": "0",
    "setLowPriority": "false",
}


def free_ports(n: int) -> list[int]:
    """``n`` distinct free ports on 127.0.0.1 (all bound at once, so none is handed out twice)."""
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in socks]
    finally:
        for s in socks:
            s.close()


@dataclass
class Instance:
    """One Syncthing: its home, its copy of the shared folder, its ports, its API key and its process."""

    name: str
    home: Path
    folder: Path
    gui_port: int
    sync_port: int
    device_id: str = ""
    api_key: str = ""
    proc: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        return self.home / "syncthing.log"

    def generate(self) -> None:
        """Keys and a default config (`syncthing generate`); the device id and API key are read from it."""
        assert SYNCTHING is not None
        subprocess.run(
            [SYNCTHING, "generate", f"--home={self.home}", "--no-default-folder", "--skip-port-probing"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        root = ET.parse(self.home / "config.xml").getroot()
        self.device_id = _find(root, "device").attrib["id"]
        self.api_key = _text(_find(root, "gui/apikey"))

    def configure(self, other: Instance) -> None:
        """Loopback only, ``other`` as the one peer at its explicit address, the folder shared with it."""
        path = self.home / "config.xml"
        doc = ET.parse(path)
        root = doc.getroot()
        _find(root, "device").set("name", self.name)
        _find(root, "gui/address").text = f"127.0.0.1:{self.gui_port}"
        opts = _find(root, "options")
        _find(opts, "listenAddress").text = f"tcp://127.0.0.1:{self.sync_port}"
        for key, value in OPTIONS.items():
            _find(opts, key).text = value
        peer = _copy(_find(root, "defaults/device"))
        peer.set("id", other.device_id)
        peer.set("name", other.name)
        _find(peer, "address").text = f"tcp://127.0.0.1:{other.sync_port}"
        folder = _copy(_find(root, "defaults/folder"))
        folder.attrib.update(
            id=FOLDER_ID,
            label=FOLDER_ID,
            path=str(self.folder),
            rescanIntervalS="2",
            fsWatcherEnabled="true",
            fsWatcherDelayS="1",
        )
        for old in folder.findall("device"):
            folder.remove(old)
        for i, dev in enumerate((self.device_id, other.device_id)):
            folder.insert(1 + i, ET.Element("device", id=dev, introducedBy=""))
        _find(folder, "minDiskFree").text = "0"
        at = list(root).index(_find(root, "device"))
        root.insert(at + 1, peer)
        root.insert(at, folder)
        doc.write(path)
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / ".stfolder").mkdir(exist_ok=True)  # the marker Syncthing wants before it syncs a folder

    def start(self) -> None:
        assert SYNCTHING is not None
        env = {**os.environ, "STNOUPGRADE": "1", "STNODEFAULTFOLDER": "1", "HOME": str(self.home)}
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [SYNCTHING, "serve", f"--home={self.home}", "--no-browser", "--no-restart", "--no-upgrade"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,  # its own process group: the monitor and the syncthing it runs
            )

    def stop(self) -> None:
        """SIGTERM to the process group this instance started (the monitor and its syncthing both get it);
        SIGKILL to the group if the monitor has not exited 10 s later (the group is still its own then)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def rest(self, path: str, method: str = "GET") -> Any:
        """One REST call with the API key; the decoded JSON answer (None for an empty body)."""
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.gui_port}{path}", method=method, headers={"X-API-Key": self.api_key}
        )
        with urllib.request.urlopen(req, timeout=60) as r:
            body = r.read()
        return json.loads(body) if body.strip() else None

    def up(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise SyncthingFailed(f"syncthing {self.name} exited with {self.proc.returncode}")
        try:
            return bool(self.rest("/rest/system/ping") == {"ping": "pong"})
        except (OSError, urllib.error.URLError, ValueError):
            return False

    def connected_to(self, other: Instance) -> bool:
        conns = self.rest("/rest/system/connections")["connections"]
        return bool(conns.get(other.device_id, {}).get("connected"))

    def settled_with(self, other: Instance) -> bool:
        """Idle, nothing needed here, and ``other`` has everything this instance knows of (REST's view)."""
        st = self.rest(f"/rest/db/status?folder={FOLDER_ID}")
        done = self.rest(f"/rest/db/completion?folder={FOLDER_ID}&device={other.device_id}")
        return bool(
            st["state"] == "idle"
            and st["needTotalItems"] == 0
            and st["errors"] == 0
            and done["completion"] == 100
            and done["needItems"] == 0
        )


class SyncthingFailed(AssertionError):
    """Syncthing did not start, connect or settle in time (the message carries both logs)."""


@dataclass
class Pair:
    a: Instance
    b: Instance

    def logs(self) -> str:
        parts = []
        for x in (self.a, self.b):
            text = x.log.read_text(errors="replace") if x.log.exists() else "(no log)"
            parts.append(f"--- syncthing {x.name} log ({x.log}) ---\n{text[-6000:]}")
        return "\n".join(parts)

    def wait(self, what: str, ready: Any, timeout: float = TIMEOUT) -> None:
        """Poll ``ready()`` until true; fail naming ``what`` with both logs after ``timeout`` seconds."""
        end = time.monotonic() + timeout
        while True:
            try:
                if ready():
                    return
            except (OSError, urllib.error.URLError, KeyError, ValueError):
                pass  # between restarts of a folder the REST answers can be errors for a moment
            if time.monotonic() > end:
                raise SyncthingFailed(f"Syncthing: {what} not reached in {timeout:.0f} s\n{self.logs()}")
            time.sleep(0.2)

    def settle(self) -> None:
        """Scan both copies now (no waiting for the watcher), then wait until they are the same, by REST and
        by their bytes on disk."""
        for x in (self.a, self.b):
            x.rest(f"/rest/db/scan?folder={FOLDER_ID}", method="POST")  # returns when the scan is done
        self.wait(
            "the two copies of the folder in sync",
            lambda: (
                self.a.settled_with(self.b)
                and self.b.settled_with(self.a)
                and tree(self.a.folder) == tree(self.b.folder)
            ),
        )


def tree(folder: Path) -> dict[str, bytes]:
    """Every file of a copy of the shared folder and its bytes (Syncthing's own marker aside)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.relative_to(folder).parts[0] != ".stfolder"
    }


@contextmanager
def syncthing_pair(tmp: Path) -> Iterator[Pair]:
    """Two connected instances, ``a`` and ``b``, with empty copies ``tmp/folder-a`` and ``tmp/folder-b``;
    both processes are stopped on the way out, whatever happened."""
    gui_a, sync_a, gui_b, sync_b = free_ports(4)
    a = Instance("a", tmp / "syncthing-a", tmp / "folder-a", gui_a, sync_a)
    b = Instance("b", tmp / "syncthing-b", tmp / "folder-b", gui_b, sync_b)
    pair = Pair(a, b)
    try:
        for x in (a, b):
            x.generate()
        a.configure(b)
        b.configure(a)
        for x in (a, b):
            x.start()
        pair.wait("both REST APIs answering /rest/system/ping", lambda: a.up() and b.up())
        pair.wait("a connection between the two", lambda: a.connected_to(b) and b.connected_to(a))
        pair.settle()
        yield pair
    finally:
        for x in (a, b):
            x.stop()


def _find(el: ET.Element, path: str) -> ET.Element:
    got = el.find(path)
    if got is None:
        raise SyncthingFailed(f"config.xml of this syncthing has no <{path}>")
    return got


def _text(el: ET.Element) -> str:
    return el.text or ""


def _copy(el: ET.Element) -> ET.Element:
    return ET.fromstring(ET.tostring(el))
