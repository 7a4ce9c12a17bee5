"""Cost of resource operations at 10 and at 20,000 resources in one dataset, same run.

Usage: python3 bench/resources.py <base-url> <api-key>

Fills two datasets through the API (keep-alive connection), then times each operation
several times and prints the median and the slowest, in milliseconds.
"""

import http.client
import json
import statistics
import sys
import time
from urllib.parse import urlparse


def main(base_url: str, key: str) -> None:
    url = urlparse(base_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
    headers = {"X-API-KEY": key, "Content-Type": "application/json"}

    def call(method, path, body=None):
        conn.request(method, "/api/1" + path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = conn.getresponse()
        data = response.read()
        if response.status >= 300:
            raise SystemExit(f"{method} {path} -> {response.status}: {data[:300]!r}")
        return json.loads(data) if data else None

    def dataset(n):
        d = call("POST", "/datasets/", {"title": f"Bench {n} resources", "description": "Benchmark dataset."})
        for i in range(n):
            call("POST", f"/datasets/{d['id']}/resources/",
                 {"title": f"File {i}", "url": f"https://example.org/{n}/{i}.csv", "format": "csv", "filetype": "remote"})
        return d["id"]

    started = time.perf_counter()
    small, large = dataset(10), dataset(20_000)
    fill = time.perf_counter() - started
    resource_of = {ds: call("GET", f"/datasets/{ds}/")["resources"][0]["id"] for ds in (small, large)}

    def timed(label, fn, runs):
        samples = []
        for _ in range(runs):
            t = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - t) * 1000)
        return label, statistics.median(samples), max(samples)

    rows = []
    for ds, n in ((small, 10), (large, 20_000)):
        rid = resource_of[ds]
        rows.append((n,) + timed("GET one resource", lambda: call("GET", f"/datasets/{ds}/resources/{rid}/"), 50))
        rows.append((n,) + timed("POST one resource", lambda: call("POST", f"/datasets/{ds}/resources/",
            {"title": "One more", "url": "https://example.org/more.csv", "filetype": "remote"}), 50))
        rows.append((n,) + timed("PUT one resource", lambda: call("PUT", f"/datasets/{ds}/resources/{rid}/",
            {"title": "Renamed"}), 50))
        rows.append((n,) + timed("GET the dataset (all resources embedded)", lambda: call("GET", f"/datasets/{ds}/"), 5))
    print(f"filled 20,010 resources through the API in {fill:.1f} s ({20_010 / fill:.0f} POST/s, one connection)")
    print()
    print("| resources in the dataset | operation | median ms | max ms |")
    print("| ---: | --- | ---: | ---: |")
    for n, label, median, worst in rows:
        print(f"| {n:,} | {label} | {median:.2f} | {worst:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
