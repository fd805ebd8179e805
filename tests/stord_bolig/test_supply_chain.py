"""`make audit` accepts a finding only with a reason: accepted vulnerabilities, bandit skips and nosec lines.

A nosec comment reads `# <reason>  # nosec B603` (or `# noqa: S603 - <reason>  # nosec B603`): the test ids end the
comment, so bandit reads no word of the reason as a test name, and a nosec naming no known id (which bandit then
treats as blanket) cannot pass.
"""

from __future__ import annotations

import importlib.util
import io
import re
import tokenize
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {".venv", "node_modules", "var", ".git", "__pycache__"}
NOSEC = re.compile(r"#\s*nosec\b(?P<ids>.*)$", re.IGNORECASE)
NOSEC_IDS = re.compile(r"^\s+B\d{3}(\s*,\s*B\d{3})*\s*$")
NOQA = re.compile(r"#\s*noqa(:\s*[A-Z]+\d+(\s*,\s*[A-Z]+\d+)*)?", re.IGNORECASE)


def _audit_deps():
    spec = importlib.util.spec_from_file_location("audit_deps", ROOT / "security" / "audit_deps.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _python_files():
    for path in sorted(ROOT.rglob("*.py")):
        if not SKIPPED_DIRS.intersection(path.relative_to(ROOT).parts):
            yield path


def _nosec_comments():
    for path in _python_files():
        source = path.read_text(encoding="utf-8")
        if "nosec" not in source.lower():
            continue
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT and NOSEC.search(token.string):
                yield f"{path.relative_to(ROOT)}:{token.start[0]}", token.string


def _nosec_problem(comment: str) -> str | None:
    match = NOSEC.search(comment)
    if not NOSEC_IDS.match(match.group("ids")):
        return "must end with `# nosec BXXX[, BYYY]` naming the bandit test ids"
    reason = NOQA.sub("", comment[: match.start()]).strip(" #-:")
    if not re.search(r"[^\W\d_]{3,}", reason):
        return "must give a reason before the nosec marker"
    return None


def test_accepted_vulnerabilities__each_has_an_id_and_a_reason():
    data = _audit_deps().load_accepted()
    for entry in data.get("vulnerability", []):
        assert entry["id"].strip() and entry["reason"].strip()
    if "no_release_data" in data:
        assert data["no_release_data"]["reason"].strip()


def test_accepted_vulnerabilities__an_entry_without_reason_fails(tmp_path):
    audit_deps = _audit_deps()
    accepted = tmp_path / "accepted.toml"
    accepted.write_text('[[vulnerability]]\nid = "GHSA-aaaa-bbbb-cccc"\npackage = "django"\nreason = " "\n')
    with pytest.raises(audit_deps.AcceptedError, match="no reason"):
        audit_deps.load_accepted(accepted)
    accepted.write_text('[no_release_data]\nreason = ""\n')
    with pytest.raises(audit_deps.AcceptedError, match="no reason"):
        audit_deps.load_accepted(accepted)


def _dep(name, vulns=(), skip=False):
    if skip:
        return {"name": name, "skip_reason": f"Dependency not found on PyPI and could not be audited: {name} (1.0)"}
    return {"name": name, "version": "1.0", "vulns": [{"id": vid, "aliases": [], "fix_versions": []} for vid in vulns]}


def test_verdict__fails_on_a_vulnerability_and_on_a_pin_that_was_not_audited():
    verdict = _audit_deps().verdict
    accepted = {"no_release_data": {"reason": "mirror"}}
    assert verdict({"dependencies": [_dep("a"), _dep("b")]}, {})[0] is True
    assert verdict({"dependencies": [_dep("a", ["PYSEC-1"]), _dep("b")]}, accepted)[0] is False
    # Some pins unknown while others were audited is never "the service has no data".
    assert verdict({"dependencies": [_dep("a", skip=True), _dep("b")]}, accepted)[0] is False
    assert verdict({"dependencies": []}, accepted)[0] is False


def test_verdict__a_service_without_data_fails_unless_accepted_with_a_reason():
    verdict = _audit_deps().verdict
    report = {"dependencies": [_dep("a", skip=True), _dep("b", skip=True)]}
    assert verdict(report, {})[0] is False
    ok, lines = verdict(report, {"no_release_data": {"reason": "the mirror has no per-release JSON"}})
    assert ok is True
    assert any("DID NOT RUN" in line for line in lines)


def test_bandit_skips__each_has_a_reason_in_pyproject():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    skips = tomllib.loads(text)["tool"]["bandit"].get("skips", [])
    section = text[text.index("[tool.bandit]") :]
    for skip in skips:
        assert re.search(rf"^# {skip}: \S.{{10,}}$", section, re.MULTILINE), f"[tool.bandit] skip {skip} has no reason"


def test_nosec__names_test_ids_and_gives_a_reason():
    problems = [
        f"{where}: {problem}: {comment}" for where, comment in _nosec_comments() if (problem := _nosec_problem(comment))
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("comment", "ok"),
    [
        ("# noqa: S603 - fixed argv, our own paths  # nosec B603", True),
        ("# a retention category, not a password  # nosec B105", True),
        ("# noqa: S311 - synthetic  # nosec B311", True),
        ("# nosec", False),
        ("# noqa: S603  # nosec B603", False),
        ("# nosec B603: fixed argv", False),
        ("# fixed argv # nosec subprocess_without_shell_equals_true", False),
    ],
)
def test_nosec_rule__blanket_or_reasonless_comments_fail(comment, ok):
    assert (_nosec_problem(comment) is None) is ok
