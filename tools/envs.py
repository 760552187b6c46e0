"""Create the project's two virtual environments, only when missing or when their lock file changed.

The bot runs on Python >= 3.11 (.venv/bot); Rasa 3.6 needs Python 3.10 (.venv/nlu). Interpreters are found on PATH,
through pyenv (shims that are not active are skipped) and in the usual system places, never by a fixed path.
Runs on any Python 3.8+; uses the standard library only.

    python3 tools/envs.py bot nlu     # ensure both
    python3 tools/envs.py --python bot  # print the bot interpreter path (used by the Makefile)
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENVS = ROOT / ".venv"

# name -> (acceptable (major, minor) versions in order of preference, lock file)
ENVS = {
    "bot": ([(3, 11), (3, 12), (3, 13)], ROOT / "requirements" / "bot.lock"),
    "nlu": ([(3, 10)], ROOT / "requirements" / "nlu.lock"),
}


class SetupError(Exception):
    """A problem the user must fix; printed as one line."""


def _version_of(python: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True, text=True, timeout=20,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    major, minor = out.stdout.strip().split(".")
    return int(major), int(minor)


def _candidates(version: tuple[int, int]) -> list[str]:
    name = "python%d.%d" % version
    found = []
    on_path = shutil.which(name)
    if on_path:
        found.append(on_path)
    pyenv_root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    versions = Path(pyenv_root) / "versions"
    if versions.is_dir():
        prefix = "%d.%d." % version
        for v in sorted(versions.iterdir(), reverse=True):
            if v.name.startswith(prefix) and (v / "bin" / name).exists():
                found.append(str(v / "bin" / name))
    for d in ("/usr/local/bin", "/usr/bin"):
        if Path(d, name).exists():
            found.append(str(Path(d, name)))
    return found


def find_python(env: str) -> str:
    wanted, _ = ENVS[env]
    for version in wanted:
        for python in _candidates(version):
            if _version_of(python) == version:
                return python
    names = " or ".join("%d.%d" % v for v in wanted)
    raise SetupError(
        f"Python {names} is needed for the {env} environment but was not found: install it "
        f"(for example `pyenv install {'%d.%d' % wanted[0]}` or `apt-get install python{'%d.%d' % wanted[0]}`) "
        f"and run make again."
    )


def _stamp(env: str, python_version: tuple[int, int]) -> str:
    _, lock = ENVS[env]
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    return f"{digest} py{python_version[0]}.{python_version[1]}"


def venv_python(env: str) -> Path:
    return VENVS / env / "bin" / "python"


def ensure(env: str) -> Path:
    """Create or refresh one environment; return its interpreter."""
    _, lock = ENVS[env]
    if not lock.exists():
        raise SetupError(f"{lock.relative_to(ROOT)} is missing: the checkout is incomplete.")
    target = VENVS / env
    stamp_file = target / ".lock-stamp"
    py = venv_python(env)
    if py.exists() and stamp_file.exists():
        version = _version_of(str(py))
        if version and stamp_file.read_text().strip() == _stamp(env, version):
            return py
    python = find_python(env)
    version = _version_of(python)
    print(f"[setup] building .venv/{env} with {python} (first run or {lock.name} changed; this can take minutes)",
          flush=True)
    if target.exists():
        shutil.rmtree(target)
    subprocess.run([python, "-m", "venv", str(target)], check=True)
    pip = [str(py), "-m", "pip", "--disable-pip-version-check", "-q"]
    steps = [pip + ["install", "--upgrade", "pip"], pip + ["install", "-r", str(lock)]]
    for step in steps:
        result = subprocess.run(step)
        if result.returncode != 0:
            raise SetupError(f"installing {lock.name} into .venv/{env} failed (see pip's output above).")
    stamp_file.write_text(_stamp(env, version) + "\n")
    return py


def main(argv: list[str]) -> int:
    try:
        if argv[:1] == ["--python"]:
            print(find_python(argv[1]))
            return 0
        for env in argv or ["bot", "nlu"]:
            if env not in ENVS:
                raise SetupError(f"unknown environment '{env}' (known: {', '.join(ENVS)})")
            ensure(env)
    except SetupError as err:
        print(f"setup error: {err}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as err:
        print(f"setup error: {' '.join(map(str, err.cmd))} failed with exit code {err.returncode}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
