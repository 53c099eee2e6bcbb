"""How long a user waits for the CLI to start: `smartstep --help` and `smartstep next-step --json`.

    python bench/bench_startup.py [--runs 5] [--db PATH]

Times whole processes, as a user at a terminal sees them, interleaved round by round so a burst of
load on a shared machine hits every command alike: the two smartstep commands against two
baselines measured in the same run, `python -c pass` (the interpreter alone) and
`sqlite-utils --help` (a well-kept CLI on the same store library, which also loads pandas).
`next-step` runs on the seed-7 demo store (built into a temporary folder unless --db names one).
Prints medians and the ratios to both baselines; CPU time (user + system of the child) is printed
too, since wall time on a busy box is mostly waiting for a core.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(command: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of `command`, which must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", type=Path, help="a demo store built already (default: build one)")
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    smartstep = str(bin_dir / "smartstep")
    sqlite_utils = shutil.which("sqlite-utils", path=str(bin_dir)) or "sqlite-utils"
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            db = Path(tmp) / "demo.db"
            print("building the demo store ...", file=sys.stderr)
            subprocess.run([smartstep, "--db", str(db), "demo", "--no-chat"], check=True, stdout=subprocess.DEVNULL)
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "sqlite-utils --help": [sqlite_utils, "--help"],
            "smartstep --help": [smartstep, "--help"],
            "smartstep next-step --json": [smartstep, "--db", str(db), "next-step", "--json"],
        }
        for command in commands.values():  # warm the file cache once
            timed(command)
        walls: dict[str, list[float]] = {name: [] for name in commands}
        cpus: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                wall, cpu = timed(command)
                walls[name].append(wall)
                cpus[name].append(cpu)
    median = {name: statistics.median(values) for name, values in walls.items()}
    load = os.getloadavg()[0]
    print(f"medians of {args.runs} interleaved runs; load average {load:.1f} on {os.cpu_count()} cores")
    print(f"{'command':32} {'wall s':>8} {'cpu s':>8} {'x python':>9} {'x sqlite-utils':>15}")
    for name in commands:
        print(
            f"{name:32} {median[name]:8.3f} {statistics.median(cpus[name]):8.3f} "
            f"{median[name] / median['python -c pass']:9.1f} {median[name] / median['sqlite-utils --help']:15.2f}"
        )


if __name__ == "__main__":
    main()
