"""`evidens folder DIR --db STORE` on the examples' stores: the folder it writes passes
`evidens check`, and `evidens run` on it gives the first run's outputs again."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evidens.services.folders.review_files import read_review_dir
from evidens.services.folders.run import run_review

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def evidens(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "evidens.cli", *args], capture_output=True, text=True, check=False
    )


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _round_trip(example: Path, tmp_path: Path) -> tuple[Path, Path, Path]:
    """(first run's output, the folder written from its store, the second run's output)."""
    first, folder, second = tmp_path / "out1", tmp_path / "folder", tmp_path / "out2"
    run_review(example, first)
    result = evidens("folder", str(folder), "--db", str(first / "review.db"))
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stdout
    checked = evidens("check", str(folder))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    run_review(folder, second)
    return first, folder, second


def test_living_update_store_to_folder_to_run_gives_identical_outputs(tmp_path: Path) -> None:
    first, folder, second = _round_trip(EXAMPLES / "living-update", tmp_path)
    for name in ("prisma.json", "searches.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert (folder / "exports" / "round1-pubmed.ris").read_bytes() == (
        EXAMPLES / "living-update" / "exports" / "round1-pubmed.ris"
    ).read_bytes()
    original, written = read_review_dir(EXAMPLES / "living-update"), read_review_dir(folder)
    for part in ("slug", "protocol", "settings", "reported", "methods", "rounds"):
        assert getattr(original, part) == getattr(written, part), part
    assert [m["name"] for m in written.members] == ["alice", "bruno"]
    assert [m.get("permissions", []) for m in written.members] == [["resolver"], []]
    # the folder written from the rebuilt store is the same folder, byte for byte
    again = tmp_path / "folder2"
    assert evidens("folder", str(again), "--db", str(second / "review.db")).returncode == 0
    assert _files(again) == _files(folder)


def test_dinosaur_records_store_to_folder_to_run(tmp_path: Path, shared_dir: Path) -> None:
    example = tmp_path / "dinosaur-records"
    shutil.copytree(EXAMPLES / "dinosaur-records", example)
    for path in [example / "searches.toml", *example.rglob("*.csv")]:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("../../../shared", shared_dir.as_posix()), encoding="utf-8")
    first, folder, second = _round_trip(example, tmp_path)
    assert (first / "prisma.json").read_bytes() == (second / "prisma.json").read_bytes()
    again = tmp_path / "folder2"
    assert evidens("folder", str(again), "--db", str(second / "review.db")).returncode == 0
    assert _files(again) == _files(folder)


@pytest.mark.parametrize("kind", ["non-empty folder", "no store"])
def test_folder_refuses_with_one_line(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "target"
    target.mkdir()
    (target / "keep.txt").write_text("mine", encoding="utf-8")
    db = tmp_path / "absent.db"
    if kind == "non-empty folder":
        db = tmp_path / "review.db"
        assert evidens("init", "A review", "--db", str(db)).returncode == 0
    result = evidens("folder", str(target), "--db", str(db))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert (target / "keep.txt").read_text(encoding="utf-8") == "mine"
    assert [p.name for p in target.iterdir()] == ["keep.txt"]
