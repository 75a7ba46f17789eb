"""Start-up: `localbot chat` first paint and ready, `localbot ask` wall time, peak RSS.

Each figure is measured in a fresh process (the way a user starts localbot) against a baseline
run in the same session:

- chat first paint: the time from process start until the chat screen is mounted (Textual's
  headless ``run_test()``), against a bare Textual app with one static screen; the heavy modules
  loaded by then are listed (torch and llama_cpp should not be);
- chat ready: until the assistant has loaded both models and evaluated the system prompt,
  against a bare script that imports and loads the same two models;
- `localbot ask` (one question on the demo store) against that bare script also answering;
- peak RSS of each process (ru_maxrss), and the time to `import localbot.cli`.

Usage: `.venv/bin/python bench/startup.py [--repeat N]`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

QUESTION = "I need a light 2 person tent for backpacking"
HEAVY = ("torch", "llama_cpp", "sentence_transformers", "transformers")

CHAT_PROBE = textwrap.dedent(
    """
    import asyncio, json, sys, time
    from localbot.config import load_settings
    from localbot.tui.app import make_app
    from localbot.tui.screens.chat import ChatScreen

    app = make_app(load_settings())

    async def main():
        async with app.run_test() as pilot:
            while not isinstance(app.screen, ChatScreen):
                await pilot.pause(0.01)
            paint = time.time()
            heavy = sorted(m for m in sys.argv[1].split(",") if m in sys.modules)
            while not app.ready:
                await pilot.pause(0.02)
            print(json.dumps({"paint": paint, "ready": time.time(), "heavy": heavy}))

    asyncio.run(main())
    """
)

BARE_TEXTUAL_PROBE = textwrap.dedent(
    """
    import asyncio, json, time
    from textual.app import App
    from textual.widgets import Static

    class Bare(App):
        def compose(self):
            yield Static("hello")

    async def main():
        app = Bare()
        async with app.run_test() as pilot:
            await pilot.pause(0)
            print(json.dumps({"paint": time.time()}))

    asyncio.run(main())
    """
)

BARE_MODELS_PROBE = textwrap.dedent(
    """
    import json, sys, time
    from llama_cpp import Llama
    from sentence_transformers import SentenceTransformer
    from localbot.embeddings import bundled_model_dir
    from localbot.llm import _extra_buffer_types, cpu_has_amx
    from localbot.modelfiles import resolve_model
    from localbot.paths import default_models_dir

    embedder = SentenceTransformer(str(bundled_model_dir()), device="cpu", local_files_only=True)
    embedder.encode(["warm up"])
    with _extra_buffer_types(enabled=not cpu_has_amx()):
        llama = Llama(model_path=str(resolve_model("smollm2-135m-instruct", default_models_dir())),
                      n_ctx=4096, verbose=False)
    ready = time.time()
    if sys.argv[1] == "answer":
        embedder.encode([sys.argv[2]])
        text = f"<|im_start|>user\\n{sys.argv[2]}<|im_end|>\\n<|im_start|>assistant\\n"
        prompt = llama.tokenize(text.encode(), special=True)
        for _ in llama.create_completion(prompt, max_tokens=200, temperature=0.2, stream=True):
            pass
    print(json.dumps({"ready": ready}))
    """
)


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, dict]:
    """Run a process; return its start time, wall seconds, and its last JSON line (if any)."""
    started = time.time()
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    output = process.stdout.read() if process.stdout else b""
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.time() - started
    if status != 0:
        raise RuntimeError(f"{args[:3]} exited with status {status}")
    lines = [line for line in output.decode().splitlines() if line.startswith("{")]
    data = json.loads(lines[-1]) if lines else {}
    data["rss_mb"] = usage.ru_maxrss / 1024
    return started, wall, data


def python(code: str, *argv: str) -> list[str]:
    """A command line running ``code`` with the venv's interpreter."""
    return [sys.executable, "-c", code, *argv]


def demo_home() -> Path:
    """A LOCALBOT_HOME with the demo store imported."""
    home = Path(tempfile.mkdtemp(prefix="localbot-startup-"))
    env = {**os.environ, "LOCALBOT_HOME": str(home)}
    subprocess.run([sys.executable, "-m", "localbot", "ingest", "knowledge", "--quiet"],
                   env=env, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    return home


def measure(env: dict[str, str]) -> dict[str, float | list[str]]:
    """One round of every measurement."""
    figures: dict[str, float | list[str]] = {}
    start, _, chat = run(python(CHAT_PROBE, ",".join(HEAVY)), env)
    figures.update(chat_paint=chat["paint"] - start, chat_ready=chat["ready"] - start,
                   chat_rss=chat["rss_mb"], heavy_at_paint=chat["heavy"])  # fmt: skip
    start, _, bare = run(python(BARE_TEXTUAL_PROBE), env)
    figures["bare_paint"] = bare["paint"] - start
    start, _, models = run(python(BARE_MODELS_PROBE, "load", QUESTION), env)
    figures.update(bare_ready=models["ready"] - start, bare_ready_rss=models["rss_mb"])
    _, ask_wall, ask = run([sys.executable, "-m", "localbot", "ask", QUESTION], env)
    figures.update(ask_wall=ask_wall, ask_rss=ask["rss_mb"])
    _, bare_wall, bare_answer = run(python(BARE_MODELS_PROBE, "answer", QUESTION), env)
    figures.update(bare_ask_wall=bare_wall, bare_ask_rss=bare_answer["rss_mb"])
    _, import_wall, _ = run(python("import localbot.cli"), env)
    _, python_wall, _ = run(python("pass"), env)
    figures.update(import_cli=import_wall, python_start=python_wall)
    return figures


def main() -> None:
    """Repeat the measurements and print medians and the RESULT line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    env = {**os.environ, "LOCALBOT_HOME": str(demo_home()), "TERM": "xterm-256color"}
    env.pop("LOCALBOT_CONFIG", None)
    rounds = [measure(env) for _ in range(args.repeat)]
    med = {key: statistics.median(float(r[key])  # type: ignore[arg-type]
                                  for r in rounds) for key in rounds[0] if key != "heavy_at_paint"}  # fmt: skip
    report(med, rounds[0]["heavy_at_paint"])  # type: ignore[arg-type]


def report(m: dict[str, float], heavy: list[str]) -> None:
    """Print the figures and the RESULT line."""
    print(f"chat: first paint {m['chat_paint']:.2f} s (bare Textual app {m['bare_paint']:.2f} s);"
          f" heavy modules loaded at first paint: {', '.join(heavy) or 'none'}")  # fmt: skip
    print(f"chat: ready {m['chat_ready']:.2f} s (bare load of both models {m['bare_ready']:.2f} s),"
          f" peak RSS {m['chat_rss']:.0f} MB (bare {m['bare_ready_rss']:.0f} MB)")  # fmt: skip
    print(f"ask: {m['ask_wall']:.2f} s wall (bare load + answer {m['bare_ask_wall']:.2f} s),"
          f" peak RSS {m['ask_rss']:.0f} MB (bare {m['bare_ask_rss']:.0f} MB)")  # fmt: skip
    print(f"import localbot.cli {m['import_cli']:.2f} s (python alone {m['python_start']:.2f} s)")
    print(f"RESULT chat_first_paint_s={m['chat_paint']:.2f}"
          f" first_paint_vs_bare_textual={m['chat_paint'] / m['bare_paint']:.2f}"
          f" heavy_at_first_paint={len(heavy)} chat_ready_s={m['chat_ready']:.2f}"
          f" ready_vs_bare_models={m['chat_ready'] / m['bare_ready']:.2f}"
          f" ask_wall_s={m['ask_wall']:.2f} ask_vs_bare={m['ask_wall'] / m['bare_ask_wall']:.2f}"
          f" ask_peak_rss_mb={m['ask_rss']:.0f} chat_peak_rss_mb={m['chat_rss']:.0f}"
          f" import_cli_s={m['import_cli']:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
