"""Train the NLU model when its inputs change, and run the Rasa server as a child process.

Used by `make run`, the tests, the triage and evaluation commands and the benchmarks, so the model is always
built and served the same way. Runs in the bot's environment and drives Rasa in its own Python 3.10 environment.

    python -m nlu.manage model     # train if needed; print the model path
    python -m nlu.manage serve     # train if needed, then run the server in the foreground
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
NLU_VENV = ROOT / ".venv" / "nlu"
RASA = NLU_VENV / "bin" / "rasa"
MODELS = ROOT / "models"
LOGS = ROOT / "var" / "log"
DEFAULT_PORT = 5005


class NluSetupError(Exception):
    """Something the operator must fix before NLU can run; printed as one line."""


def rasa_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    env["SQLALCHEMY_SILENCE_UBER_WARNING"] = "1"
    env.setdefault("OMP_NUM_THREADS", "2")
    return env


def training_inputs() -> list[Path]:
    """Every file whose change must produce a new model."""
    files = [ROOT / "nlu" / "config.yml", ROOT / "nlu" / "domain.yml", ROOT / "nlu" / "normalize.py",
             ROOT / "requirements" / "nlu.lock"]
    for folder, pattern in (("nlu/data", "**/*.yml"), ("nlu/components", "*.py"), ("nlu/lexicon", "*")):
        files.extend(sorted((ROOT / folder).glob(pattern)))
    return [f for f in files if f.is_file()]


def inputs_hash() -> str:
    digest = hashlib.sha256()
    for path in training_inputs():
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_path() -> Path:
    return MODELS / f"nlu-{inputs_hash()}.tar.gz"


def regenerate_faq_data() -> None:
    """Write nlu/data/generated/ from the knowledge base, so FAQ questions are training data."""
    try:
        from knowledge_base.nlu_export import write_nlu_data
    except ImportError:
        return
    write_nlu_data()


def ensure_model(say=print) -> Path:
    """Return the model for the current inputs, training it first when none exists."""
    if not RASA.exists():
        raise NluSetupError("the NLU environment is missing: run `make test` or `make run` to build it")
    regenerate_faq_data()
    target = model_path()
    if target.exists():
        return target
    MODELS.mkdir(exist_ok=True)
    # One training at a time on this machine: a second caller (another test run, `make run`) waits and then
    # finds the model the first one trained, instead of training the same thing twice on two cores.
    with open(MODELS / ".train.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        target = model_path()
        if target.exists():
            return target
        return _train(target, say)


def _train(target: Path, say) -> Path:
    say(f"[nlu] training inputs changed: training {target.name} (takes a few minutes on 2 cores)")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(dir=MODELS) as tmp:
        result = subprocess.run(
            [str(RASA), "train", "nlu", "--config", "nlu/config.yml", "--nlu", "nlu/data", "--domain",
             "nlu/domain.yml", "--out", tmp, "--fixed-model-name", target.stem.replace(".tar", "")],
            cwd=ROOT, env=rasa_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        produced = list(Path(tmp).glob("*.tar.gz"))
        if result.returncode != 0 or not produced:
            tail = "\n".join(result.stdout.strip().splitlines()[-15:])
            raise NluSetupError(f"training the NLU model failed (exit {result.returncode}):\n{tail}")
        os.replace(produced[0], target)
    say(f"[nlu] trained {target.name} in {time.monotonic() - started:.0f}s")
    _prune_old_models(keep=target)
    return target


def _prune_old_models(keep: Path, how_many: int = 3) -> None:
    models = sorted(MODELS.glob("nlu-*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [m for m in models if m != keep][how_many - 1:]:
        old.unlink(missing_ok=True)


class RasaCrashed(Exception):
    pass


class RasaServer:
    """The Rasa HTTP server as a child process in its own process group."""

    def __init__(self, model: Path, port: int = DEFAULT_PORT, host: str = "127.0.0.1") -> None:
        self.model = model
        self.port = port
        self.host = host
        self.process: subprocess.Popen | None = None
        LOGS.mkdir(parents=True, exist_ok=True)
        self.log_path = LOGS / f"rasa-{port}.log"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        log_file = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [str(RASA), "run", "--enable-api", "-i", self.host, "-p", str(self.port), "-m", str(self.model),
             "--response-timeout", "30"],
            cwd=ROOT, env=rasa_env(), stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log_file.close()

    def wait_ready(self, timeout: float = 240.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RasaCrashed(f"the Rasa server exited with code {self.process.returncode}:\n{self.log_tail()}")
            try:
                response = httpx.get(f"{self.url}/status", timeout=2)
                if response.status_code == 200 and response.json().get("model_file"):
                    return
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.5)
        raise RasaCrashed(f"the Rasa server did not answer within {timeout:.0f}s:\n{self.log_tail()}")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=10)

    def __enter__(self) -> "RasaServer":
        self.start()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def server_answers(url: str) -> bool:
    try:
        response = httpx.get(f"{url.rstrip('/')}/status", timeout=2)
        return response.status_code == 200 and bool(response.json().get("model_file"))
    except (httpx.HTTPError, ValueError):
        return False


def swap_model(url: str, model: Path) -> None:
    """Load a new model into a running server (Rasa's PUT /model) without stopping it."""
    response = httpx.put(f"{url.rstrip('/')}/model", json={"model_file": str(model)}, timeout=300)
    if response.status_code != 204:
        raise NluSetupError(f"the Rasa server refused the new model: HTTP {response.status_code} {response.text[:200]}")


def main(argv: list[str]) -> int:
    try:
        if argv[:1] == ["model"]:
            print(ensure_model())
            return 0
        if argv[:1] == ["serve"]:
            with RasaServer(ensure_model()) as server:
                print(f"[nlu] Rasa server ready at {server.url}; Ctrl-C stops it")
                while server.alive():
                    time.sleep(1)
                print(f"[nlu] the Rasa server stopped:\n{server.log_tail()}", file=sys.stderr)
                return 1
        print("usage: python -m nlu.manage model|serve", file=sys.stderr)
        return 2
    except (NluSetupError, RasaCrashed) as err:
        print(f"nlu error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


def served_model(url: str) -> str | None:
    """File name of the model the server at `url` has loaded (None when no server answers)."""
    try:
        response = httpx.get(f"{url.rstrip('/')}/status", timeout=2)
        if response.status_code != 200:
            return None
        return Path(response.json().get("model_file") or "").name or None
    except (httpx.HTTPError, ValueError):
        return None


class running_server:
    """Use the Rasa server at `url` if it serves the model of the current inputs; otherwise start one on a free
    port with that model and stop it afterwards (so an evaluation never measures a stale model)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.server: RasaServer | None = None

    def __enter__(self) -> str:
        regenerate_faq_data()
        if served_model(self.url) == model_path().name:
            return self.url
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        print(f"[nlu] starting a Rasa server on port {port} ...", file=sys.stderr, flush=True)
        self.server = RasaServer(ensure_model(say=lambda m: print(m, file=sys.stderr, flush=True)), port=port)
        self.server.__enter__()
        return self.server.url

    def __exit__(self, *exc) -> None:
        if self.server is not None:
            self.server.stop()
