"""The bot's HTTP client (``bot.telegram.client.AiohttpRequest``) under python-telegram-bot:
the calls arrive as the Bot API expects them, Telegram's refusals become PTB's errors, and a
silent or absent server is a clear timeout or network error, never a hang."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut

from bot.telegram.channels import retry_after_seconds
from bot.telegram.client import AiohttpRequest
from tests.fakes.bot_api import FakeBotApi

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MESSAGE = {"message_id": 7, "date": 0, "chat": {"id": 42, "type": "private"}}
ME = {"id": 1, "is_bot": True, "first_name": "Passerelle", "username": "passerelle_bot"}


@asynccontextmanager
async def _bot(base_url: str, token: str, **options: float) -> AsyncIterator[Bot]:
    bot = Bot(token, base_url=base_url, request=AiohttpRequest(4, **options))
    await bot.initialize()
    try:
        yield bot
    finally:
        await bot.shutdown()


@asynccontextmanager
async def _server(handler: Handler) -> AsyncIterator[str]:
    """A Bot API on 127.0.0.1 that knows ``getMe`` and answers the rest with ``handler``;
    yields its base URL (the token is appended)."""

    async def route(request: web.Request) -> web.StreamResponse:
        if request.match_info["method"] == "getMe":
            return web.json_response({"ok": True, "result": ME})
        return await handler(request)

    app = web.Application()
    app.router.add_route("*", "/bot{token}/{method}", route)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/bot"
    finally:
        await runner.cleanup()


async def test_a_message_reaches_telegram_and_its_number_comes_back() -> None:
    async with FakeBotApi() as api, _bot(api.base_url, api.token) as bot:
        sent = await bot.send_message(42, "Bonjour, je suis là.")
        assert sent.message_id > 0
        assert [call.params.get("text") for call in api.sent(42)] == ["Bonjour, je suis là."]


async def test_telegrams_refusals_become_ptbs_errors() -> None:
    async with FakeBotApi() as api, _bot(api.base_url, api.token) as bot:
        api.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
        with pytest.raises(RetryAfter) as limited:
            await bot.send_message(42, "un")
        assert retry_after_seconds(limited.value) == 3
        api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
        with pytest.raises(Forbidden):
            await bot.send_message(42, "deux")
        # The session is still usable after both.
        assert (await bot.send_message(42, "trois")).message_id > 0


async def test_a_server_that_does_not_answer_times_out() -> None:
    release = asyncio.Event()

    async def silent(request: web.Request) -> web.Response:
        await release.wait()
        return web.json_response({"ok": True, "result": True})

    async with _server(silent) as base_url, _bot(base_url, "1:x", read_timeout=0.2) as bot:
        try:
            with pytest.raises(TimedOut):
                await bot.answer_callback_query("cb")
        finally:
            release.set()


async def test_no_server_at_all_is_a_network_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest(1)
    await request.initialize()
    bot = Bot("1:x", base_url=f"http://127.0.0.1:{port}/bot", request=request)
    try:
        with pytest.raises(NetworkError) as failed:
            await bot.get_me()
        assert not isinstance(failed.value, TimedOut)
    finally:
        await request.shutdown()


async def test_a_file_goes_as_multipart_with_its_name() -> None:
    received: dict[str, object] = {}

    async def document(request: web.Request) -> web.Response:
        form = await request.post()
        upload = form["document"]
        assert isinstance(upload, web.FileField)
        received.update(chat=form["chat_id"], name=upload.filename, content=upload.file.read())
        return web.json_response({"ok": True, "result": MESSAGE})

    async with _server(document) as base_url, _bot(base_url, "1:x") as bot:
        await bot.send_document(42, b"%PDF-1.4 affiche", filename="affiche.pdf")
    assert received == {"chat": "42", "name": "affiche.pdf", "content": b"%PDF-1.4 affiche"}


async def test_opening_and_closing_twice_is_harmless_and_closed_means_closed() -> None:
    request = AiohttpRequest(1)
    await request.initialize()
    await request.initialize()
    await request.shutdown()
    await request.shutdown()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:1/botx/getMe", "POST")
