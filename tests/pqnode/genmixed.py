#!/usr/bin/python3
"""genmixed.py KIND N SEED: N deterministic rows (seeded) for the Parquet
schemas in tests/254: KIND "nest" (RECORDs, REPEATED scalars and
RECORDs, nulls at every level) or "types" (every BigQuery type, with
nulls).  NDJSON on stdout."""
import base64
import json
import random
import sys


def main():
    kind, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    r = random.Random(seed)

    def maybe(v, p=0.2):
        return None if r.random() < p else v

    def s():
        return r.choice(["", "a", "héllo", "x" * r.randrange(50),
                         "tok%d" % r.randrange(1000), "😀 ✓"])

    def nest(i):
        return {
            "id": i,
            "tags": [s() for _ in range(r.randrange(4))],
            "addr": maybe({
                "city": maybe(s()),
                "geo": maybe({"lat": maybe(r.uniform(-90, 90)),
                              "lon": r.uniform(-180, 180)}),
                "zips": [r.randrange(100000) for _ in range(r.randrange(3))]}),
            "items": [{
                "sku": s(), "qty": maybe(r.randrange(10)),
                "opts": [{"k": maybe(s()),
                          "v": ["%d.%d" % (r.randrange(-1000, 1000),
                                           r.randrange(10))
                                for _ in range(r.randrange(3))]}
                         for _ in range(r.randrange(3))]}
                for _ in range(r.randrange(3))],
            "req": {"x": maybe(r.random() < 0.5),
                    "when": ["2020-01-%02dT00:00:%02dZ" %
                             (r.randrange(1, 29), r.randrange(60))
                             for _ in range(r.randrange(2))]}}

    def types(i):
        b = bytes(r.randrange(256) for _ in range(r.randrange(20)))
        return {
            "s": maybe(s()), "b": maybe(base64.b64encode(b).decode()),
            "i": r.randrange(-2 ** 40, 2 ** 40),
            "f": maybe(r.choice([r.uniform(-1e6, 1e6), 0.0, -0.0, 1.5])),
            "n": maybe("%d.%09d" % (r.randrange(-10 ** 6, 10 ** 6),
                                    r.randrange(10 ** 9))),
            "t": maybe(r.random() < 0.5),
            "d": maybe("20%02d-%02d-%02d" % (r.randrange(100),
                                             r.randrange(1, 13),
                                             r.randrange(1, 29))),
            "tm": maybe("%02d:%02d:%02d.%06d" % (
                r.randrange(24), r.randrange(60), r.randrange(60),
                r.randrange(10 ** 6))),
            "dt": maybe("2020-01-02T03:04:%02d" % r.randrange(60)),
            "ts": maybe("2020-06-30T12:00:%02dZ" % r.randrange(60)),
            "j": maybe({"a": r.randrange(5)})}

    row = nest if kind == "nest" else types
    out = sys.stdout
    for i in range(n):
        out.write(json.dumps(row(i), ensure_ascii=False) + "\n")


main()
