"""The core knows no Telegram: no topic, no message id, no thread, no chat id in ``flows/``.

Where a case lives in the staff group is the desk adapter's ledger; how a message is split or
pinned is the Telegram adapter's rendering. This scans every name the core's code defines
or uses (identifiers, attributes, arguments, keywords, string constants that are not
docstrings), so such a name cannot creep back in.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

FLOWS = Path(__file__).parents[2] / "flows"
CHANNEL_WORDS = re.compile(r"topic|message_id|thread|chat_id|telegram|forum", re.IGNORECASE)


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def names_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstrings(tree)
    names: set[str] = set()
    for node in ast.walk(tree):
        match node:
            case ast.Name(id=name) | ast.Attribute(attr=name) | ast.arg(arg=name):
                names.add(name)
            case (
                ast.FunctionDef(name=name)
                | ast.AsyncFunctionDef(name=name)
                | ast.ClassDef(name=name)
            ):
                names.add(name)
            case ast.keyword(arg=str(name)):
                names.add(name)
            case ast.alias(name=name, asname=asname):
                names.update({name, asname or name})
            case ast.Constant(value=str(text)) if id(node) not in docstrings:
                names.add(text)
    return names


def test_no_name_in_the_core_speaks_of_a_channel() -> None:
    offenders = {
        f"{path.relative_to(FLOWS.parent)}: {name}"
        for path in sorted(FLOWS.rglob("*.py"))
        for name in names_in(path)
        if CHANNEL_WORDS.search(name)
    }
    assert offenders == set()


def test_the_scan_would_see_a_topic_if_one_came_back(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""A docstring may say topic."""\n'
        "def card(case, *, topic_id=None):\n"
        "    return case.card_message_id\n",
        encoding="utf-8",
    )
    found = {n for n in names_in(sample) if CHANNEL_WORDS.search(n)}
    assert found == {"topic_id", "card_message_id"}
