from tests.conftest import ROOT
from worker.settings import settings_table


def test_readme_settings_table_matches_the_model():
    """The README's settings table is the one generated from the settings model."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- settings:start -->\n")[1].split("<!-- settings:end -->")[0]
    assert settings_table() == block


def test_readme_starts_with_the_two_setup_commands():
    """The first two commands a newcomer sees are make demo and make test."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```sh\n")[1].split("```")[0]
    commands = [line.split()[:2] for line in block.splitlines() if not line.startswith(" ")]
    assert commands[:2] == [["make", "demo"], ["make", "test"]]
