#!/usr/bin/python3
"""genusers.py N: N FakerAPI-like users (fields and formats as
/api/v1/users, docs/fakerapi.md section 4.1) as NDJSON on stdout,
deterministic (seeded), with the realistic mix of repeated values
(names, domains) and unique ones (uuid, username, password, ip)."""
import random
import sys

FIRST = ['Regan', 'Granville', 'Justine', 'Noelia', 'Ryley', 'Zella',
         'Trevion', 'Chesley', 'Ana', 'Björn', 'Aurélie', 'Kasey', 'Dee',
         "O'Neil", 'Mia', 'Luis']
LAST = ['Goldner', 'Conn', "D'Amore", 'Satterfield', 'King', 'Keeling',
        'Fisher', 'Jacobson', 'Beier', 'Bogisich', 'Spinka', 'Ortiz']
DOMAIN = ['gmail.com', 'yahoo.com', 'hotmail.com', 'keeling.com',
          'fisher.com', 'beier.com', 'bogisich.com']
PW = [c for c in map(chr, range(33, 127)) if c not in '"\\']


def main():
    n = int(sys.argv[1])
    r = random.Random(42)
    out = sys.stdout
    buf = []
    for i in range(1, n + 1):
        f, l = r.choice(FIRST), r.choice(LAST)
        user = '%s.%s%d' % (l.lower().replace("'", ''),
                            f.lower().replace("'", ''), r.randrange(100))
        h = '%032x' % r.getrandbits(128)
        buf.append(
            '{"id":%d,"uuid":"%s-%s-3%s-a%s-%s","firstname":"%s",'
            '"lastname":"%s","username":"%s","password":"%s",'
            '"email":"%s@%s","ip":"%d.%d.%d.%d","macAddress":"%s",'
            '"website":"http://%s",'
            '"image":"http://placeimg.com/640/480/people"}\n' % (
                i, h[:8], h[8:12], h[13:16], h[17:20], h[20:], f, l, user,
                ''.join(r.choices(PW, k=r.randrange(6, 21))), user,
                r.choice(DOMAIN), r.randrange(256), r.randrange(256),
                r.randrange(256), r.randrange(256),
                ':'.join('%02X' % b for b in r.randbytes(6)),
                r.choice(DOMAIN)))
        if len(buf) == 10000:
            out.write(''.join(buf))
            buf = []
    out.write(''.join(buf))


main()
