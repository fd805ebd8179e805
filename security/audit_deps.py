"""`make audit`: pip-audit over requirements.lock, failing on any vulnerability not accepted with a reason.

Accepted ids and their reasons live in security/accepted-vulnerabilities.toml. A pin that could not be audited is a
failure too (pip-audit itself only warns and prints "No known vulnerabilities found"), and so is any error reaching
the vulnerability service.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACCEPTED = ROOT / "security" / "accepted-vulnerabilities.toml"
LOCK = ROOT / "requirements.lock"


class AcceptedError(ValueError):
    pass


def load_accepted(path: Path = ACCEPTED) -> dict:
    """The accepted findings, each checked to carry an id and a non-empty reason."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    unknown = set(data) - {"vulnerability", "no_release_data"}
    if unknown:
        raise AcceptedError(f"{path.name}: unknown tables {sorted(unknown)}")
    for entry in data.get("vulnerability", []):
        if not str(entry.get("id", "")).strip():
            raise AcceptedError(f"{path.name}: an accepted vulnerability has no id: {entry}")
        if not str(entry.get("reason", "")).strip():
            raise AcceptedError(f"{path.name}: accepted vulnerability {entry['id']} has no reason")
    if "no_release_data" in data and not str(data["no_release_data"].get("reason", "")).strip():
        raise AcceptedError(f"{path.name}: [no_release_data] has no reason")
    return data


def verdict(report: dict, accepted: dict) -> tuple[bool, list[str]]:
    """Whether pip-audit's JSON report passes, and the lines to print about it."""
    deps = report.get("dependencies", [])
    skipped = [d for d in deps if d.get("skip_reason")]
    found = [(d["name"], d["version"], v["id"]) for d in deps for v in d.get("vulns", [])]
    lines = [f"VULNERABLE: {name} {version}: {vid}" for name, version, vid in found]
    if not deps:
        return False, ["DEPENDENCY AUDIT FAILED: pip-audit reported no dependencies at all"]
    if skipped and len(skipped) == len(deps) and "no_release_data" in accepted:
        banner = "!" * 100
        return not found, [
            *lines,
            banner,
            f"DEPENDENCY AUDIT DID NOT RUN: the vulnerability service knew none of the {len(deps)} pinned releases.",
            f"Accepted in {ACCEPTED.relative_to(ROOT)}: {accepted['no_release_data']['reason'].strip()}",
            banner,
        ]
    if skipped:
        lines += [f"NOT AUDITED: {d['skip_reason']}" for d in skipped]
        lines.append(f"DEPENDENCY AUDIT FAILED: {len(skipped)} of {len(deps)} pins could not be audited")
        return False, lines
    for entry in accepted.get("vulnerability", []):
        lines.append(f"accepted: {entry['id']} ({entry.get('package', '?')}): {entry['reason'].strip()}")
    if found:
        lines.append(f"DEPENDENCY AUDIT FAILED: {len(found)} known vulnerabilities not accepted")
        return False, lines
    lines.append(f"dependency audit: {len(deps)} pins, no known vulnerabilities beyond the accepted ones")
    return True, lines


def main() -> int:
    try:
        accepted = load_accepted()
    except (AcceptedError, tomllib.TOMLDecodeError) as error:
        print(f"DEPENDENCY AUDIT FAILED: {error}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        argv = [sys.executable, "-m", "pip_audit", "-r", str(LOCK), "--no-deps", "--disable-pip"]
        argv += ["--progress-spinner", "off", "--format", "json", "--output", str(out)]
        for entry in accepted.get("vulnerability", []):
            argv += ["--ignore-vuln", entry["id"]]
        done = subprocess.run(argv, check=False, capture_output=True, text=True)  # noqa: S603 - fixed argv  # nosec B603
        if done.returncode not in (0, 1) or not out.exists():
            print(done.stderr[-4000:], file=sys.stderr)
            print(f"DEPENDENCY AUDIT FAILED: pip-audit exited {done.returncode} without a report", file=sys.stderr)
            return 1
        report = json.loads(out.read_text(encoding="utf-8"))
    ok, lines = verdict(report, accepted)
    print("\n".join(lines), file=sys.stdout if ok else sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
