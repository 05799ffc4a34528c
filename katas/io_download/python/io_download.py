"""io_download.py: kata 11 as the Python tutorial wrote it: a pool of threads, one GET each.

Usage: python3 io_download.py NTHREADS N DELAY_MS [MAX]   (the harness runs it with 8 48 50)

Downloads the same N URLs from the harness's latency server (KATA_SERVER_URL) as the kata's
C driver (tests/katas/io_download/driver.c), each delayed DELAY_MS by the server, with
urllib on a ThreadPoolExecutor of NTHREADS threads, and checks each body's status and
length. Waiting for a socket releases the interpreter lock, so threads overlap the waits
as well in Python as in C: the time is the latencies, not the language.
"""
import os
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor


def body_size(i, most):
    return most // 8 + (i * 7919) % (most - most // 8 + 1)


# urlopen() as the tutorial calls it, but never through an http_proxy from the environment:
# the latency server is on this machine's loopback, which a proxy cannot reach.
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def download(url):
    with opener.open(url, timeout=30) as response:
        return response.status, response.read()


def main():
    nthreads = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 48
    delay = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    most = int(sys.argv[4]) if len(sys.argv) > 4 else 40000
    server = os.environ.get("KATA_SERVER_URL")
    if not server:
        print("io_download.py: KATA_SERVER_URL is not set (the harness starts the server)")
        return 2
    urls = [f"{server}/body/{body_size(i, most)}/driver-{i}?delay={delay}" for i in range(n)]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=nthreads) as pool:
        results = list(pool.map(download, urls))
    took = time.perf_counter() - start
    wrong = sum(status != 200 or len(body) != body_size(i, most)
                for i, (status, body) in enumerate(results))
    print(f"io_download.py: {n} URLs, {nthreads} threads, {delay} ms delay: "
          f"{wrong} of {n} wrong, the downloads took {took:.3f} s of the program's time")
    return 0 if wrong == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
