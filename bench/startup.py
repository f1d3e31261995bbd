"""Cold start of the workstation to an interactive window.

    python bench/startup.py [--database URL] [--runs 5]

Each run starts a new `python -m app` process (offscreen unless a display is set) that opens
the database, logs in, shows the main window with its overview loaded, and reports the moment
the event loop is idle. Prints each run and the median, in milliseconds from process spawn.
Without --database a demo database of 300 accounts is made in a temporary folder first.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def one_run(url: str, env: dict[str, str]) -> float:
    started = time.time()
    result = subprocess.run(
        [sys.executable, "-m", "app", "--database", url, "--empty"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    ready = [line for line in result.stdout.splitlines() if line.startswith("ready ")]
    if result.returncode != 0 or not ready:
        raise SystemExit(f"start failed ({result.returncode}): {result.stderr.strip()}")
    return (float(ready[0].split()[1]) - started) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", metavar="URL")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = dict(os.environ, SWITCHBOARD_QUIT_WHEN_READY="1")
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    with tempfile.TemporaryDirectory() as tmp:
        env["XDG_CONFIG_HOME"] = str(Path(tmp) / "config")
        url = args.database
        if url is None:
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
            subprocess.run([sys.executable, "-m", "app", "demo", "--accounts", "300",
                            "--database", url], env=env, check=True, capture_output=True)
        os.environ.setdefault("USER", "bench")
        times = [one_run(url, env) for _ in range(args.runs)]
    for n, ms in enumerate(times, 1):
        print(f"run {n}: {ms:7.0f} ms")
    print(f"median cold start to interactive window: {statistics.median(times):.0f} ms "
          f"({args.runs} runs, {url.split(':')[0]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
