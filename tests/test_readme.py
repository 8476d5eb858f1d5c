"""The README and docs/ run as written: the settings table lists every setting the code reads,
and each `loan-journey` command line they show names options the command has."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer.main
from rich.console import Console

from journey.settings import Settings
from starter.audit import AuditLine, render_trail
from starter.cli import app

ROOT = Path(__file__).resolve().parents[1]
# The README's overview first, then the reference it points to (docs/command-line.md,
# docs/journey.md, docs/settings.md), as one text: a journey the README starts may be used
# by the docs' commands, and the settings table is docs/settings.md's.
README = "\n\n".join(path.read_text(encoding="utf-8")
                     for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])
COMMANDS = re.sub(r"\\\n\s*", " ", "".join(re.findall(r"```sh\n(.*?)```", README, re.S)))


def test_the_settings_table_lists_every_setting_the_code_reads() -> None:
    table = README.split("Settings are environment variables", 1)[1].split("\n\n", 2)[1]
    listed = set(re.findall(r"`([A-Z][A-Z_]+)`", table))
    assert listed == {Settings.env_name(name) for name in Settings.model_fields}


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


def test_every_option_the_readme_gives_a_command_is_one_it_has() -> None:
    commands = dict(_commands(typer.main.get_command(app)))
    text = re.sub(r"\\\n\s*", " ", README)  # a command line continued on the next
    typed = re.findall(r"loan-journey ([a-z][a-z -]*)([^`\n#]*)", text)
    quoted = re.findall(r"`([a-z][a-z-]*(?: [a-z-]+)*)( [^`]*--[^`]*)`", text.replace("\n", " "))
    checked = 0
    for words, rest in typed + quoted:
        path: tuple[str, ...] = ()
        for word in words.split():
            if (*path, word) not in commands:
                break
            path = (*path, word)
        if not path:
            continue
        options = {o for p in commands[path].params for o in (*p.opts, *p.secondary_opts)}
        tail = " ".join(words.split()[len(path):]) + rest
        for option in re.findall(r"(?<![\w-])--[a-z][a-z-]*", tail):
            assert option in options, f"README: `loan-journey {' '.join(path)}` has no {option}"
            checked += 1
    assert checked > 50  # the README's and docs' command lines were read, not skipped


def test_the_journeys_its_commands_name_are_the_samples_it_starts() -> None:
    """A newcomer types them in order: each journey a command names was started before, from
    a sample application, under the id that file carries."""
    named = re.findall(r"(?:loan-journey [a-z][a-z -]*|-w) loan-(APP-[\w-]+)", COMMANDS)
    started = [json.loads((ROOT / path).read_text())["application_id"]
               for path in re.findall(r"loan-journey start (\S+\.json)", COMMANDS)]
    assert named and set(named) <= set(started), set(named) - set(started)
    for journey in set(named):  # started before its first use
        first = COMMANDS.index(f"loan-{journey} ")
        assert COMMANDS.index(f"demo-{journey[-3:]}.json") < first, journey


def test_the_files_its_examples_write_are_kept_out_of_git_and_the_image() -> None:
    """They hold borrowers' names and scans, written into the checkout."""
    written = set(re.findall(r"--(?:out|html) ([\w-]+\.[\w.]+)", COMMANDS))
    assert {"journey-map.html", "journeys.xes"} <= written
    ignored = (ROOT / ".gitignore").read_text().split()
    kept_out = (ROOT / ".dockerignore").read_text().split()
    for name in written:
        assert name in ignored and f"**/{name}" in kept_out, name


def test_the_temporal_commands_it_shows_run_against_the_engines_server() -> None:
    lines = COMMANDS.splitlines()
    temporal = [line for line in lines if re.match(r"\S*temporal workflow ", line)]
    assert temporal
    for line in temporal:  # not on PATH; without --address it asks localhost:7233
        assert line.startswith(".venv/bin/temporal "), line
        assert '--address "${LOAN_JOURNEY_TEMPORAL_ADDRESS' in line, line
        assert '--namespace "${LOAN_JOURNEY_TEMPORAL_NAMESPACE' in line, line


def test_it_says_what_history_prints_and_where_it_names_an_acts_origin() -> None:
    act = AuditLine(datetime(2026, 12, 6, tzinfo=UTC), 5, "risk_review", "update decide",
                    "appr-branch-1", "approver", "approve: ok", origin="root@vm pid 4242")
    table = render_trail([act])
    console = Console(width=300, record=True, file=io.StringIO())
    console.print(table)
    columns = ", ".join(str(column.header) for column in table.columns)
    readme = " ".join(README.split())
    assert f"`history` (columns {columns})" in readme
    assert '"(from root@vm pid 4242)"' in readme
    assert "approve: ok (from root@vm pid 4242)" in console.export_text()


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_the_readme_and_its_docs_link_each_other_and_every_link_lands() -> None:
    """The reference lives in docs/ since the README became an overview: a link to a file or
    heading that moved would leave a reader at nothing."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")),
             ROOT / "docker" / "README.md", ROOT / "docker" / "policy" / "README.md"]
    readme = pages[0].read_text(encoding="utf-8")
    for doc in sorted((ROOT / "docs").glob("*.md")):
        assert f"](docs/{doc.name})" in readme, f"README does not link docs/{doc.name}"
        assert "](../README.md)" in doc.read_text(encoding="utf-8"), f"{doc.name}: no way back"
    linked = 0
    for page in pages:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            assert file.exists(), f"{page.relative_to(ROOT)}: {target} is no file"
            if anchor and file.suffix == ".md":
                headings = re.findall(r"^#+ (.+)$", file.read_text(encoding="utf-8"), re.M)
                assert anchor in {_slug(h) for h in headings}, f"{page.relative_to(ROOT)}: {target}"
            linked += 1
    assert linked > 10  # the links were read, not skipped
