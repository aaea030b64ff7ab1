"""A Python `websockets` peer for Duplex's interoperability tests, in either role.

    python3 peer.py server --deflate on|off   listens on 127.0.0.1, prints {"ready":true,"port":N}
    python3 peer.py client                    prints {"ready":true}, then reads commands on stdin:
        {"op":"connect","id":"t1","url":"ws://...","protocols":[],"deflate":true}

Runs the same agent as ../node/peer.js on every connection: data messages are echoed and
acknowledged with their hash, text messages starting with "!" are commands, and everything
observed is printed on stdout as one JSON object a line. Meant for Debian's python3-websockets
(the legacy asyncio API of websockets 10).
"""

import asyncio
import base64
import hashlib
import json
import random
import sys
import threading

import websockets
import websockets.legacy.client
import websockets.legacy.server

MAX_SIZE = 256 * 1024 * 1024
SUPPORTED_PROTOCOLS = ["chat", "superchat"]


def log(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Lcg:
    def __init__(self, seed):
        self.x = seed

    def next(self):
        self.x = (self.x * 1103515245 + 12345) & 0x7FFFFFFF
        return self.x


def _text_run(size: int, rnd: Lcg) -> str:
    alphabet = ["a", "b", "c", " ", "e", "é", "ß", "€", "中", "😀", "𝄞"]
    out, n = [], 0
    while n < size:
        c = alphabet[rnd.next() % len(alphabet)]
        length = len(c.encode("utf-8"))
        if n + length > size:
            c, length = "a", 1
        out.append(c)
        n += length
    return "".join(out)


def make_text(size: int) -> str:
    """Text of exactly `size` UTF-8 bytes mixing 1- to 4-byte characters."""
    rnd = Lcg(12345)
    block = _text_run(min(size, 65536), rnd)
    count, rest = divmod(size, 65536)
    return block * count + _text_run(rest, rnd) if size > 65536 else block


def make_binary(size: int) -> bytes:
    """Runs of a pattern broken by pseudo-random runs."""
    rnd = random.Random(987654321)
    pattern = bytes(range(256))
    chunks = [pattern if i % 2 == 0 else rnd.randbytes(256) for i in range(size // 256 + 1)]
    return b"".join(chunks)[:size]


def extension_names(ws):
    return ",".join(e.name for e in ws.extensions)


async def command(ws, ident, text):
    op, _, rest = text[1:].partition(" ")
    arg = json.loads(rest) if rest else {}
    log({"id": ident, "ev": "command", "op": op})
    if op == "info":
        await ws.send(json.dumps({"info": {"protocol": ws.subprotocol or "", "extensions": extension_names(ws)}}))
    elif op == "send":
        if arg["type"] == "binary":
            data = make_binary(arg["size"])
            raw = data
        else:
            data = make_text(arg["size"])
            raw = data.encode("utf-8")
        await ws.send(data)
        await ws.send(json.dumps({"sent": arg["type"], "len": len(raw), "sha256": sha256(raw)}))
    elif op == "frag":
        parts = [base64.b64decode(p) for p in arg["parts"]]
        if arg["type"] == "text":
            # websockets fragments str messages only on character boundaries
            parts = [p.decode("utf-8") for p in parts]
        await ws.send(iter(parts))
    elif op == "close":
        # websockets cannot send a close frame without a status code: {} closes with 1000
        asyncio.ensure_future(ws.close(arg.get("code", 1000), arg.get("reason", "")))
    elif op == "terminate":
        ws.transport.abort()
    else:
        await ws.send(json.dumps({"unknownCommand": op}))


async def agent(ws, ident):
    try:
        async for message in ws:
            if isinstance(message, str):
                if message.startswith("!"):
                    await command(ws, ident, message)
                    continue
                raw = message.encode("utf-8")
                kind = "text"
            else:
                raw = message
                kind = "binary"
            await ws.send(message)
            await ws.send(json.dumps({"ack": kind, "len": len(raw), "sha256": sha256(raw)}))
    except websockets.ConnectionClosed:
        pass
    except Exception as e:  # noqa: BLE001 - report whatever broke the agent
        log({"id": ident, "ev": "error", "message": repr(e)})
    await ws.wait_closed()
    log({"id": ident, "ev": "close", "code": ws.close_code, "reason": ws.close_reason or ""})


class ServerProtocol(websockets.legacy.server.WebSocketServerProtocol):
    def select_subprotocol(self, client_subprotocols, server_subprotocols):
        if self.path.startswith("/noproto"):
            return None
        for p in client_subprotocols:
            if p in server_subprotocols:
                return p
        return None


async def server(deflate: bool):
    async def handler(ws, path=None):
        ident = ws.path
        log({"id": ident, "ev": "open", "protocol": ws.subprotocol or "", "extensions": extension_names(ws)})
        await agent(ws, ident)

    srv = await websockets.legacy.server.serve(
        handler, "127.0.0.1", 0,
        create_protocol=ServerProtocol,
        subprotocols=SUPPORTED_PROTOCOLS,
        compression="deflate" if deflate else None,
        max_size=MAX_SIZE,
        ping_interval=None,
    )
    port = srv.sockets[0].getsockname()[1]
    log({"ready": True, "port": port, "websockets": websockets.__version__})
    # the test that started this process owns it: end with its stdin
    await stdin_lines(lambda line: None)


async def stdin_lines(on_line):
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    def reader():
        for line in sys.stdin:
            loop.call_soon_threadsafe(queue.put_nowait, line)
        loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=reader, daemon=True).start()
    while True:
        line = await queue.get()
        if line is None:
            return
        if line.strip():
            on_line(line)


async def client():
    async def connect(cmd):
        ident = cmd["id"]
        try:
            ws = await websockets.legacy.client.connect(
                cmd["url"],
                subprotocols=cmd.get("protocols") or None,
                compression="deflate" if cmd.get("deflate", True) else None,
                max_size=MAX_SIZE,
                ping_interval=None,
            )
        except Exception as e:  # noqa: BLE001
            log({"id": ident, "ev": "error", "message": repr(e)})
            log({"id": ident, "ev": "close", "code": 1006, "reason": ""})
            return
        log({"id": ident, "ev": "open", "protocol": ws.subprotocol or "", "extensions": extension_names(ws)})
        await agent(ws, ident)

    def on_line(line):
        cmd = json.loads(line)
        if cmd.get("op") == "connect":
            asyncio.ensure_future(connect(cmd))

    log({"ready": True, "websockets": websockets.__version__})
    await stdin_lines(on_line)


def main():
    role = sys.argv[1] if len(sys.argv) > 1 else ""
    if role == "server":
        asyncio.run(server(not (len(sys.argv) > 3 and sys.argv[3] == "off")))
    elif role == "client":
        asyncio.run(client())
    else:
        sys.stderr.write("usage: peer.py server --deflate on|off | peer.py client\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
