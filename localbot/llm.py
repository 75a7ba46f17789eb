"""The chat model: one long-lived ``llama_cpp.Llama`` per process behind a lock, text out.

The chat template is read from the GGUF, so any model a user drops into ``models/`` formats its
prompts correctly. Prompts are rendered and tokenised here, which lets the assistant count tokens
exactly and lets llama.cpp reuse the KV cache for any prefix it has already evaluated (the
static system prompt is evaluated once, at load).

Beyond the common prefix, the cache is reused by chunks, like llama.cpp server's
``--cache-reuse``: when the cached tokens continue with a span the new prompt skips (the
previous turn's catalogue context, or the oldest turns sliding out of the conversation window),
that span is removed from the KV cache and the cells after it are shifted back, so only the
genuinely new tokens are evaluated. Models whose cache cannot shift fall back to prefix reuse.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from localbot.modelfiles import ModelFileError, check_model_file

Message = dict[str, str]
# ChatML, for GGUFs that carry no template of their own.
FALLBACK_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{{ message['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


# How to rebuild llama-cpp-python with a GPU backend (CUDA here; README "Models" lists Metal and
# Vulkan); `localbot doctor` shows it on CPU-only builds.
GPU_BUILD_COMMAND = (
    'CMAKE_ARGS="-DGGML_CUDA=on" .venv/bin/pip install --force-reinstall --no-deps'
    " --no-cache-dir llama-cpp-python"
)


class ModelError(RuntimeError):
    """The chat model cannot be loaded or used; the message names the file and the fix."""


class ContextTooSmall(ModelError):
    """The prompt does not fit the model's context window."""


# Shortest run of cached tokens worth moving: shorter matches are mostly chat-template markup
# ("<|im_end|>\n<|im_start|>user\n") that would splice unrelated turns together.
MIN_REUSE_CHUNK = 16


@dataclass(frozen=True)
class Chunk:
    """Cached tokens ``[cache_start, cache_start + length)`` reused at ``prompt_start``."""

    cache_start: int
    prompt_start: int
    length: int


@dataclass(frozen=True)
class ReusePlan:
    """How much of a prompt the KV cache already holds, and the moves that make it a prefix."""

    common: int
    chunks: tuple[Chunk, ...]

    @property
    def kept(self) -> int:
        """Prompt tokens that need no evaluation once the chunks are moved."""
        return self.chunks[-1].prompt_start + self.chunks[-1].length if self.chunks else self.common


def plan_reuse(
    cached: Sequence[int], prompt: Sequence[int], min_chunk: int = MIN_REUSE_CHUNK
) -> ReusePlan:
    """Plan to turn ``cached`` into the longest prefix of ``prompt`` by removing spans.

    After the common prefix, the cache is scanned for runs of at least ``min_chunk`` tokens
    that continue the prompt where it stands; the cached tokens skipped on the way are the
    spans to remove. The prompt is covered without gaps: a chunk is taken only where the prompt
    prefix so far ends, so the result is always a prefix of the prompt.
    """
    common = _common_prefix(cached, prompt)
    head_c = head_p = common
    chunks = []
    while head_c < len(cached) and head_p < len(prompt):
        length = _run_length(cached, head_c, prompt, head_p)
        if length >= min_chunk:
            chunks.append(Chunk(head_c, head_p, length))
            head_c, head_p = head_c + length, head_p + length
        else:
            head_c += 1
    return ReusePlan(common, tuple(chunks))


def _run_length(a: Sequence[int], i: int, b: Sequence[int], j: int) -> int:
    length = 0
    while i + length < len(a) and j + length < len(b) and a[i + length] == b[j + length]:
        length += 1
    return length


@dataclass
class GenerationStats:
    """Counts and times of one generation, filled in while it streams."""

    prompt_tokens: int = 0
    cached_tokens: int = 0
    completion_tokens: int = 0
    ttft_ms: float = 0.0
    total_ms: float = 0.0
    cancelled: bool = False
    cut_short: bool = False  # stopped by max_tokens, not by the model ending its answer

    @property
    def tokens_per_s(self) -> float:
        """Generation speed after the first token."""
        decode_ms = self.total_ms - self.ttft_ms
        if self.completion_tokens < 2 or decode_ms <= 0:
            return 0.0
        return (self.completion_tokens - 1) / (decode_ms / 1000)


def physical_cores() -> int:
    """Number of physical CPU cores (llama.cpp's default is half the logical ones)."""
    cores = set()
    for topology in Path("/sys/devices/system/cpu").glob("cpu[0-9]*/topology"):
        with contextlib.suppress(OSError):
            package = (topology / "physical_package_id").read_text().strip()
            cores.add((package, (topology / "core_id").read_text().strip()))
    return len(cores) or os.cpu_count() or 1


class ChatModel:
    """A GGUF chat model. Thread-safe: one generation at a time."""

    def __init__(
        self,
        path: Path,
        n_ctx: int = 4096,
        n_threads: int = 0,
        n_gpu_layers: int = -1,
        seed: int = 7,
        flash_attn: str = "auto",
    ) -> None:
        self.path = Path(path)
        self.flash_attn = flash_attn
        self.n_ctx = n_ctx
        self.n_threads = n_threads or physical_cores()
        self.n_gpu_layers = n_gpu_layers
        self.seed = seed
        self._llama: Any = None
        self._formatter: Any = None
        self._lock = threading.RLock()

    @property
    def name(self) -> str:
        """The model's file name without extension."""
        return self.path.stem

    def uses_flash_attention(self) -> bool:
        """Whether the model runs with flash attention: 'auto' means only when on a GPU.

        Measured on a CPU (bench/ask.py), flash attention reads a prompt 5-12% faster but
        generates 25-40% slower, so it only pays where llama.cpp offloads to a GPU.
        """
        if self.flash_attn == "auto":
            return self.n_gpu_layers != 0 and gpu_available()
        return self.flash_attn == "on"

    @property
    def loaded(self) -> bool:
        """Whether the weights are in memory."""
        return self._llama is not None

    def load(self) -> None:
        """Load the weights (once); raises :class:`ModelError` with the fix on failure."""
        with self._lock:
            if self._llama is None:
                self._llama = self._open()
                self._formatter = self._make_formatter()

    def _open(self) -> Any:
        try:
            check_model_file(self.path)
        except ModelFileError as error:
            raise ModelError(str(error)) from error
        from llama_cpp import Llama

        try:
            with _extra_buffer_types(enabled=not cpu_has_amx()):
                return Llama(
                    model_path=str(self.path),
                    n_ctx=self.n_ctx,
                    n_threads=self.n_threads,
                    n_threads_batch=self.n_threads,
                    n_gpu_layers=self.n_gpu_layers if gpu_available() else 0,
                    flash_attn=self.uses_flash_attention(),
                    seed=self.seed,
                    verbose=False,  # llama.cpp's stderr chatter would corrupt the terminal UI
                )
        except (ValueError, RuntimeError, OSError) as error:
            raise ModelError(
                f"cannot load {self.path} ({error}); the file may be corrupt or from a newer "
                "llama.cpp: re-copy it, or run 'make setup' for the default model"
            ) from error

    def _make_formatter(self) -> Any:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        llama = self._llama
        template = llama.metadata.get("tokenizer.chat_template") or FALLBACK_TEMPLATE
        return Jinja2ChatFormatter(
            template=template,
            eos_token=_token_text(llama, llama.token_eos()),
            bos_token=_token_text(llama, llama.token_bos()),
        )

    def render(self, messages: Sequence[Message], add_generation_prompt: bool = True) -> str:
        """The prompt text for ``messages``, ending where the assistant's reply starts."""
        self.load()
        self._formatter.add_generation_prompt = add_generation_prompt
        try:
            return str(self._formatter(messages=list(messages)).prompt)
        finally:
            self._formatter.add_generation_prompt = True

    def tokenize(self, text: str) -> list[int]:
        """Tokens of a rendered prompt (special tokens parsed, no extra BOS: the template adds it)."""
        self.load()
        return list(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def count_tokens(self, messages: Sequence[Message]) -> int:
        """Exact prompt length of ``messages`` in tokens."""
        return len(self.tokenize(self.render(messages)))

    def warm(self, messages: Sequence[Message]) -> int:
        """Evaluate a prompt prefix now, so a later prompt starting with it reuses the cache.

        At load this is the static system prompt; after an answer, the conversation so far
        (see ``Assistant.prepare_next_turn``). Cached spans are reused as in generation.
        Afterwards the cache holds exactly this prefix. Returns the number of tokens evaluated.
        """
        tokens = self.tokenize(self.render(messages, add_generation_prompt=False))
        with self._lock:
            llama = self._llama
            kept = min(_reuse_cache(llama, tokens), len(tokens))
            llama.n_tokens = kept  # later cells are dropped by the next evaluation
            if kept < len(tokens):
                llama.eval(tokens[kept:])
            return len(tokens) - kept

    def stream(
        self,
        messages: Sequence[Message],
        max_tokens: int = 200,
        temperature: float = 0.2,
        should_stop: Callable[[], bool] | None = None,
        stats: GenerationStats | None = None,
    ) -> Iterator[str]:
        """Yield the reply text piece by piece; stops between tokens when ``should_stop()``."""
        stats = stats if stats is not None else GenerationStats()
        tokens = self.tokenize(self.render(messages))
        self._check_fits(len(tokens), max_tokens)
        with self._lock:
            yield from self._generate(tokens, max_tokens, temperature, should_stop, stats)

    def _check_fits(self, prompt_tokens: int, max_tokens: int) -> None:
        if prompt_tokens + max_tokens > self.n_ctx:
            raise ContextTooSmall(
                f"the prompt needs {prompt_tokens} + {max_tokens} tokens but {self.name} has a "
                f"context of {self.n_ctx}; raise n_ctx (e.g. LOCALBOT_N_CTX=8192) or ask a shorter question"
            )

    def _generate(
        self,
        tokens: list[int],
        max_tokens: int,
        temperature: float,
        should_stop: Callable[[], bool] | None,
        stats: GenerationStats,
    ) -> Iterator[str]:
        llama = self._llama
        stats.prompt_tokens = len(tokens)
        started = time.perf_counter()
        # The last prompt token is always evaluated: its logits give the first reply token.
        stats.cached_tokens = _reuse_cache(llama, tokens[:-1])
        pieces = llama.create_completion(
            tokens, max_tokens=max_tokens, temperature=temperature, seed=self.seed,
            top_p=0.9, repeat_penalty=1.1, stream=True,
        )  # fmt: skip
        try:
            for chunk in pieces:
                if should_stop is not None and should_stop():
                    stats.cancelled = True
                    break
                choice = chunk["choices"][0]
                text = choice["text"]
                stats.cut_short = choice.get("finish_reason") == "length"
                if stats.completion_tokens == 0:
                    stats.ttft_ms = (time.perf_counter() - started) * 1000
                stats.completion_tokens += 1
                if text:
                    yield text
        finally:
            pieces.close()
            stats.total_ms = (time.perf_counter() - started) * 1000


def _reuse_cache(llama: Any, prompt: Sequence[int]) -> int:
    """Make the KV cache a prefix of ``prompt`` by removing spans; returns its length.

    ``create_completion`` then finds that prefix and evaluates only the rest. Without shift
    support only the common prefix is kept (llama.cpp's own behaviour).
    """
    cached = llama.input_ids[: llama.n_tokens].tolist()
    plan = plan_reuse(cached, prompt)
    if not plan.chunks:
        return plan.common
    if not _can_shift(llama):
        return plan.common  # create_completion keeps the common prefix
    if not _move_chunks(llama, plan):
        return _common_prefix(llama.input_ids[: llama.n_tokens].tolist(), prompt)
    llama.input_ids[: plan.kept] = prompt[: plan.kept]
    llama.n_tokens = plan.kept
    return plan.kept


def _can_shift(llama: Any) -> bool:
    try:
        import llama_cpp

        return bool(llama_cpp.llama_memory_can_shift(llama._ctx.memory))
    except (ImportError, AttributeError):
        return False


def _move_chunks(llama: Any, plan: ReusePlan) -> bool:
    """Remove the skipped spans and shift each chunk back to its prompt position.

    Returns False when llama.cpp refuses a removal (some caches only remove whole sequences):
    unchanged if it was the first one, else with the cache emptied.
    """
    ctx = llama._ctx
    for index, chunk in enumerate(plan.chunks):
        # Cells between where the prompt stands and where the chunk sits are the skipped span.
        if not ctx.kv_cache_seq_rm(0, chunk.prompt_start, chunk.cache_start):
            if index == 0:
                return False
            ctx.kv_cache_clear()
            llama.n_tokens = 0
            return False
        end = chunk.cache_start + chunk.length
        ctx.kv_cache_seq_shift(0, chunk.cache_start, end, chunk.prompt_start - chunk.cache_start)
    ctx.kv_cache_seq_rm(0, plan.kept, -1)
    return True


def _token_text(llama: Any, token: int) -> str:
    if token < 0:
        return ""
    return str(llama._model.token_get_text(token))


def _common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    count = 0
    for left, right in zip(a, b, strict=False):
        if left != right:
            break
        count += 1
    return count


def gpu_available() -> bool:
    """True when this llama.cpp build can offload layers to a GPU."""
    try:
        import llama_cpp

        return bool(llama_cpp.llama_supports_gpu_offload())
    except (ImportError, AttributeError):
        return False


def cpu_has_amx() -> bool:
    """True on CPUs with Intel AMX tiles."""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "amx_tile" in cpuinfo


@contextlib.contextmanager
def _extra_buffer_types(enabled: bool) -> Iterator[None]:
    """Turn ggml's extra CPU buffer types (AMX and weight repacking) off while a model loads.

    On AMX machines (seen on virtual Xeons) llama.cpp 0.3.36 segfaults in the first decode when
    they are on; the Llama constructor has no argument for it, so the default model parameters
    are patched for the duration of the constructor only.
    """
    if enabled:
        yield
        return
    import llama_cpp.llama_cpp as bindings

    original = bindings.llama_model_default_params

    def without_extra_buffers() -> Any:
        params = original()
        params.use_extra_bufts = False
        return params

    bindings.llama_model_default_params = without_extra_buffers
    try:
        yield
    finally:
        bindings.llama_model_default_params = original
