"""Web throughput: starts zhifa as `make demo` does (granian, WhiteNoise, SQLite in a fresh data
dir, or DATABASE_URL if set) and measures /healthz, the login page and the logged-in workspace
home with wrk at concurrency 32. Prints each page's throughput as a ratio to /healthz measured
in the same run (the machine is noisy; ratios are what compare).

It then measures the same pages in process (Django's WSGI handler called directly, the pages
in turn in blocks of 20 calls, CPU time of this process only), which other load on the
machine disturbs far less than wrk: a steadier guide while changing code, and what
`--in-process` runs alone. Granian's own cost per request is not in it, so its ratio comes out
a little below wrk's.

    .venv/bin/python bench/web.py [--duration 10] [--connections 32] [--workers 2]
    .venv/bin/python bench/web.py --in-process [--rounds 2000]   (or --no-in-process)
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEMO_PASSWORD = "Zhifa#2026"  # noqa: S105 - zhifa.core.demo.DEMO_PASSWORD (needs Django set up)


def ensure_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk:
        return wrk
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
        return shutil.which("wrk") or "wrk"
    sys.exit("wrk is missing: sudo apt-get install wrk")


def zhifa(env: dict, *args: str) -> None:
    subprocess.run([str(BIN / "zhifa"), *args], env=env, check=True, stdout=subprocess.DEVNULL)


def wait_up(url: str, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"server did not come up at {url}")


def login_cookie(base: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": "officer", "password": DEMO_PASSWORD}
    ).encode()
    req = urllib.request.Request(f"{base}/login/", data=data, headers={"Referer": f"{base}/login/"})
    home = opener.open(req).read().decode()
    assert "工作台" in home, "login failed"
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def parse_latency(text: str, pct: str) -> float:
    m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def run_wrk(wrk: str, url: str, seconds: int, conns: int, cookie: str | None) -> dict:
    cmd = [wrk, "-t2", f"-c{conns}", f"-d{seconds}s", "--latency", url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50": parse_latency(out, "50"),
        "p99": parse_latency(out, "99"),
        "errors": int(non2xx.group(1)) if non2xx else 0,
    }


def in_process(rounds: int) -> None:
    """Runs in a child process with the bench's data dir: /healthz, the login page and the
    home page called through the WSGI handler in turn, CPU time per call."""
    import io

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application
    from django.test import Client

    app = get_wsgi_application()
    client = Client(HTTP_HOST="127.0.0.1")
    client.post("/login/", {"username": "officer", "password": DEMO_PASSWORD})
    cookie = "; ".join(f"{k}={v.value}" for k, v in client.cookies.items())

    def call(path: str, cookie: str | None) -> bytes:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "HTTP_HOST": "127.0.0.1:8000",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_USER_AGENT": "bench",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.url_scheme": "http",
        }
        if cookie:
            environ["HTTP_COOKIE"] = cookie
        return b"".join(app(environ, lambda status, headers, *exc: None))

    pages = [("/healthz", None), ("/login/", None), ("/ (workspace home)", cookie)]
    assert "工作台".encode() in call("/", cookie), "login failed"
    spent = dict.fromkeys((name for name, _ in pages), 0.0)
    for name, ck in pages:  # warm-up
        for _ in range(100):
            call(name.split(" ")[0], ck)
    # Blocks of one page in turn: load elsewhere on the machine drifts over all pages alike,
    # and each page pays for its own garbage, as in a server worker serving only that page.
    block = 20
    for _ in range(max(1, rounds // block)):
        for name, ck in pages:
            path = name.split(" ")[0]
            start = time.process_time()
            for _ in range(block):
                call(path, ck)
            spent[name] += time.process_time() - start
    rounds = max(1, rounds // block) * block
    print(f"in process: WSGI handler, pages in turn ({block} calls), CPU time, {rounds} calls each")
    print(f"{'page':<22}{'ms/req':>10}{'ratio':>8}")
    for name, total in spent.items():
        print(f"{name:<22}{total / rounds * 1000:>10.3f}{spent['/healthz'] / total:>8.2f}")


def prepare() -> tuple[str, dict]:
    print("preparing: migrate, collectstatic, demo data ...", flush=True)
    data_dir = tempfile.mkdtemp(prefix="zhifa-bench-")
    env = {**os.environ, "ZHIFA_DATA_DIR": data_dir, "ZHIFA_HTTPS": "0"}  # as `make demo`
    zhifa(env, "migrate", "--noinput")
    zhifa(env, "collectstatic", "--noinput")
    zhifa(env, "demo")
    return data_dir, env


def run_in_process(env: dict, rounds: int) -> None:
    cmd = [sys.executable, __file__, "--in-process-child", "--rounds", str(rounds)]
    subprocess.run(cmd, env=env, check=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--rounds", type=int, default=2000)
    ap.add_argument("--in-process", action="store_true", help="only the in-process measure")
    ap.add_argument("--no-in-process", action="store_true", help="only the wrk measure")
    ap.add_argument("--in-process-child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.in_process_child:
        in_process(args.rounds)
        return
    if args.in_process:
        data_dir, env = prepare()
        try:
            run_in_process(env, args.rounds)
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)
        return
    wrk = ensure_wrk()
    data_dir, env = prepare()
    try:
        results = run_http(args, env, wrk)
        report(args, results)
        if not args.no_in_process:
            run_in_process(env, args.rounds)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def run_http(args, env: dict, wrk: str) -> dict:
    server = subprocess.Popen(
        [str(BIN / "zhifa"), "serve", "--port", str(args.port), "--workers", str(args.workers)],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        wait_up(f"{base}/healthz")
        cookie = login_cookie(base)
        pages = [("/healthz", None), ("/login/", None), ("/ (workspace home)", cookie)]
        results = {}
        for name, ck in pages:
            path = name.split(" ")[0]
            run_wrk(wrk, base + path, 2, args.connections, ck)  # warm-up
            results[name] = run_wrk(wrk, base + path, args.duration, args.connections, ck)
    finally:
        server.terminate()
        server.wait(timeout=20)
    return results


def report(args, results: dict) -> None:
    db = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    print(
        f"zhifa web bench: granian {args.workers} workers, {db}, wrk -c{args.connections} "
        f"-d{args.duration}s, {os.cpu_count()} cores"
    )
    print(f"{'page':<22}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'ratio':>8}{'non-2xx':>9}")
    base_rps = results["/healthz"]["rps"]
    for name, r in results.items():
        print(
            f"{name:<22}{r['rps']:>10.0f}{r['p50']:>10.2f}{r['p99']:>10.2f}"
            f"{r['rps'] / base_rps:>8.2f}{r['errors']:>9}"
        )
    home = results["/ (workspace home)"]["rps"] / base_rps
    verdict = "OK" if home >= 0.3 else "MISS"
    print(f"target: workspace home >= 0.30 of /healthz -> {home:.2f} {verdict}", flush=True)


if __name__ == "__main__":
    main()
