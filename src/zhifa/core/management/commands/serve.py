"""`zhifa serve`: the production WSGI server (granian) plus the background task worker."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "以生产级 WSGI 服务器（granian）运行平台，并启动后台任务进程。"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("ZHIFA_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("ZHIFA_PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("ZHIFA_WEB_WORKERS", "2"))
        )
        parser.add_argument("--no-worker", action="store_true", help="不启动后台任务进程")

    def handle(self, *args, host, port, workers, no_worker, **options):
        granian = shutil.which("granian") or os.path.join(
            os.path.dirname(sys.executable), "granian"
        )
        if not os.path.exists(granian):
            raise CommandError("未找到 granian，请先安装依赖（make demo 会自动安装）。")
        worker = None
        if not no_worker:
            worker = subprocess.Popen([sys.executable, "-m", "zhifa", "run_huey", "--quiet"])  # noqa: S603
        cmd = [
            granian,
            "--interface",
            "wsgi",
            "--host",
            host,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--blocking-threads",
            "1",
            "--no-ws",
            "zhifa.wsgi:application",
        ]
        self.stdout.write(f"zhifa 正在运行：http://{host}:{port}/  （Ctrl+C 停止）")
        server = subprocess.Popen(cmd)  # noqa: S603 - fixed argv, no shell

        # A service manager stops us with SIGTERM: turn it into the same clean shutdown as
        # Ctrl+C, so neither the web server nor the task worker is left running orphaned.
        def stop(signum, frame):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        try:
            server.wait()
        except KeyboardInterrupt:
            server.send_signal(signal.SIGINT)
            _stop(server, grace=30)
        finally:
            if worker is not None:
                worker.terminate()
                _stop(worker, grace=10)


def _stop(process: subprocess.Popen, grace: float) -> None:
    """Wait for a child that was asked to stop; kill it when the grace period runs out (a busy
    granian may not drain in time), so nothing is left running orphaned on the port."""
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
