"""`bench_load --export`: how long a download takes from gunicorn, and how much the web worker that
serves it grows meanwhile.

Signs in like a browser (the login form and its CSRF token, a session cookie), then reads the
download a piece at a time while a thread samples every gunicorn worker's resident memory
(``VmRSS`` in ``/proc``) every few milliseconds: the growth is the most any worker held during the
download less what it held before. Linux only, like the rest of the benchmarks.
"""

import html
import re
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

SAMPLE_SECONDS = 0.005
PIECE_BYTES = 64 * 1024
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')


def _status_mb(pid: int, field: str) -> float:
    """A memory line of a process's ``/proc`` status (``VmRSS``, ``VmHWM``), in MB; 0 once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def rss_mb(pid: int) -> float:
    """What a process holds in memory now (VmRSS), in MB; 0 once it is gone."""
    return _status_mb(pid, "VmRSS")


def peak_rss_mb(pid: int) -> float:
    """The most memory a process has held since it started (VmHWM), in MB; 0 once it is gone."""
    return _status_mb(pid, "VmHWM")


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (gunicorn's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


@dataclass(frozen=True)
class Download:
    path: str
    status: int
    size: int  # bytes
    lines: int
    first_byte: float  # seconds
    seconds: float
    worker_before_mb: float  # the worker that grew most: before, and the most it held meanwhile
    worker_peak_mb: float

    @property
    def growth_mb(self) -> float:
        return self.worker_peak_mb - self.worker_before_mb


def signed_in(base: str, username: str, password: str) -> urllib.request.OpenerDirector:
    """An opener that carries a signed-in session for ``username``."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    with opener.open(f"{base}/accounts/login/", timeout=30) as response:
        match = _TOKEN.search(response.read().decode())
    token = html.unescape(match[1]) if match else ""
    data = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    request = urllib.request.Request(f"{base}/accounts/login/", data=data.encode(), headers={"Referer": base + "/"})
    with opener.open(request, timeout=30) as response:
        if response.url.endswith("/accounts/login/"):
            raise RuntimeError(f"{username} could not sign in")
    return opener


def download_measure(opener: urllib.request.OpenerDirector, base: str, path: str, *, server: int) -> Download:
    """Download ``path`` a piece at a time, sampling the memory of ``server``'s workers meanwhile."""
    workers = children(server)
    before = {pid: rss_mb(pid) for pid in workers}
    peak = dict(before)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            for pid in workers:
                peak[pid] = max(peak[pid], rss_mb(pid))
            time.sleep(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, name="rss-sampler", daemon=True)
    sampler.start()
    size = lines = 0
    first_byte = 0.0
    started = time.perf_counter()
    try:
        with opener.open(f"{base}{path}", timeout=300) as response:
            status = response.status
            while piece := response.read(PIECE_BYTES):
                if not size:
                    first_byte = time.perf_counter() - started
                size += len(piece)
                lines += piece.count(b"\n")
        seconds = time.perf_counter() - started
    finally:
        done.set()
        sampler.join()
    grown = max(workers, key=lambda pid: peak[pid] - before[pid])
    return Download(
        path=path,
        status=status,
        size=size,
        lines=lines,
        first_byte=first_byte,
        seconds=seconds,
        worker_before_mb=before[grown],
        worker_peak_mb=peak[grown],
    )
