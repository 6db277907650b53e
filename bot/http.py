"""The bot's small HTTP server (aiohttp): the webhook, ``/healthz`` and ``/metrics``.

``POST /telegram`` (webhook mode only) checks ``X-Telegram-Bot-Api-Secret-Token`` (403
otherwise), stores the update in the inbox and answers 200 **only after** the insert: a 503
makes Telegram send it again later. ``GET /healthz`` says whether the database and the NLU
answer (503 only when the database does not: without the NLU the bot still works, with
buttons). ``GET /metrics`` is Prometheus' text format.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from aiohttp import web
from sqlalchemy import text

from bot.metrics import CONTENT_TYPE, Metrics

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name, not a secret
MAX_UPDATE_BYTES = 1_000_000

# Stores one update (a JSON object) in the inbox; True once stored (or already stored).
Receive = Callable[[dict[str, object]], Awaitable[bool]]
Check = Callable[[], Awaitable[None]]


class HttpServer:
    """One aiohttp site; started and stopped with the bot."""

    def __init__(
        self,
        *,
        listen: str,
        port: int,
        metrics: Metrics,
        database: Check,
        nlu_url: str | None,
        receive: Receive | None = None,
        secret: str | None = None,
        before_metrics: Check | None = None,
    ) -> None:
        self._listen = listen
        self._port = port
        self._metrics = metrics
        self._database = database
        self._nlu_url = nlu_url
        self._receive = receive
        self._secret = secret
        self._before_metrics = before_metrics
        self._runner: web.AppRunner | None = None
        self._accepting = True
        self.port = port

    async def start(self) -> None:
        """Listen (``port`` 0 picks a free one, then ``self.port`` says which)."""
        app = web.Application(client_max_size=MAX_UPDATE_BYTES)
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics_page)
        if self._receive is not None:
            app.router.add_post(WEBHOOK_PATH, self._webhook)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._listen, self._port)
        await site.start()
        # aiohttp gives no other way to read the port it bound.
        server: Any = site._server
        if server is not None and getattr(server, "sockets", None):
            self.port = int(server.sockets[0].getsockname()[1])
        log.info("http server listening on port %d", self.port)

    def refuse_updates(self) -> None:
        """Shutting down: updates get 503 (Telegram sends them to another replica, or later)."""
        self._accepting = False

    async def stop(self) -> None:
        """Stop listening (safe to call twice)."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not self._secret or not hmac.compare_digest(given.encode(), self._secret.encode()):
            return web.Response(status=403)
        if not self._accepting or self._receive is None:
            return web.Response(status=503)
        try:
            update = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return web.Response(status=400)
        if not isinstance(update, dict):
            return web.Response(status=400)
        try:
            stored = await self._receive(update)
        except Exception:
            log.exception("webhook update not stored")
            stored = False
        # 200 only once stored: otherwise Telegram keeps the update and sends it again.
        return web.Response(status=200 if stored else 503)

    async def _healthz(self, _request: web.Request) -> web.Response:
        checks: dict[str, str] = {}
        try:
            async with asyncio.timeout(3):
                await self._database()
            checks["database"] = "ok"
        except Exception as err:  # noqa: BLE001 - any failure means "not reachable"
            checks["database"] = f"unreachable ({type(err).__name__})"
        checks["nlu"] = await self._nlu()
        status = 200 if checks["database"] == "ok" else 503
        return web.json_response(checks, status=status)

    async def _nlu(self) -> str:
        if not self._nlu_url:
            return "not used"
        try:
            async with httpx.AsyncClient(timeout=2.0) as client:
                response = await client.get(f"{self._nlu_url.rstrip('/')}/status")
        except httpx.HTTPError as err:
            return f"unreachable ({type(err).__name__})"
        return "ok" if response.status_code == 200 else f"status {response.status_code}"

    async def _metrics_page(self, _request: web.Request) -> web.Response:
        if self._before_metrics is not None:
            try:
                await self._before_metrics()
            except Exception:  # noqa: BLE001 - stale gauges beat no metrics
                log.warning("metrics gauges not refreshed before scraping")
        body = self._metrics.render()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


async def database_check(sessions: Callable[[], object]) -> None:
    """``SELECT 1`` on a fresh session."""
    async with sessions() as session:  # type: ignore[attr-defined]
        await session.execute(text("SELECT 1"))
