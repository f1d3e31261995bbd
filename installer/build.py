"""Build the Switchboard desktop bundle for the machine this runs on.

    python installer/build.py [--dist DIR] [--work DIR] [--clean]

Runs PyInstaller on installer/switchboard.spec (a one-folder bundle), then:

- Linux: packs dist/switchboard-<version>-linux-<arch>.tar.gz, one folder holding the program
  folder, install.sh, the .desktop entry, the icons, VERSION and README.txt;
- Windows: leaves dist/switchboard-<version>-windows-<arch>/switchboard/ for the Inno Setup
  script (installer/windows/switchboard.iss) and, when Inno Setup's ISCC.exe is found (on PATH,
  in its usual folder or in $ISCC), compiles the installer into dist/ as well.

Prints the build time and the bundle's size. See installer/README.md.
"""

from __future__ import annotations

import argparse
import ast
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTALLER = ROOT / "installer"
RESOURCES = ROOT / "app" / "resources"
NAME = "switchboard"
ICON_FILES = ("switchboard-256.png", "switchboard-48.png", "switchboard.svg")
#: Libraries Qt's xcb platform plugin needs; a build machine without them makes a bundle that
#: opens no window on a desktop that lacks them too (Debian/Ubuntu package names).
XCB_PACKAGES = ("libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 "
                "libxcb-shape0 libxcb-randr0 libxkbcommon-x11-0")


def app_version() -> str:
    tree = ast.parse((ROOT / "app" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == "__version__" and isinstance(node.value, ast.Constant)):
            return str(node.value.value)
    raise SystemExit("app/__init__.py has no __version__")


def platform_tag() -> str:
    machine = platform.machine().lower()
    if sys.platform == "win32":
        return "windows-" + {"amd64": "x64", "x86_64": "x64", "arm64": "arm64"}.get(machine, machine)
    if sys.platform == "darwin":
        return f"macos-{machine}"
    return f"linux-{machine}"


def folder_size(folder: Path) -> tuple[int, int]:
    """(bytes, files) under the folder, symbolic links not followed."""
    total = count = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            total += path.stat().st_size
            count += 1
    return total, count


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def run_pyinstaller(out: Path, work: Path, clean: bool) -> Path:
    """Build the bundle into out/switchboard; return that folder."""
    command = [sys.executable, "-m", "PyInstaller", str(INSTALLER / "switchboard.spec"),
               "--noconfirm", "--log-level", "WARN",
               "--distpath", str(out), "--workpath", str(work)]
    if clean:
        command.append("--clean")
    print("building:", " ".join(command), flush=True)
    subprocess.run(command, cwd=ROOT, check=True)
    bundle = out / NAME
    if not (bundle / (NAME + (".exe" if sys.platform == "win32" else ""))).is_file():
        raise SystemExit(f"PyInstaller did not make {bundle / NAME}")
    return bundle


def strip_python(bundle: Path) -> int:
    """Remove the debugging information from the Python interpreter's own shared library and
    extension modules, as a Python built from source (pyenv) carries it; returns the bytes
    saved. Only these: stripping the libraries auditwheel patched inside the wheels breaks them
    (numpy's OpenBLAS stops loading)."""
    strip = shutil.which("strip")
    if strip is None:
        return 0
    internal = bundle / "_internal"
    targets = [*internal.glob("libpython3*.so*"), *internal.glob("python3*/lib-dynload/*.so")]
    targets = [t for t in targets if t.is_file() and not t.is_symlink()]
    before = sum(t.stat().st_size for t in targets)
    if targets:
        subprocess.run([strip, "--strip-debug", *map(str, targets)], check=True)
    return before - sum(t.stat().st_size for t in targets)


def missing_xcb_libraries(bundle: Path) -> list[str]:
    """Libraries the bundled xcb platform plugin needs that neither the bundle nor this machine
    has (then the bundle needs them on the user's machine)."""
    plugin = bundle / "_internal" / "PySide6" / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.is_file() or shutil.which("ldd") is None:
        return []
    env = dict(os.environ, LD_LIBRARY_PATH=str(bundle / "_internal"))
    result = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, env=env,
                            check=False)
    return sorted({line.split()[0] for line in result.stdout.splitlines()
                   if "not found" in line})


def stage_linux(bundle_parent: Path, version: str) -> None:
    """Put install.sh, the desktop entry, the icons and a README beside the program folder."""
    shutil.copy2(INSTALLER / "linux" / "install.sh", bundle_parent / "install.sh")
    (bundle_parent / "install.sh").chmod(0o755)
    shutil.copy2(INSTALLER / "linux" / "switchboard.desktop", bundle_parent / "switchboard.desktop")
    icons = bundle_parent / "icons"
    icons.mkdir(exist_ok=True)
    for name in ICON_FILES:
        shutil.copy2(RESOURCES / name, icons / name)
    (bundle_parent / "VERSION").write_text(version + "\n", encoding="utf-8")
    (bundle_parent / "README.txt").write_text(
        f"Switchboard {version}\n\n"
        "To install it for yourself, open a terminal in this folder and run:\n\n"
        "    ./install.sh\n\n"
        "Then start Switchboard from your applications menu. To install it for every user of\n"
        "this computer: sudo ./install.sh --system. To remove it: ./install.sh --uninstall\n"
        "(add --system if it was installed with --system). Your data is kept.\n",
        encoding="utf-8",
    )


def pack(folder: Path, archive: Path) -> None:
    """folder → archive.tar.gz with the folder's name at the top, modes kept, owner root."""
    def normalise(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        return info

    with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
        tar.add(folder, arcname=folder.name, filter=normalise)


def find_iscc() -> str | None:
    candidates = [os.environ.get("ISCC"), shutil.which("iscc"), shutil.which("ISCC")]
    for base in (os.environ.get("PROGRAMFILES(X86)"), os.environ.get("PROGRAMFILES")):
        if base:
            candidates.append(str(Path(base) / "Inno Setup 6" / "ISCC.exe"))
    return next((c for c in candidates if c and Path(c).is_file()), None)


def build_windows_installer(bundle: Path, dist: Path, version: str) -> Path | None:
    iscc = find_iscc()
    if iscc is None:
        print("Inno Setup (ISCC.exe) not found: the installer was not compiled. Install Inno "
              "Setup 6 and run:\n"
              f'    iscc /DAppVersion={version} /DBundleDir="{bundle}" /O"{dist}" '
              f'"{INSTALLER / "windows" / "switchboard.iss"}"')
        return None
    subprocess.run([iscc, f"/DAppVersion={version}", f"/DBundleDir={bundle}", f"/O{dist}",
                    str(INSTALLER / "windows" / "switchboard.iss")], check=True)
    setup = dist / f"switchboard-{version}-setup.exe"
    return setup if setup.is_file() else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist",
                        help="where the bundle and the archive go (default: dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller",
                        help="PyInstaller's work folder (default: build/pyinstaller/)")
    parser.add_argument("--clean", action="store_true",
                        help="empty PyInstaller's cache first (for release builds)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    version = app_version()
    tag = platform_tag()
    dist = args.dist.resolve()
    bundle_parent = dist / f"switchboard-{version}-{tag}"
    if bundle_parent.exists():
        shutil.rmtree(bundle_parent)
    bundle_parent.mkdir(parents=True)
    bundle = run_pyinstaller(bundle_parent, args.work.resolve(), args.clean)
    if sys.platform.startswith("linux"):
        saved = strip_python(bundle)
        if saved:
            print(f"stripped Python's debugging information: {megabytes(saved)} less")
    built = time.perf_counter()

    size, files = folder_size(bundle)
    print(f"bundle built in {built - started:.0f} s; program folder {bundle}: "
          f"{megabytes(size)} in {files} files")
    if sys.platform == "win32":
        setup = build_windows_installer(bundle, dist, version)
        if setup is not None:
            print(f"installer: {setup} ({megabytes(setup.stat().st_size)})")
    elif sys.platform.startswith("linux"):
        stage_linux(bundle_parent, version)
        archive = dist / f"{bundle_parent.name}.tar.gz"
        pack(bundle_parent, archive)
        print(f"archive: {archive} ({megabytes(archive.stat().st_size)})")
        missing = missing_xcb_libraries(bundle)
        if missing:
            print(f"warning: this machine lacks {', '.join(missing)}, which Qt's xcb platform "
                  "plugin needs: users whose desktop lacks them too get no window. Install them "
                  f"here before a release build (apt-get install {XCB_PACKAGES}).")
    else:
        print(f"{sys.platform}: no package is made for this system; the program folder is "
              f"{bundle}")
    print(f"build time: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
