"""Git, as the gate needs it: what changed since a ref, and a file's text at a ref.

Everything goes through the ``git`` executable (``git diff --name-status -M``, ``git show
REF:PATH``, ``git log --follow``) so the gate sees exactly what the developer's git sees: the
working tree, staged or not, plus untracked files that ``.gitignore`` does not hide. Paths are
repository-relative POSIX paths, as git prints them with ``-z``.
"""

from __future__ import annotations

import ipaddress
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from registry.errors import InvalidInput

MAX_HISTORY = 200

_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_ADDRESS = re.compile(
    rf"(?P<host>\[[0-9a-f:.]+\]|{_LABEL}(?:\.{_LABEL})*)(?::(?P<port>\d{{1,5}}))?(?:/\S*)?",
    re.IGNORECASE,
)


def registry_address(value: str) -> str | None:
    """The registry URL ``value`` seems to mean when it looks like an address, not a git ref.

    ``host:port`` (``127.0.0.1:8081``, ``registry:8081``, ``[::1]:8081``) is never a git ref:
    ref names cannot contain ``:``. ``localhost`` and IP addresses without a port could name a
    branch, so callers try them as refs first.
    """
    found = _ADDRESS.fullmatch(value)
    if found is None:
        return None
    if found["port"] is None and not _is_host(found["host"]):
        return None
    return f"http://{value}"


def _is_host(name: str) -> bool:
    if name.lower() == "localhost":
        return True
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class Change:
    """One path that differs between the ref and the working tree."""

    status: str
    old_path: str | None
    new_path: str | None


@dataclass(frozen=True, slots=True)
class GitRepo:
    """A git working tree, found from any directory inside it."""

    root: Path

    @classmethod
    def discover(cls, start: Path) -> GitRepo:
        """The repository containing ``start``; outside one is a usage error."""
        directory = start if start.is_dir() else start.parent
        while not directory.exists():
            directory = directory.parent
        try:
            out = _git(directory, "rev-parse", "--show-toplevel")
        except InvalidInput:
            raise InvalidInput(
                f"{start}: not inside a git repository; --against a git ref needs one"
            ) from None
        return cls(Path(out.decode().strip()))

    def run(self, *args: str) -> bytes:
        """Run git in the repository and return its standard output."""
        return _git(self.root, *args)

    def verify(self, ref: str) -> str:
        """The commit a ref names; unknown refs are a usage error."""
        if ref.startswith("-"):
            raise InvalidInput(f"'{ref}' is not a git ref")
        try:
            return (
                self.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()
            )
        except InvalidInput:
            address = registry_address(ref)
            if address is not None:
                raise InvalidInput(
                    f"unknown git ref '{ref}': it looks like a registry address; for a "
                    f"registry, give its URL: --against {address}"
                ) from None
            raise InvalidInput(
                f"unknown git ref '{ref}' (in CI, fetch it first: git fetch origin <branch>)"
            ) from None

    def changes(self, ref: str, directory: str) -> list[Change]:
        """Changed, added, deleted and renamed paths under ``directory`` since ``ref``."""
        out = self.run("diff", "--name-status", "-M", "-z", "--no-ext-diff", ref, "--", directory)
        fields = out.decode("utf-8", "surrogateescape").split("\0")
        changes: list[Change] = []
        i = 0
        while i < len(fields) and fields[i]:
            status = fields[i][0]
            if status in "RC":
                old, new = fields[i + 1], fields[i + 2]
                i += 3
                changes.append(Change("R", old, new) if status == "R" else Change("A", None, new))
                continue
            path = fields[i + 1]
            i += 2
            if status == "A":
                changes.append(Change("A", None, path))
            elif status == "D":
                changes.append(Change("D", path, None))
            else:
                changes.append(Change("M", path, path))
        untracked = self.run("ls-files", "--others", "--exclude-standard", "-z", "--", directory)
        for path in untracked.decode("utf-8", "surrogateescape").split("\0"):
            if path:
                changes.append(Change("A", None, path))
        return changes

    def show(self, ref: str, path: str) -> str:
        """The text of ``path`` at ``ref``."""
        data = self.run("show", f"{ref}:{path}")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"{path} at {ref}: not valid UTF-8 ({exc.reason})") from None

    def history(self, ref: str, path: str) -> list[tuple[str, str]]:
        """Every distinct text ``path`` had up to ``ref``, oldest first, with its commit.

        Follows renames; consecutive commits with identical text count once, as re-registering
        an identical schema creates no version.
        """
        out = self.run(
            "log",
            "--follow",
            "--format=%x00%H",
            "--name-only",
            f"-n{MAX_HISTORY}",
            ref,
            "--",
            path,
        )
        entries: list[tuple[str, str]] = []
        for record in out.decode("utf-8", "surrogateescape").split("\0"):
            lines = [line for line in record.splitlines() if line.strip()]
            if len(lines) < 2:
                continue
            sha, name = lines[0], lines[-1]
            try:
                text = self.show(sha, name)
            except InvalidInput:
                continue  # the commit deleted the file
            entries.append((sha, text))
        entries.reverse()
        distinct: list[tuple[str, str]] = []
        for sha, text in entries:
            if not distinct or distinct[-1][1] != text:
                distinct.append((sha, text))
        return distinct


def _git(cwd: Path, *args: str) -> bytes:
    try:
        proc = subprocess.run(
            ["git", "-c", "core.quotepath=off", *args],
            cwd=cwd,
            capture_output=True,
            check=False,
            timeout=120,
        )
    except FileNotFoundError:
        raise InvalidInput("git is not installed or not on PATH") from None
    except subprocess.TimeoutExpired:
        raise InvalidInput(f"git {' '.join(args)} did not finish in 120 s") from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip() or f"exit {proc.returncode}"
        raise InvalidInput(f"git {args[0]} failed: {message}")
    return proc.stdout
