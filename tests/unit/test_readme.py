import re

from tests.conftest import ROOT
from worker.settings import settings_table

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_settings_table_matches_the_model():
    """docs/settings.md's table is the one generated from the settings model."""
    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    block = text.split("<!-- settings:start -->\n")[1].split("<!-- settings:end -->")[0]
    assert settings_table() == block


def test_readme_starts_with_the_two_setup_commands():
    """The first two commands a newcomer sees are make demo and make test."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```sh\n")[1].split("```")[0]
    commands = [line.split()[:2] for line in block.splitlines() if not line.startswith(" ")]
    assert commands[:2] == [["make", "demo"], ["make", "test"]]


def test_readme_fits_a_screen_and_every_link_resolves():
    """The README stays short (details live in docs/); every relative link names a file."""
    assert (ROOT / "README.md").stat().st_size <= 10_240
    for doc in DOCS:
        for target in _LINK.findall(doc.read_text(encoding="utf-8")):
            if target.startswith(("http://", "https://", "#", "mailto:")):
                continue
            path = (doc.parent / target.split("#")[0]).resolve()
            assert path.exists(), f"{doc.name}: link to {target} does not resolve"
