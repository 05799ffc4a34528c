"""async_download.py: kata 13 as the Python tutorial wrote it: asyncio.gather, one thread.

Usage: python3 async_download.py 1 N DELAY_MS [MAX]   (the harness runs it with 1 100 150 4000)

Downloads the same N URLs from the harness's latency server (KATA_SERVER_URL) as the kata's
C driver (tests/katas/async_download/driver.c), all of them in flight at once on one
thread: a coroutine per URL, run together by asyncio.gather. The tutorials use aiohttp;
this one speaks HTTP/1.1 over asyncio's own streams, since only the standard library may be
used here. Each body's status and length are checked.
"""
import asyncio
import os
import sys
import time
import urllib.parse

MAX_CONNECTIONS = 256  # ASYNC_DOWNLOAD_MAX_CONNECTIONS in the kata's header


def body_size(i, most):
    return most // 8 + (i * 7919) % (most - most // 8 + 1)


async def download(url, limit):
    parts = urllib.parse.urlsplit(url)
    async with limit:
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            target = parts.path + ("?" + parts.query if parts.query else "")
            writer.write(f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                         f"Connection: close\r\n\r\n".encode())
            status = int((await reader.readline()).split()[1])
            length = None
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            body = await (reader.readexactly(length) if length is not None else reader.read())
            return status, body
        finally:
            writer.close()
            await writer.wait_closed()


async def download_all(urls):
    limit = asyncio.Semaphore(MAX_CONNECTIONS)
    return await asyncio.gather(*(download(url, limit) for url in urls))


def main():
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    delay = int(sys.argv[3]) if len(sys.argv) > 3 else 150
    most = int(sys.argv[4]) if len(sys.argv) > 4 else 4000
    server = os.environ.get("KATA_SERVER_URL")
    if not server:
        print("async_download.py: KATA_SERVER_URL is not set (the harness starts the server)")
        return 2
    urls = [f"{server}/body/{body_size(i, most)}/driver-{i}?delay={delay}" for i in range(n)]
    start = time.perf_counter()
    results = asyncio.run(download_all(urls))
    took = time.perf_counter() - start
    wrong = sum(status != 200 or len(body) != body_size(i, most)
                for i, (status, body) in enumerate(results))
    print(f"async_download.py: {n} URLs, one thread, {delay} ms delay: {wrong} of {n} wrong, "
          f"the downloads took {took:.3f} s of the program's time")
    return 0 if wrong == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
