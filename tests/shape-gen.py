#!/usr/bin/python3
"""shape-gen.py: deterministic FakerAPI-like records for fk-shape tests.

    shape-gen.py users N [SEED]      N users, one compact JSON object a line
    shape-gen.py persons N [SEED]    N persons (nested address, birthday)
    shape-gen.py envelope N [SEED]   one FakerAPI envelope holding N users

No network; the same arguments always give the same bytes.
"""
import json
import random
import sys

FIRST = ["Regan", "Trevion", "Zoë", "Chesley", "D'Andre", "Ana María",
         "Jürgen", "Mary Ann", "Åsa", "Li"]
LAST = ["Goldner", "Jacobson", "D'Amore", "O'Keefe", "Kub", "Müller",
        "Smith-Jones", "Nguyen"]
DOMAINS = ["hotmail.com", "gmail.com", "yahoo.com", "keeling.com",
           "example.org"]
PWCHARS = "".join(chr(c) for c in range(33, 127))


def user(r, i):
    first, last = r.choice(FIRST), r.choice(LAST)
    uname = "%s.%s%d" % (last.lower().replace("'", "").replace(" ", ""),
                         first.lower().replace("'", "").replace(" ", ""),
                         r.randrange(100))
    return {
        "id": i,
        "uuid": "%08x-%04x-3%03x-%04x-%012x" % (
            r.getrandbits(32), r.getrandbits(16), r.getrandbits(12),
            0x8000 | r.getrandbits(14), r.getrandbits(48)),
        "firstname": first,
        "lastname": last,
        "username": uname,
        "password": "".join(r.choice(PWCHARS)
                            for _ in range(r.randrange(6, 21))),
        "email": "%s@%s" % (uname, r.choice(DOMAINS)),
        "ip": "%d.%d.%d.%d" % tuple(r.randrange(256) for _ in range(4)),
        "macAddress": ":".join("%02X" % r.randrange(256) for _ in range(6)),
        "website": "http://%s" % r.choice(DOMAINS),
        "image": "http://placeimg.com/640/480/people",
    }


def person(r, i):
    u = user(r, i)
    return {
        "id": i,
        "firstname": u["firstname"],
        "lastname": u["lastname"],
        "email": u["email"],
        "phone": "+1%010d" % r.randrange(10 ** 10),
        "birthday": "%04d-%02d-%02d" % (r.randrange(1935, 2024),
                                        r.randrange(1, 13),
                                        r.randrange(1, 29)),
        "gender": r.choice(["male", "female"]),
        "address": {
            "id": 0,
            "street": "%d Toy Haven Apt. %d" % (r.randrange(1, 999),
                                                r.randrange(1, 500)),
            "streetName": "Toy Haven",
            "buildingNumber": str(r.randrange(1, 9999)),
            "city": "Port Kasandraton",
            "zipcode": "%05d" % r.randrange(100000),
            "country": "Bhutan",
            "county_code": "BT",
            "latitude": round(r.uniform(-90, 90), 6),
            "longitude": round(r.uniform(-180, 180), 6),
        },
        "website": u["website"],
        "image": u["image"],
    }


def main():
    kind, n = sys.argv[1], int(sys.argv[2])
    r = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    out = sys.stdout
    dump = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    if kind == "envelope":
        env = {"status": "OK", "code": 200, "total": n,
               "data": [user(r, i + 1) for i in range(n)]}
        out.write(dump(env) + "\n")
        return
    make = user if kind == "users" else person
    buf = []
    for i in range(1, n + 1):
        buf.append(dump(make(r, i)))
        if len(buf) == 4096:
            out.write("\n".join(buf) + "\n")
            buf = []
    if buf:
        out.write("\n".join(buf) + "\n")


if __name__ == "__main__":
    main()
