"""The bot's HTTP client for the Bot API: aiohttp behind python-telegram-bot's ``BaseRequest``.

python-telegram-bot sends its calls through a ``BaseRequest``; its own is built on httpx.
Measured on this project's machines (``python -m benchmarks.http_client``), a call through
httpx costs about three times the CPU of the same call through aiohttp (≈ 1.2–1.5 ms against
≈ 0.4–0.6 ms, client and local fake together), and every reply, button answer and
``getUpdates`` makes one. PTB keeps everything else: the parameters' encoding, the status
codes mapped to its errors (``Forbidden``, ``RetryAfter``…), the JSON parsing. This class only
moves bytes: a pooled ``aiohttp.ClientSession``, opened in ``initialize`` and closed in
``shutdown``, TLS with the system's certificates, and the same default timeouts as PTB's.

Timeouts: ``read_timeout`` bounds each read from the socket (a long poll passes its own);
``connect_timeout`` the connection; ``pool_timeout`` is added to the connection's bound,
since aiohttp counts the wait for a free connection in it. aiohttp has no write timeout: a
request body here is a few kilobytes, written at once.
"""

from __future__ import annotations

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """A pooled aiohttp session for one kind of call (the bot's, or ``getUpdates``)."""

    def __init__(
        self,
        connection_pool_size: int = 256,
        *,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self._pool = connection_pool_size
        self._read = read_timeout
        self._connect = connect_timeout
        self._pool_wait = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (PTB adds it to a long poll's own)."""
        return self._read

    async def initialize(self) -> None:
        """Open the session (in the running loop); safe to call twice."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        """Close the session and its connections; safe to call twice."""
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    async def do_request(  # noqa: PLR0917 - PTB's signature
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """One call: the status and the body, or ``TimedOut`` / ``NetworkError``."""
        del write_timeout  # see the module's note
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        read = self._read if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = self._connect if isinstance(connect_timeout, DefaultValue) else connect_timeout
        wait = self._pool_wait if isinstance(pool_timeout, DefaultValue) else pool_timeout
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=None if connect is None or wait is None else connect + wait,
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with session.request(
                method, url, data=_body(request_data), timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as err:  # aiohttp's timeouts are TimeoutError too
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    """Form-encoded parameters, or multipart when files go with them (as PTB's own does)."""
    if request_data is None:
        return None
    parameters = request_data.json_parameters
    if not request_data.contains_files:
        return parameters
    form = aiohttp.FormData()
    for name, value in parameters.items():
        form.add_field(name, value)
    for name, part in request_data.multipart_data.items():
        filename, content = part[0], part[1]
        content_type = part[2] if len(part) > 2 else None  # (name, data[, mime])
        form.add_field(name, content, filename=filename, content_type=content_type)
    return form
