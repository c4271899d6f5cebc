"""A loopback TCP proxy that cuts the first event stream after a number of events.

It stands between a client and ``baton serve`` the way a flaky network or a proxy timeout
would: the first response that is ``text/event-stream`` is relayed until it has carried
``cut_after`` events, then both sockets are closed mid-stream. Everything else passes.
"""

from __future__ import annotations

import asyncio
from contextlib import suppress


class DropProxy:
    """Listen on a free loopback port and forward to ``target_port``."""

    def __init__(self, target_port: int, cut_after: int) -> None:
        self.target_port = target_port
        self.cut_after = cut_after
        self.cuts = 0
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        """The proxy's base URL."""
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def __aenter__(self) -> DropProxy:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection("127.0.0.1", self.target_port)
        upstream = asyncio.create_task(self._pipe(client_r, server_w, watch=False))
        downstream = asyncio.create_task(self._pipe(server_r, client_w, watch=True))
        await asyncio.wait([upstream, downstream], return_when=asyncio.FIRST_COMPLETED)
        for task in (upstream, downstream):
            task.cancel()
        for writer in (client_w, server_w):
            writer.close()
            with suppress(Exception):
                await writer.wait_closed()

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, watch: bool
    ) -> None:
        streaming, headers_done, events = False, False, 0
        while data := await reader.read(65536):
            if watch and self.cuts == 0:
                streaming = streaming or b"text/event-stream" in data
            if watch and streaming and self.cuts == 0:
                start = 0
                while (end := data.find(b"\r\n\r\n", start)) != -1:
                    start = end + 4
                    if not headers_done:
                        headers_done = True  # the end of the response's headers
                        continue
                    events += 1
                    if events == self.cut_after:
                        # the client gets the headers and exactly this many events, then
                        # the connection drops mid-stream
                        writer.write(data[:start])
                        await writer.drain()
                        self.cuts += 1
                        return
            writer.write(data)
            await writer.drain()
