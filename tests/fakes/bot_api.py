"""A small, faithful fake of the Telegram Bot API over HTTP on 127.0.0.1 (aiohttp).

It implements exactly the methods Passerelle calls, with the Bot API's types (dates in
seconds, ``is_bot`` on users, ``ok``/``result`` envelopes, 4xx error bodies), records every
request, and lets a test inject updates, make a method fail (429, 403…) or block a chat.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklmn"
BOT_USER = {
    "id": 123456789,
    "is_bot": True,
    "first_name": "Passerelle",
    "username": "passerelle_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    ok: bool = True
    at: float = field(default_factory=time.monotonic)


@dataclass
class FakeUser:
    """A Telegram user the test plays."""

    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = "fr"
    is_bot: bool = False

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass
class Failure:
    status: int
    description: str
    retry_after: int | None = None


@dataclass
class FakeBotApi:
    """The fake server. ``async with FakeBotApi() as api:`` starts and stops it."""

    token: str = TOKEN
    calls: list[Call] = field(default_factory=list)
    forum_chats: set[int] = field(default_factory=set)
    chat_members: dict[tuple[int, int], str] = field(default_factory=dict)
    blocked_chats: set[int] = field(default_factory=set)
    webhook_url: str = ""

    def __post_init__(self) -> None:
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._thread_ids = itertools.count(50)
        self._new_update = asyncio.Event()
        self._failures: dict[str, list[Failure]] = {}
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.last_update_id = 0
        # Accepted sends by chat, in order: what people see, without scanning every call.
        self._delivered: dict[int, list[Call]] = {}
        self.delivered_count = 0
        self.topics: dict[int, str] = {}  # forum topic id -> its current name

    # --- server ---------------------------------------------------------------------------

    async def __aenter__(self) -> FakeBotApi:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        """The ``base_url`` to give PTB (it appends the token)."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def _dispatch(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await _params(request)
        call = Call(method, params)
        self.calls.append(call)
        failures = self._failures.get(method)
        if failures:
            failure = failures.pop(0)
            call.ok = False
            return _error(failure.status, failure.description, failure.retry_after)
        chat_id = _int(params.get("chat_id"))
        if chat_id in self.blocked_chats and method.startswith(("send", "copy")):
            call.ok = False
            return _error(403, "Forbidden: bot was blocked by the user")
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, f"Not Found: method {method} is not implemented by the fake")
        result = handler(params)
        if asyncio.iscoroutine(result):
            result = await result
        if method in _SENDS:
            self._delivered.setdefault(chat_id or 0, []).append(call)
            self.delivered_count += 1
        return web.json_response({"ok": True, "result": result})

    # --- Bot API methods ----------------------------------------------------------------

    def _m_getMe(self, _p: dict[str, Any]) -> dict[str, Any]:
        return BOT_USER

    def _m_deleteWebhook(self, _p: dict[str, Any]) -> bool:
        self.webhook_url = ""
        return True

    def _m_setWebhook(self, p: dict[str, Any]) -> bool:
        self.webhook_url = str(p.get("url", ""))
        return True

    def _m_getWebhookInfo(self, _p: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.webhook_url, "has_custom_certificate": False, "pending_update_count": 0}

    def _m_setMyCommands(self, _p: dict[str, Any]) -> bool:
        return True

    def _m_answerCallbackQuery(self, _p: dict[str, Any]) -> bool:
        return True

    async def _m_getUpdates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        offset = _int(p.get("offset")) or 0
        timeout = min(float(p.get("timeout") or 0), 1.0)
        deadline = time.monotonic() + timeout
        while True:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if self._updates or time.monotonic() >= deadline:
                return list(self._updates)
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), deadline - time.monotonic())
            except TimeoutError:
                return []

    def _m_sendMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        return self._bot_message(p, text=str(p.get("text", "")))

    def _m_sendVenue(self, p: dict[str, Any]) -> dict[str, Any]:
        venue = {
            "location": {"latitude": float(p["latitude"]), "longitude": float(p["longitude"])},
            "title": p["title"],
            "address": p["address"],
        }
        return self._bot_message(p, venue=venue)

    def _m_copyMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        source = self.messages.get((_int(p["from_chat_id"]) or 0, _int(p["message_id"]) or 0), {})
        # A copy is the bot's own message with the same content: no author, no "forwarded from".
        content = {k: v for k, v in source.items() if k in _COPIED} or {"text": ""}
        message = self._bot_message(p, **content)
        return {"message_id": message["message_id"]}

    def _m_editMessageText(self, p: dict[str, Any]) -> dict[str, Any] | bool:
        key = (_int(p.get("chat_id")) or 0, _int(p.get("message_id")) or 0)
        message = self.messages.get(key)
        if message is None:
            return True
        message["text"] = p.get("text", "")
        if "reply_markup" in p:
            message["reply_markup"] = p["reply_markup"]
        return message

    def _m_editMessageReplyMarkup(self, p: dict[str, Any]) -> dict[str, Any] | bool:
        key = (_int(p.get("chat_id")) or 0, _int(p.get("message_id")) or 0)
        message = self.messages.get(key)
        if message is None:
            return True
        message["reply_markup"] = p.get("reply_markup")
        return message

    def _m_deleteMessage(self, _p: dict[str, Any]) -> bool:
        return True

    def _m_deleteMessages(self, _p: dict[str, Any]) -> bool:
        return True

    def _m_createForumTopic(self, p: dict[str, Any]) -> dict[str, Any]:
        chat_id = _int(p.get("chat_id")) or 0
        if chat_id not in self.forum_chats:
            raise web.HTTPBadRequest(
                text=json.dumps(
                    {
                        "ok": False,
                        "error_code": 400,
                        "description": "Bad Request: the chat is not a forum",
                    }
                ),
                content_type="application/json",
            )
        thread_id = next(self._thread_ids)
        self.topics[thread_id] = str(p["name"])
        return {"message_thread_id": thread_id, "name": p["name"], "icon_color": 7322096}

    def _m_editForumTopic(self, p: dict[str, Any]) -> bool:
        thread_id = _int(p.get("message_thread_id")) or 0
        if "name" in p:
            self.topics[thread_id] = str(p["name"])
        return True

    def _m_closeForumTopic(self, _p: dict[str, Any]) -> bool:
        return True

    def _m_reopenForumTopic(self, _p: dict[str, Any]) -> bool:
        return True

    def _m_getChatMember(self, p: dict[str, Any]) -> dict[str, Any]:
        chat_id, user_id = _int(p.get("chat_id")) or 0, _int(p.get("user_id")) or 0
        status = self.chat_members.get((chat_id, user_id), "left")
        user = {"id": user_id, "is_bot": False, "first_name": "Member"}
        member: dict[str, Any] = {"status": status, "user": user}
        if status == "administrator":
            member.update(
                can_be_edited=False,
                is_anonymous=False,
                can_manage_chat=True,
                can_delete_messages=True,
                can_manage_video_chats=True,
                can_restrict_members=True,
                can_promote_members=False,
                can_change_info=True,
                can_invite_users=True,
                can_post_stories=False,
                can_edit_stories=False,
                can_delete_stories=False,
            )
        if status == "restricted":
            member.update(is_member=True, until_date=0)
        if status == "kicked":
            member["until_date"] = 0
        return member

    # --- helpers for the bot's messages ------------------------------------------------------

    def _bot_message(self, p: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat_id = _int(p.get("chat_id")) or 0
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": BOT_USER,
            **content,
        }
        if "message_thread_id" in p:
            message["message_thread_id"] = _int(p["message_thread_id"])
            message["is_topic_message"] = True
        markup = p.get("reply_markup")
        # Telegram echoes only inline keyboards in the returned Message.
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def _chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "Person"}
        chat: dict[str, Any] = {"id": chat_id, "type": "supergroup", "title": "Équipe"}
        if chat_id in self.forum_chats:
            chat["is_forum"] = True
        return chat

    # --- what a test does ------------------------------------------------------------------------

    def fail_next(
        self, method: str, status: int, description: str, retry_after: int | None = None
    ) -> None:
        """Make the next call of ``method`` fail with a Bot API error."""
        self._failures.setdefault(method, []).append(Failure(status, description, retry_after))

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update for ``getUpdates``."""
        update = {"update_id": next(self._update_ids), **update}
        self.last_update_id = update["update_id"]
        self._updates.append(update)
        self._new_update.set()
        return update

    def take_updates(self) -> list[dict[str, Any]]:
        """Hand over the queued updates (webhook mode: the test delivers them itself)."""
        updates, self._updates = self._updates, []
        return updates

    def user_message(
        self,
        user: FakeUser,
        chat_id: int | None = None,
        *,
        thread_id: int | None = None,
        **content: Any,
    ) -> dict[str, Any]:
        """A message from ``user`` (private chat by default) as the Bot API shapes it."""
        chat = self._chat(chat_id if chat_id is not None else user.id)
        if chat["type"] == "private":
            chat = {"id": user.id, "type": "private", "first_name": user.first_name}
            if user.username:
                chat["username"] = user.username
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": user.as_dict(),
            **content,
        }
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
        text = content.get("text", "")
        if isinstance(text, str) and text.startswith("/"):
            length = len(text.split(" ", 1)[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        self.messages[(chat["id"], message["message_id"])] = message
        self.push({"message": message})
        return message

    def send_text(self, user: FakeUser, text: str, **kw: Any) -> dict[str, Any]:
        """``user`` writes ``text``."""
        return self.user_message(user, text=text, **kw)

    def send_sticker(self, user: FakeUser) -> dict[str, Any]:
        """``user`` sends a sticker."""
        sticker = {
            "file_id": "CAACAgIAAxkBAAIBc2",
            "file_unique_id": "AgADc2",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        return self.user_message(user, sticker=sticker)

    def send_voice(self, user: FakeUser) -> dict[str, Any]:
        """``user`` sends a voice note."""
        voice = {"file_id": "AwACAgIAAxkBAAIBdG", "file_unique_id": "AgADdG", "duration": 4}
        return self.user_message(user, voice=voice)

    def share_location(self, user: FakeUser, latitude: float, longitude: float) -> dict[str, Any]:
        """``user`` shares a location."""
        return self.user_message(user, location={"latitude": latitude, "longitude": longitude})

    def press(
        self, user: FakeUser, data: str, message: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """``user`` presses an inline button carrying ``data``."""
        source = message or self.last_to(user.id)
        query = {
            "id": str(next(self._update_ids) * 7919),
            "from": user.as_dict(),
            "chat_instance": f"ci-{user.id}",
            "data": data,
            "message": source,
        }
        return self.push({"callback_query": query})

    def block(self, user: FakeUser) -> None:
        """``user`` blocks the bot: sends to them now answer 403."""
        self.blocked_chats.add(user.id)

    # --- what a test checks ----------------------------------------------------------------------

    def sent(self, chat_id: int | None = None, method: str | None = None) -> list[Call]:
        """Messages Telegram accepted from the bot (to ``chat_id`` if given): what people see."""
        kinds = (method,) if method else _SENDS
        if chat_id is not None:
            return [c for c in self._delivered.get(chat_id, []) if c.method in kinds]
        return [
            c
            for c in self.calls
            if c.ok
            and c.method in kinds
            and (chat_id is None or _int(c.params.get("chat_id")) == chat_id)
        ]

    def refused(self, method: str) -> list[Call]:
        """Calls of ``method`` that the fake answered with an error."""
        return [c for c in self.calls if c.method == method and not c.ok]

    def texts_to(self, chat_id: int) -> list[str]:
        """Texts of the messages sent to ``chat_id``, in order."""
        return [str(c.params.get("text", "")) for c in self.sent(chat_id, "sendMessage")]

    def last_to(self, chat_id: int) -> dict[str, Any]:
        """The last message the bot sent to ``chat_id``, as the Bot API returned it."""
        mine = [
            m
            for (cid, _), m in self.messages.items()
            if cid == chat_id and m["from"]["id"] == BOT_USER["id"]
        ]
        assert mine, f"the bot sent nothing to chat {chat_id}"
        return mine[-1]

    def bot_messages(self, chat_id: int, thread_id: int | None = None) -> list[dict[str, Any]]:
        """Every message the bot has in ``chat_id`` (in one forum topic if given), in order."""
        return [
            m
            for (cid, _), m in sorted(self.messages.items(), key=lambda item: item[0][1])
            if cid == chat_id
            and m["from"]["id"] == BOT_USER["id"]
            and (thread_id is None or m.get("message_thread_id") == thread_id)
        ]

    def buttons_to(self, chat_id: int) -> list[tuple[str, str]]:
        """(label, callback data) of the inline buttons on the last message to ``chat_id``."""
        markup = self.last_to(chat_id).get("reply_markup") or {}
        return [
            (b["text"], b.get("callback_data", ""))
            for row in markup.get("inline_keyboard", [])
            for b in row
        ]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Wait until ``predicate()`` holds (the bot works concurrently)."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(
                    "timed out waiting for the bot; calls: "
                    + ", ".join(c.method for c in self.calls[-15:])
                )
            await asyncio.sleep(0.02)

    async def wait_quiet(self, seconds: float = 0.5) -> None:
        """Wait until the bot has made no call for ``seconds``."""
        count = -1
        while count != len(self.calls):
            count = len(self.calls)
            await asyncio.sleep(seconds)


_SENDS = ("sendMessage", "sendVenue", "copyMessage")
# What ``copyMessage`` carries over from the source message.
_COPIED = frozenset(
    {"text", "entities", "caption", "sticker", "photo", "voice", "video", "audio", "document"}
)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _error(status: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=status)


async def _params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        data = await request.json()
        return dict(data) if isinstance(data, dict) else {}
    raw: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        form = await request.post()
        raw.update({k: v for k, v in form.items() if isinstance(v, str)})
    params: dict[str, Any] = {}
    for key, value in raw.items():
        try:
            params[key] = json.loads(value)
        except (TypeError, ValueError):
            params[key] = value
    # "text" must stay a string even when it looks like JSON ("42", "true").
    for key in ("text", "title", "address", "name", "data", "url"):
        if key in raw:
            params[key] = raw[key]
    return params
