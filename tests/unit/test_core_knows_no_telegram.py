"""The import contracts keep ``telegram`` out of ``flows``; this keeps its notions out too.

A name in the core's code (not its comments) that speaks of topics, message ids, chats or
what a Telegram group was shown means a Telegram notion leaked into the pure core. The
desk's Telegram state lives in a ledger owned by the adapter (``resources_db/desk_ledger``);
the list of names awaiting that move is empty, and must stay so.
"""

from __future__ import annotations

import ast
from pathlib import Path

FLOWS = Path(__file__).resolve().parents[2] / "flows"
TELEGRAM_NAMES = frozenset(
    {
        "topic_id",
        "card_message_id",
        "message_id",
        "chat_id",
        "thread_id",
        "message_thread_id",
        "shown_status",
        "shown_priority",
        "shown_flags",
        "shown_title",
        "by_topic",
        "by_message",
        "remember_message",
        "mark_shown",
        "needing_staff_update",
        "needs_staff_update",
        "case_for_topic",
        "case_for_message",
        "topic_title",
        "in_topic",
        "MAX_TITLE",
        "forum",
        "posted",
    }
)
# Waiting for the desk ledger (the Telegram adapter's table and repository). Remove each entry
# as it moves; never add one.
PENDING_LEDGER_MOVE: dict[str, frozenset[str]] = {}  # the desk ledger landed: empty


def names_in(path: Path) -> set[str]:
    """Identifiers the code defines or uses: names, attributes, arguments, definitions."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        match node:
            case ast.Name(id=name) | ast.Attribute(attr=name) | ast.arg(arg=name):
                found.add(name)
            case ast.FunctionDef(name=name) | ast.AsyncFunctionDef(name=name):
                found.add(name)
            case ast.keyword(arg=str() as name):
                found.add(name)
    return found


def test_no_telegram_notion_in_the_core_beyond_what_awaits_the_ledger() -> None:
    leaks = {}
    for path in sorted(FLOWS.rglob("*.py")):
        telegram = names_in(path) & TELEGRAM_NAMES
        allowed = PENDING_LEDGER_MOVE.get(path.name, frozenset())
        if telegram - allowed:
            leaks[path.name] = sorted(telegram - allowed)
    assert leaks == {}


def test_the_pending_list_only_names_what_is_still_there() -> None:
    stale = {}
    for file, allowed in PENDING_LEDGER_MOVE.items():
        path = FLOWS / file
        present = names_in(path) if path.exists() else set()
        if allowed - present:
            stale[file] = sorted(allowed - present)
    assert stale == {}, "moved out: remove these from PENDING_LEDGER_MOVE"
