"""Every string a user can be shown has its nynorsk and bokmål translation in the committed catalogues.

The strings are extracted from the code as `makemessages` does (into a copy, so the repository is not touched),
and each one must be translated, not fuzzy, in locale/nn and locale/nb: a message added without running
makemessages would otherwise reach a nynorsk user in English.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

SOURCES = ("allocation", "cases", "finance_advice", "reports", "stord_bolig", "templates", "tenancies")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    """The catalogue of every translatable string in the code, as makemessages writes it for a new language."""
    root = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        shutil.copytree(settings.BASE_DIR / name, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (root / "locale").mkdir()
    here = Path.cwd()
    os.chdir(root)
    try:
        call_command("makemessages", locale=["nn"], verbosity=0)
    finally:
        os.chdir(here)
    return root / "locale" / "nn" / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("language", ["nn", "nb"])
def test_every_string_in_the_code_is_translated(extracted, language):
    committed = settings.BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po"

    # msgcmp: every msgid of the extracted catalogue must be in the committed one, translated and not fuzzy
    result = subprocess.run(["msgcmp", str(committed), str(extracted)], capture_output=True, text=True)

    assert result.returncode == 0, (
        f"Strings without a {language} translation (run makemessages and translate them):\n{result.stderr}"
    )
    assert extracted.read_text().count('msgid "') > 1000  # the extraction found the app's strings
