"""File-system failures in index, ask, serve, passages: one line naming the path and the fix,
exit status 2, no traceback (``--debug`` shows it).

The suite runs as root in CI, where chmod cannot make a file unreadable, so most cases make
the system call fail the way the kernel would (``deny``); ``test_real_unreadable_file_*``
does it for real as an unprivileged user.
"""
from __future__ import annotations

import errno
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from support import CORPUS, ROOT, FakeEmbedder, make_settings

from qa_service import service
from qa_service.cli import main
from qa_service.search import BM25Index, build_index
from qa_service.service import core

GDP_FILE = "000_d035c923f93be10b.txt"


pytestmark = pytest.mark.usefixtures("clean_qa_environment")


@pytest.fixture
def fake_model(monkeypatch):
    from qa_service.web import server

    def never(*args, **kwargs):
        raise AssertionError("serve got past the failure and started serving")

    make = lambda settings: FakeEmbedder()  # noqa: E731
    for module in (service, core, server):
        monkeypatch.setattr(module, "make_embedder", make)
    monkeypatch.setattr(server, "make_server", never)


@pytest.fixture
def project(tmp_path):
    """A corpus copy and a built index in tmp_path; returns the CLI's folder options."""
    shutil.copytree(CORPUS, tmp_path / "corpus")
    build_index(make_settings(tmp_path), FakeEmbedder())
    return tmp_path, ["--corpus-dir", str(tmp_path / "corpus"), "--index-dir", str(tmp_path / "index")]


def deny(monkeypatch, target: Path, error: int = errno.EACCES) -> None:
    """Make opening ``target`` (a file) or listing it (a folder) fail with ``error``."""
    target = Path(target)
    real_open, real_listdir, real_scandir = pathlib.Path.open, os.listdir, os.scandir

    def guarded_open(self, *args, **kwargs):
        if Path(self) == target:
            raise OSError(error, os.strerror(error), str(self))
        return real_open(self, *args, **kwargs)

    def guarded_listdir(path="."):
        if Path(os.fsdecode(path)) == target:
            raise OSError(error, os.strerror(error), os.fsdecode(path))
        return real_listdir(path)

    def guarded_scandir(path="."):
        if Path(os.fsdecode(path)) == target:
            raise OSError(error, os.strerror(error), os.fsdecode(path))
        return real_scandir(path)

    monkeypatch.setattr(pathlib.Path, "open", guarded_open)
    monkeypatch.setattr(os, "listdir", guarded_listdir)
    monkeypatch.setattr(os, "scandir", guarded_scandir)  # os.walk lists folders with scandir


def one_line(capsys) -> str:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("qa-service: ")
    return lines[0]


@pytest.mark.parametrize("command", [["index"], ["ask", "2024年前三季度GDP是多少"], ["serve", "--port", "0"]])
@pytest.mark.parametrize("victim", [GDP_FILE, "metadata.json", "."])
def test_unreadable_corpus_file_or_folder_is_one_line_exit_2(capsys, monkeypatch, project, fake_model,
                                                             command, victim):
    root, folders = project
    path = (root / "corpus" / victim).resolve()
    deny(monkeypatch, path)
    assert main([*folders, *command]) == 2
    line = one_line(capsys)
    assert f"{path}: permission denied; fix: " in line
    assert "chmod" in line


def test_unreadable_corpus_file_for_passages_names_it(capsys, monkeypatch, project):
    root, folders = project
    deny(monkeypatch, root / "corpus" / GDP_FILE)
    assert main([*folders, "passages", "--stats"]) == 2
    assert f"{root / 'corpus' / GDP_FILE}: permission denied; fix: " in one_line(capsys)


def test_read_only_index_folder_with_a_stale_index(capsys, monkeypatch, project, fake_model):
    root, folders = project
    (root / "corpus" / GDP_FILE).write_text("四平新闻\n", encoding="utf-8")  # the index is now stale
    deny(monkeypatch, root / "index" / ".build.lock")
    assert main([*folders, "index"]) == 2
    line = one_line(capsys)
    assert f"{root / 'index' / '.build.lock'}: permission denied; fix: " in line
    assert "--index-dir" in line


def test_read_only_file_system_says_to_choose_another_index_dir(capsys, monkeypatch, project, fake_model):
    root, folders = project
    deny(monkeypatch, root / "index" / ".build.lock", errno.EROFS)
    assert main([*folders, "index", "--force"]) == 2
    assert "read-only file system; fix: point --index-dir at a writable folder" in one_line(capsys)


def test_disk_full_mid_build_names_the_index_folder_and_leaves_no_staging(capsys, monkeypatch, project,
                                                                         fake_model):
    root, folders = project

    def full(self, directory):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # write() knows no file name

    monkeypatch.setattr(BM25Index, "save", full)
    assert main([*folders, "index", "--force"]) == 2
    line = one_line(capsys)
    assert line == (f"qa-service: writing under {root / 'index'}: no space left on the device; "
                    "fix: free some space (old index/build-* folders can go) and run it again")
    assert list((root / "index").glob(".tmp-build-*")) == []


def test_corpus_path_that_is_a_file_is_one_line(capsys, tmp_path):
    (tmp_path / "corpus").write_text("not a folder", encoding="utf-8")
    assert main(["--corpus-dir", str(tmp_path / "corpus" / "inner"), "passages"]) == 2
    line = one_line(capsys)
    assert str(tmp_path / "corpus") in line


def test_debug_shows_the_traceback(capsys, monkeypatch, project, fake_model):
    root, folders = project
    deny(monkeypatch, root / "corpus" / GDP_FILE)
    assert main(["--debug", *folders, "index"]) == 2
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "PermissionError" in err
    assert err.strip().splitlines()[-1].startswith("qa-service: ")


def _demote():  # pragma: no cover - runs in the child
    os.setgid(65534)
    os.setuid(65534)


def test_real_unreadable_file_as_an_unprivileged_user(tmp_path):
    """The real thing, no monkeypatching: chmod 000 on a corpus file, `qa-service index` as a
    user chmod applies to (nobody when the suite runs as root)."""
    demote = _demote if os.geteuid() == 0 else None
    try:
        subprocess.run([sys.executable, "-c", "pass"], preexec_fn=demote, timeout=60, check=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip(f"{sys.executable} cannot run as an unprivileged user here (covered by `deny` above)")
    work = Path(tempfile.mkdtemp(prefix="qa-perm-"))  # pytest's tmp_path is private to root
    try:
        shutil.copytree(CORPUS, work / "corpus")
        build_index(make_settings(work), FakeEmbedder())
        for path in [work, *work.rglob("*")]:
            path.chmod(0o777 if path.is_dir() else 0o666)
        victim = work / "corpus" / GDP_FILE
        victim.chmod(0)
        env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
        env.update(QA_CONFIG=str(work / "absent.toml"), HF_HUB_OFFLINE="1", HOME=str(work))
        result = subprocess.run(
            [sys.executable, "-m", "qa_service.cli", "--corpus-dir", str(work / "corpus"),
             "--index-dir", str(work / "index"), "index"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
            preexec_fn=demote)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert result.stderr.strip() == (
            f"qa-service: {victim}: permission denied; fix: let the user running qa-service "
            f"({'nobody' if os.geteuid() == 0 else os.environ.get('USER', '')}) read it — and, for the "
            "index folder, write it (chmod/chown) — or point --corpus-dir/--index-dir somewhere it can")
    finally:
        shutil.rmtree(work, ignore_errors=True)
