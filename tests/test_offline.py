"""Offline, proven: ingest, search, ask and a chat run under a socket guard and with no network at all.

Two complementary proofs: in-process, an audit hook fails on any Python-level socket connection
other than a Unix socket (and on name look-ups); in a subprocess started in a new network namespace
(``unshare -rn``: a user namespace too, so no root is needed), the process has no network
interface to use, which native code cannot get around either.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from localbot.assistant import Assistant
from localbot.catalogue.ingest import ingest_paths
from localbot.db import open_database
from localbot.embeddings import Embedder
from localbot.governance import NetworkUseError, network_guard
from localbot.llm import ChatModel
from localbot.modelfiles import resolve_model
from localbot.offline import OFFLINE_ENVIRONMENT, offline_switches_set
from localbot.paths import default_models_dir, knowledge_dir

ROOT = Path(__file__).resolve().parents[1]
# Generation speed is not under test here: short answers from a short context keep this quick.
SHORT_ANSWERS = {"max_tokens": 16, "context_products": 2, "context_documents": 1}


@pytest.fixture
def small_store(tmp_path):
    """A few catalogue files: enough to ingest, search and answer in seconds."""
    folder = tmp_path / "knowledge"
    folder.mkdir()
    shutil.copy(knowledge_dir() / "products" / "tents.jsonl", folder)
    shutil.copy(knowledge_dir() / "docs" / "returns.md", folder)
    return folder


# --- the guard itself ---------------------------------------------------------------------------


def test_guard_refuses_tcp_connections_and_name_lookups():
    with network_guard() as guard:
        with (
            socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp,
            pytest.raises(NetworkUseError),
        ):
            tcp.connect(("127.0.0.1", 9))  # refused before any packet leaves
        with pytest.raises(NetworkUseError):
            socket.getaddrinfo("localhost", 80)
    assert len(guard.violations) == 2


def test_guard_allows_local_unix_sockets(tmp_path):
    path = str(tmp_path / "s.sock")
    with network_guard() as guard, socket.socket(socket.AF_UNIX) as server:
        server.bind(path)
        server.listen(1)
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(path)
    assert guard.violations == []


def test_guard_is_off_outside_its_block():
    # A loopback TCP listener: the guard refuses even loopback (it allows Unix sockets only),
    # so the same connect is caught inside the block and must go through after it.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        address = server.getsockname()
        with network_guard() as guard, socket.socket() as inside:
            with pytest.raises(NetworkUseError):
                inside.connect(address)
            assert guard.armed
        assert not guard.armed and len(guard.violations) == 1
        with socket.socket() as after:
            after.connect(address)  # raises NetworkUseError if the guard were still armed
            accepted, _ = server.accept()
            accepted.close()
    assert len(guard.violations) == 1  # nothing new recorded after the block


def test_guard_is_off_after_its_block_ends_with_an_error():
    with pytest.raises(RuntimeError), network_guard() as guard:
        raise RuntimeError("the guarded code failed")
    assert not guard.armed
    socket.getaddrinfo("localhost", 80)  # a name look-up is allowed again


# --- the assistant under the guard, in this process ---------------------------------------------


@pytest.mark.real
def test_ingest_search_ask_and_chat_make_no_network_connection(settings, small_store):
    with network_guard() as guard:
        embedder = Embedder()  # loaded under the guard: the moment a hub download would happen
        db = open_database(settings.database_path)
        report = ingest_paths(db, [small_store], embedder)
        model = ChatModel(resolve_model(settings.model, default_models_dir()), n_ctx=2048)
        assistant = Assistant(settings.with_overrides(**SHORT_ANSWERS), db, embedder, model)
        results = assistant.search("2 person tent")
        first = assistant.reply("Do you have a light 2 person tent?")  # ask
        follow_up = assistant.reply("Can I return it?", first.session_id)  # and go on chatting
        conversation = assistant.conversation(first.session_id)
        db.close()
    assert guard.violations == []
    assert report.imported_anything and results.hits
    assert first.answer and follow_up.answer
    assert [turn["question"] for turn in conversation] == [
        "Do you have a light 2 person tent?",
        "Can I return it?",
    ]
    assert offline_switches_set()
    assert all(os.environ[key] == value for key, value in OFFLINE_ENVIRONMENT.items())


# --- the commands in a process with no network at all -------------------------------------------

DRIVER = textwrap.dedent(
    """
    import io, json, socket, sys
    from localbot.governance import network_guard
    from localbot.offline import offline_switches_set
    from localbot.cli import main

    store = sys.argv[1]
    codes = {}
    with network_guard() as guard:
        codes["ingest"] = main(["ingest", store, "--quiet"])
        codes["search"] = main(["search", "2 person tent", "--json"])
        codes["ask"] = main(["ask", "Do you have a light 2 person tent?", "--json"])
        sys.stdin = io.StringIO("Is the tent waterproof?\\nCan I return it?\\n\\n")
        codes["chat"] = main(["chat", "--plain"])
    interfaces = [name for _, name in socket.if_nameindex()]
    print("RESULT " + json.dumps({"codes": codes, "violations": guard.violations,
                                  "offline_switches": offline_switches_set(),
                                  "interfaces": interfaces}))
    """
)


def no_network_prefix() -> list[str] | None:
    """The command that runs a program with no network: ``unshare -rn`` (no root needed), else
    ``unshare -n`` (root); None when neither works here (no util-linux, or user namespaces off)."""
    if not shutil.which("unshare"):
        return None
    for prefix in (["unshare", "-rn"], ["unshare", "-n"]):
        if subprocess.run([*prefix, "true"], capture_output=True).returncode == 0:
            return prefix
    return None


NO_NETWORK = no_network_prefix()


@pytest.mark.real
@pytest.mark.skipif(
    NO_NETWORK is None,
    reason="needs util-linux 'unshare' and user namespaces (or root) for a network namespace",
)
def test_commands_work_in_a_process_without_network(tmp_path, small_store):
    assert NO_NETWORK is not None
    env = {**os.environ, "LOCALBOT_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT),
           "LOCALBOT_CONFIG": str(tmp_path / "none.toml")}  # fmt: skip
    env.update({f"LOCALBOT_{key.upper()}": str(value) for key, value in SHORT_ANSWERS.items()})
    for key in OFFLINE_ENVIRONMENT:  # the process must set these itself
        env.pop(key, None)
    run = subprocess.run(
        [*NO_NETWORK, sys.executable, "-c", DRIVER, str(small_store)],
        env=env, capture_output=True, text=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout.rsplit("RESULT ", 1)[1])
    assert result["interfaces"] == ["lo"]  # truly no network: only a loopback that is down
    assert result["codes"] == {"ingest": 0, "search": 0, "ask": 0, "chat": 0}
    assert result["violations"] == [] and result["offline_switches"]
    assert "bot>" in run.stdout
