"""The Linux desktop bundle, built and installed as a person would: `python installer/build.py`
once for the module, the archive unpacked, install.sh run into a temporary home folder, then the
installed program run from there (`--version`, `db upgrade` on a fresh file, `screenshot main`
offscreen). It takes a few minutes, so it runs only with SWITCHBOARD_TEST_BUNDLE=1 (.ci/run
sets it); `-m "not bundle"` leaves it out too."""

from __future__ import annotations

import faulthandler
import os
import platform
import shlex
import shutil
import sqlite3
import stat
import struct
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app import __version__

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT = 1800  # seconds; a build takes about 2 minutes on 2 CPUs
RUN_TIMEOUT = 180

pytestmark = [
    pytest.mark.bundle,
    pytest.mark.skipif(os.environ.get("SWITCHBOARD_TEST_BUNDLE") != "1",
                       reason="builds the desktop bundle: set SWITCHBOARD_TEST_BUNDLE=1"),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux bundle"),
]


@dataclass(frozen=True)
class Installed:
    home: Path
    program: Path
    launcher: Path
    desktop: Path


def clean_env(home: Path) -> dict[str, str]:
    """This process's environment with `home` as HOME and no user folders, database URL or
    Python settings of ours: the installed program must find everything in the bundle."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("XDG_", "SWITCHBOARD_", "PYTHON", "QT_"))}
    env["HOME"] = str(home)
    return env


def run(command: list[str], env: dict[str, str], *, cwd: Path | None = None,
        timeout: int = RUN_TIMEOUT) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True,
                            timeout=timeout, check=False)
    assert result.returncode == 0, (
        f"{shlex.join(command)} exited {result.returncode}\n"
        f"stdout:\n{result.stdout[-3000:]}\nstderr:\n{result.stderr[-3000:]}")
    return result


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """This worker's folder for the build, the unpacked archive and the installations; removed
    afterwards (they take some 1.5 GB, and pytest keeps the last three runs' temporary folders)."""
    folder = tmp_path_factory.mktemp("bundle")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def archive(workdir: Path) -> Path:
    """One build for the whole module."""
    # The build outlasts faulthandler_timeout; the subprocess has its own timeout instead of a
    # stack dump of a test that is only waiting.
    faulthandler.cancel_dump_traceback_later()
    out = workdir / "build"
    out.mkdir()
    log = out / "build.log"
    with log.open("w") as sink:
        result = subprocess.run(
            [sys.executable, str(ROOT / "installer" / "build.py"),
             "--dist", str(out / "dist"), "--work", str(out / "work")],
            cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT, timeout=BUILD_TIMEOUT, check=False)
    text = log.read_text(errors="replace")
    assert result.returncode == 0, f"installer/build.py failed:\n{text[-5000:]}"
    print(text[-600:])  # build time and sizes, shown with -s or on failure
    expected = out / "dist" / f"switchboard-{__version__}-linux-{platform.machine().lower()}.tar.gz"
    assert expected.is_file(), f"no {expected.name} in {sorted(p.name for p in expected.parent.iterdir())}"
    return expected


@pytest.fixture(scope="module")
def unpacked(archive: Path, workdir: Path) -> Path:
    target = workdir / "unpacked"
    target.mkdir()
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="tar")
    (folder,) = target.iterdir()
    return folder


def install(unpacked: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    home.mkdir(exist_ok=True)
    return run(["sh", str(unpacked / "install.sh"), *args], clean_env(home))


@pytest.fixture(scope="module")
def installed(unpacked: Path, workdir: Path) -> Installed:
    home = workdir / "ann"
    install(unpacked, home)
    return Installed(
        home=home,
        program=home / ".local" / "opt" / "switchboard" / "switchboard",
        launcher=home / ".local" / "bin" / "switchboard",
        desktop=home / ".local" / "share" / "applications" / "switchboard.desktop",
    )


def desktop_entry(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if "=" in line)


def test_the_archive_holds_the_program_the_installer_and_the_menu_entry(unpacked: Path) -> None:
    assert unpacked.name == f"switchboard-{__version__}-linux-{platform.machine().lower()}"
    for name in ("install.sh", "switchboard/switchboard"):
        assert (unpacked / name).stat().st_mode & stat.S_IXUSR, name
    for name in ("switchboard.desktop", "icons/switchboard-256.png", "icons/switchboard-48.png",
                 "icons/switchboard.svg", "README.txt"):
        assert (unpacked / name).is_file(), name
    assert (unpacked / "VERSION").read_text().strip() == __version__
    internal = unpacked / "switchboard" / "_internal"
    for name in ("app/resources/switchboard.qss", "app/resources/rates/demo-electric.yaml",
                 "app/migrations/env.py", "app/migrations/versions/0001_customer_model.py",
                 "PySide6/Qt/plugins/platforms/libqoffscreen.so",
                 "PySide6/Qt/plugins/platforms/libqxcb.so",
                 "PySide6/Qt/plugins/imageformats/libqsvg.so",
                 "reportlab/fonts/Vera.ttf"):
        assert (internal / name).is_file(), name


def test_install_puts_the_program_a_command_and_a_menu_entry_in_the_home_folder(
        installed: Installed) -> None:
    assert installed.program.stat().st_mode & stat.S_IXUSR
    assert installed.launcher.stat().st_mode & stat.S_IXUSR
    entry = desktop_entry(installed.desktop)
    assert entry["Name"] == "Switchboard"
    assert entry["Type"] == "Application"
    assert shlex.split(entry["Exec"]) == [str(installed.program)]
    assert entry["TryExec"] == str(installed.program)
    assert entry["Icon"] == "switchboard"
    icons = installed.home / ".local" / "share" / "icons" / "hicolor"
    for name in ("256x256/apps/switchboard.png", "48x48/apps/switchboard.png",
                 "scalable/apps/switchboard.svg"):
        assert (icons / name).is_file(), name


def test_the_installed_command_prints_the_version(installed: Installed) -> None:
    result = run([str(installed.launcher), "--version"], clean_env(installed.home))
    assert result.stdout.strip() == f"switchboard {__version__}"


def test_db_upgrade_makes_a_fresh_sqlite_file_at_the_current_schema(
        installed: Installed, tmp_path: Path) -> None:
    from app.db import head_revision

    database = tmp_path / "fresh.sqlite"
    result = run([str(installed.launcher), "db", "upgrade", "--database", f"sqlite:///{database}"],
                 clean_env(installed.home))
    assert "up to date" in result.stdout
    with sqlite3.connect(database) as conn:
        (revision,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    assert revision == head_revision()


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_installed_program_takes_a_screenshot_of_the_main_window(
        installed: Installed, tmp_path: Path) -> None:
    out = tmp_path / "main.png"
    env = clean_env(installed.home) | {"QT_QPA_PLATFORM": "offscreen"}
    run([str(installed.program), "screenshot", "main", "--out", str(out),
         "--database", f"sqlite:///{tmp_path / 'shot.sqlite'}"], env)
    assert png_size(out) == (1400, 900)
    assert out.stat().st_size > 20_000  # a drawn window, not a blank image


def test_the_installed_program_makes_the_demo_and_prints_a_quote_with_its_fonts(
        installed: Installed, tmp_path: Path) -> None:
    env = clean_env(installed.home)
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    run([str(installed.launcher), "demo", "--accounts", "10", "--database", url], env)
    listing = run([str(installed.launcher), "quote", "list", "--database", url], env).stdout
    quote = listing.splitlines()[1].split()[0]
    pdf = tmp_path / "quote.pdf"
    run([str(installed.launcher), "quote", "print", quote, "--out", str(pdf), "--database", url],
        env)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert pdf.stat().st_size > 5_000
    rates = run([str(installed.launcher), "rate", "list"], env).stdout  # the shipped library
    assert "E-RES-1" in rates


def test_uninstall_removes_the_program_and_the_menu_entry_and_keeps_the_data(
        unpacked: Path, workdir: Path) -> None:
    home = workdir / "bob"
    install(unpacked, home)
    data = home / ".local" / "share" / "switchboard"
    data.mkdir(parents=True)
    (data / "switchboard.sqlite").write_bytes(b"keep me")
    install(unpacked, home)  # again, as an upgrade would: replaces the program, keeps the data
    assert (home / ".local" / "opt" / "switchboard" / "switchboard").is_file()
    install(unpacked, home, "--uninstall")
    assert not (home / ".local" / "opt" / "switchboard").exists()
    assert not (home / ".local" / "bin" / "switchboard").exists()
    assert not (home / ".local" / "share" / "applications" / "switchboard.desktop").exists()
    assert not (home / ".local" / "share" / "icons" / "hicolor" / "256x256" / "apps"
                / "switchboard.png").exists()
    assert (data / "switchboard.sqlite").read_bytes() == b"keep me"


def test_a_system_install_goes_to_opt_and_usr_local(unpacked: Path, workdir: Path) -> None:
    root = workdir / "system-root"
    env = clean_env(workdir) | {"DESTDIR": str(root)}
    run(["sh", str(unpacked / "install.sh"), "--system"], env)
    assert (root / "opt" / "switchboard" / "switchboard").is_file()
    launcher = (root / "usr" / "local" / "bin" / "switchboard").read_text()
    assert "'/opt/switchboard/switchboard'" in launcher
    entry = desktop_entry(root / "usr" / "local" / "share" / "applications" / "switchboard.desktop")
    assert entry["Exec"] == "/opt/switchboard/switchboard"
    assert (root / "usr" / "local" / "share" / "icons" / "hicolor" / "48x48" / "apps"
            / "switchboard.png").is_file()
    run(["sh", str(unpacked / "install.sh"), "--system", "--uninstall"], env)
    assert not (root / "opt" / "switchboard").exists()
    assert not (root / "usr" / "local" / "bin" / "switchboard").exists()
