"""Run a pip command and show the llama.cpp build as a one-line progress counter.

pip is silent for the minutes a source build takes; with ``-v`` it prints every compiler line.
This shows just ``[n/total]`` steps, so a newcomer can see the build moving.
"""

from __future__ import annotations

import re
import subprocess
import sys

STEP = re.compile(r"\[(\d+)/(\d+)\]")


def main(command: list[str]) -> int:
    """Run ``command`` with ``-v`` and print build steps; return pip's exit code."""
    process = subprocess.Popen(
        [*command, "-v"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    assert process.stdout is not None
    tail: list[str] = []
    for line in process.stdout:
        tail = [*tail[-40:], line]
        if match := STEP.search(line):
            print(f"\r    building llama.cpp: step {match[1]}/{match[2]}", end="", flush=True)
    code = process.wait()
    print()
    if code != 0:
        sys.stdout.writelines(tail)
    return code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
