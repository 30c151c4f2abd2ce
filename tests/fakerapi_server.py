#!/usr/bin/env python3
"""FakerAPI test server: a local stand-in for https://fakerapi.it.

Behaviour follows shared/reference/fakerapi.md (routes, v1/v2 envelopes,
_quantity/_seed rules, record shapes, JSON encoding, errors, throttle).
Python 3 standard library only.

Usage:
  python3 tests/fakerapi_server.py [--host 127.0.0.1] [--port 0] --port-file F
      [--throttle on|off|N/Ws] [--limit 30] [--window 60] [--latency MS]
      [--fault RULE]... [--log FILE] [--versions 1,2|1|2]
      [--clock-offset S] [--clock-at EPOCH]

  --host        loopback address to bind (only 127.x.x.x is accepted)
  --port        TCP port, 0 = ephemeral (default)
  --port-file   once listening, the port number is written here (atomically:
                temp file + rename)
  --throttle    on (default): fixed window per (method, path, client IP),
                like the real service's throttle:30,1; off: no limit and no
                X-RateLimit-* headers; N/Ws: on, N requests per W seconds
                (e.g. 30/5s: the service's behaviour in a window short
                enough for a multi-host test); same as --limit N --window W
  --limit N     requests per window (default 30)
  --window S    window length in seconds (default 60)
  --latency MS  delay added before every /api response
  --fault RULE  fault injection rule, repeatable (see below)
  --log FILE    append one line per request to FILE (quiet otherwise)
SIGTERM / SIGINT stop the server cleanly (exit 0).

Routes: GET /api/v1/<resource> and /api/v2/<resource>, optional trailing
slash, case-sensitive.  Resources: addresses books companies credit_cards
images persons places products texts users custom.  v1 envelope:
status, code, total, data.  v2: status, code, locale, seed, total, data
(seed is null when the request is unseeded, a JSON integer when _seed is a
plain integer, else the string as given; locale is _locale as given, default
en_US).  v2 also renames the nested address key county_code -> country_code,
numbers the nested address id 1 (v1: 0), uses picsum.photos image URLs in
the images resource and product images[], and emits product price as a number.

Determinism: with a seed, every record is drawn from one
random.Random(low 32 bits of PHP (int) _seed) stream, in order, so the same
request gives the same records and _quantity=N is a prefix of any larger
quantity, except for the values drawn against "now", which, as on the real
service, use the real clock even when seeded and so slide with it: persons'
birthday (unless _birthday_start and _birthday_end pin it), the birthday of
companies' contact, books' published, credit cards' expiration, and the
custom types date, dateTime and card_expiration.  --clock-offset S (or
POST /_ctl/clock with a number of seconds) moves this server's "now".
--clock-at EPOCH stops it at EPOCH (plus any offset): a test hook, not
the real service's way, for tests that compare two runs byte for byte
and must not see a second tick between them.

--versions 1,2 (default) serves /api/v1 and /api/v2; --versions 1 serves
/api/v1 only, like the public source code, /api/v2/... being a 404.

Fault rules: SELECTOR:KIND[:ARG]
  SELECTOR  N      the N-th API request (1-based)
            N-M    requests N to M inclusive
            every  every API request
  API requests are all requests whose path starts with /api, counted in
  arrival order, including those that get a fault.  The first rule that
  matches a request applies.  A faulted request bypasses the throttle
  (not checked, not counted), except KIND latency.
  KIND      429       429 Too Many Attempts, Retry-After: ARG (default 1)
                      plus X-RateLimit-Reset/-Limit/-Remaining: 0
            500 502 503  error status; body {"message": "Server Error"} with
                      Accept: application/json, else HTML; 503 with ARG also
                      sends Retry-After: ARG
            reset     headers and half the body, then TCP RST (SO_LINGER 0)
            truncate  Content-Length larger than the bytes sent, then close
            malformed 200 with a body that is not valid JSON
            total     200 envelope whose total is len(data) + 1
            notarray  200 envelope whose data is an object {"0": rec, ...}
            status    200 envelope with status "ERROR" and code 500
            stall     headers, then sleep ARG seconds (default 10), then body
            latency   ARG ms (default 1000) added, then the normal response
  Example: --fault 2:503 --fault 4-5:reset --fault every:latency:50

Control API (same port; never throttled, never counted):
  GET  /_ctl/stats     {"requests": n, "served": {"200": k, ...}, "throttled": n}
  GET  /_ctl/requests  [{"n", "method", "path", "query", "status", "fault"}...]
  POST /_ctl/faults    body: JSON list of rule strings; replaces the rules and
                       resets the request counter, log and stats
  POST /_ctl/reset     resets counter, log, stats, fault rules and throttle
  POST /_ctl/clock     body: seconds to add to the real clock for "now"
"""

import argparse
import collections
import datetime
import json
import math
import os
import random
import re
import signal
import socket
import struct
import sys
import threading
import time
import unicodedata
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote_plus

# --------------------------------------------------------------------------
# PHP 8 semantics for query parameters (reference §3.1, §3.3)

PHP_WS = " \t\n\r\v\f"
_NUMERIC = re.compile(r"[ \t\n\r\v\f]*[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
                      r"(?:[eE][+-]?\d+)?[ \t\n\r\v\f]*")
_LEADING_NUMERIC = re.compile(r"[ \t\n\r\v\f]*([+-]?(?:\d+(?:\.\d*)?|\.\d+)"
                              r"(?:[eE][+-]?\d+)?)")
INT64_MAX = 2**63 - 1
INT64_MIN = -2**63


def php_numeric(s):
    """Value of a PHP 8 numeric string (whitespace allowed), else None."""
    if _NUMERIC.fullmatch(s):
        return float(s.strip(PHP_WS))
    return None


def php_int(s):
    """PHP 8 (int) cast of a string: leading number, saturating, else 0."""
    m = _LEADING_NUMERIC.match(s)
    if not m:
        return 0
    num = m.group(1)
    if re.fullmatch(r"[+-]?\d+", num):
        return max(INT64_MIN, min(INT64_MAX, int(num)))
    val = float(num)
    if math.isinf(val) or math.isnan(val):
        return 0
    return max(INT64_MIN, min(INT64_MAX, int(val)))


def php_cmp_int_str(i, s):
    """PHP 8 `i <=> s` for an int and a string: -1, 0 or 1."""
    num = php_numeric(s)
    if num is not None:
        return (i > num) - (i < num)
    a = str(i).encode()
    b = s.encode("utf-8", "surrogateescape")
    return (a > b) - (a < b)


def php_truthy(v):
    return v is not None and v != "" and v != "0" and v != []


def quantity_of(raw):
    """Number of records for a raw _quantity value (§3.1, PHP 8)."""
    if not php_truthy(raw):
        return 10
    if isinstance(raw, list):
        return 1000
    if php_cmp_int_str(1000, raw) < 0:          # raw > 1000
        return 1000
    num = php_numeric(raw)
    if num is not None:
        return max(0, math.ceil(num))
    n = 0                                       # loop "while n < raw"
    while n < 1000 and php_cmp_int_str(n, raw) < 0:
        n += 1
    return n


def seed_of(raw):
    """Low 32 bits of the PHP (int) seed, or None when unseeded (§3.3)."""
    if not php_truthy(raw):
        return None
    if isinstance(raw, list):
        return 1
    return php_int(raw) & 0xFFFFFFFF


def seed_echo(raw):
    """The v2 envelope's seed value."""
    if not php_truthy(raw) or isinstance(raw, list):
        return None
    if re.fullmatch(r"-?(?:0|[1-9]\d*)", raw):
        val = int(raw)
        if INT64_MIN <= val <= INT64_MAX:
            return val
    return raw


def parse_query(query):
    """Query string -> dict, PHP style: last value wins, ' ' and '.' in
    names become '_', name[...] makes an array value.  Keeps order."""
    params = {}
    for part in query.split("&"):
        if not part:
            continue
        key, _, val = part.partition("=")
        key = unquote(key)
        val = unquote(val)
        is_array = False
        m = re.match(r"([^\[]*)\[[^\]]*\]", key)
        if m and m.group(1):
            key, is_array = m.group(1), True
        key = key.lstrip(" ").replace(" ", "_").replace(".", "_")
        if not key:
            continue
        if is_array:
            prev = params.pop(key, None)
            params[key] = (prev if isinstance(prev, list) else []) + [val]
        else:
            params.pop(key, None)
            params[key] = val
    return params


def unquote(s):
    return unquote_plus(s, encoding="utf-8", errors="surrogateescape")


def as_text(v):
    """A raw parameter value as text for output (PHP prints arrays as 'Array')."""
    if isinstance(v, list):
        return "Array"
    return v.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


# --------------------------------------------------------------------------
# strtotime subset for _birthday_start / _birthday_end

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
# "now" is the real clock, seeded or not, as on the real service; tests
# move it (--clock-offset, POST /_ctl/clock) to see what slides with it.
CLOCK = {"offset": 0, "at": None}


def clock_now():
    base = CLOCK["at"] if CLOCK["at"] is not None else int(time.time())
    return base + CLOCK["offset"]
_UNITS = {"sec": 1, "second": 1, "min": 60, "minute": 60, "hour": 3600,
          "day": 86400, "week": 604800, "fortnight": 1209600,
          "month": "m", "year": "y"}


def add_months(ts, months):
    d = EPOCH + datetime.timedelta(seconds=ts)
    total = d.year * 12 + d.month - 1 + months
    year, month = divmod(total, 12)
    if not 1 <= year <= 9999:
        return None
    first = d.replace(year=year, month=month + 1, day=1)
    return int((first - EPOCH).total_seconds()) + (d.day - 1) * 86400


def strtotime(s, now):
    """Epoch seconds for a small strtotime subset, or None if unparsable:
    now, today, yesterday, tomorrow, @TS, YYYY-MM-DD[ HH:MM[:SS]],
    and relative '[+-]N unit[s]' sequences with optional 'ago'."""
    s = s.strip().lower()
    today = now - now % 86400
    fixed = {"now": now, "today": today, "midnight": today,
             "yesterday": today - 86400, "tomorrow": today + 86400}
    if s in fixed:
        return fixed[s]
    m = re.fullmatch(r"@(-?\d+)", s)
    if m:
        return int(m.group(1))
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t](\d{1,2}):(\d{2})"
                     r"(?::(\d{2}))?)?", s)
    if m:
        try:
            d = datetime.datetime(*(int(g or 0) for g in m.groups()),
                                  tzinfo=datetime.timezone.utc)
        except ValueError:
            return None
        return int((d - EPOCH).total_seconds())
    return relative_time(s, now)


def relative_time(s, now):
    parts = re.findall(r"([+-]?\d+)\s*([a-z]+)", s)
    rest = re.sub(r"([+-]?\d+)\s*([a-z]+)", "", s).strip()
    if not parts or rest not in ("", "ago"):
        return None
    sign = -1 if rest == "ago" else 1
    ts = now
    for num, unit in parts:
        unit = unit[:-1] if unit.endswith("s") and unit[:-1] in _UNITS else unit
        step = _UNITS.get(unit)
        if step is None:
            return None
        n = sign * int(num)
        if step == "m" or step == "y":
            ts = add_months(ts, n * (12 if step == "y" else 1))
            if ts is None:
                return None
        else:
            ts += n * step
    return ts


def ymd(ts):
    return (EPOCH + datetime.timedelta(seconds=ts)).strftime("%Y-%m-%d")


# --------------------------------------------------------------------------
# Word lists

def words(s):
    return tuple(s.split())


def lines(s):
    return tuple(x.strip() for x in s.strip().split("|"))


COUNTRY_CODES = words("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL
BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV
CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD
GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM
IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK
LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW
MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR
PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS
ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY
UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW""")

COUNTRIES = lines("""
Afghanistan|Albania|Algeria|Andorra|Angola|Argentina|Armenia|Australia|
Austria|Azerbaijan|Bahamas|Bahrain|Bangladesh|Barbados|Belarus|Belgium|Belize|
Benin|Bhutan|Bolivia|Botswana|Brazil|Bulgaria|Burkina Faso|Burundi|Cambodia|
Cameroon|Canada|Cape Verde|Chad|Chile|China|Colombia|Comoros|Congo|
Costa Rica|Cote d'Ivoire|Croatia|Cuba|Cyprus|Czech Republic|Denmark|Djibouti|
Dominica|Ecuador|Egypt|El Salvador|Eritrea|Estonia|Ethiopia|Fiji|Finland|
France|Gabon|Gambia|Georgia|Germany|Ghana|Greece|Grenada|Guatemala|Guinea|
Guyana|Haiti|Honduras|Hungary|Iceland|India|Indonesia|Iran|Iraq|Ireland|
Israel|Italy|Jamaica|Japan|Jordan|Kazakhstan|Kenya|Kiribati|Kuwait|Latvia|
Lebanon|Lesotho|Liberia|Liechtenstein|Lithuania|Luxembourg|Madagascar|Malawi|
Malaysia|Maldives|Mali|Malta|Mauritania|Mexico|Monaco|Mongolia|Morocco|
Mozambique|Namibia|Nauru|Nepal|Netherlands|New Zealand|Nicaragua|Niger|
Nigeria|Norway|Oman|Pakistan|Palau|Panama|Paraguay|Peru|Philippines|Poland|
Portugal|Qatar|Reunion|Romania|Rwanda|Saint Barthelemy|Samoa|San Marino|
Senegal|Serbia|Seychelles|Singapore|Slovakia|Slovenia|Somalia|South Africa|
Spain|Sri Lanka|Sudan|Suriname|Sweden|Switzerland|Tajikistan|Tanzania|
Thailand|Togo|Tonga|Tunisia|Turkey|Tuvalu|Uganda|Ukraine|United Kingdom|
United States of America|Uruguay|Uzbekistan|Vanuatu|Venezuela|Vietnam|Yemen|
Zambia|Zimbabwe""")

US_STATES = lines("""
Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|
Florida|Georgia|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|
Maine|Maryland|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|
Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|North Carolina|
North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|
South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|West Virginia|
Wisconsin|Wyoming""")

LOREM = words("""
alias consequatur aut perferendis sit voluptatem accusantium doloremque
aperiam eaque ipsa quae ab illo inventore veritatis et quasi architecto
beatae vitae dicta sunt explicabo aspernatur odit fugit sed quia
consequuntur magni dolores eos qui ratione sequi nesciunt neque dolorem
ipsum quia dolor amet consectetur adipisci velit non numquam eius modi
tempora incidunt ut labore dolore magnam aliquam quaerat enim ad minima
veniam quis nostrum exercitationem ullam corporis nemo ipsam voluptas
suscipit laboriosam nisi aliquid ex ea commodi autem vel eum iure
reprehenderit in voluptate esse quam nihil molestiae illum fugiat quo
voluptas nulla pariatur at vero accusamus officiis debitis rerum
necessitatibus saepe eveniet voluptates repudiandae recusandae itaque
earum hic tenetur a sapiente delectus reiciendis voluptatibus maiores
doloribus asperiores repellat omnis iste natus error similique sunt culpa
officia deserunt mollitia animi id est laborum dolorum fuga harum quidem
facilis expedita distinctio nam libero tempore cum soluta nobis eligendi
optio cumque impedit minus quod maxime placeat facere possimus assumenda""")

# Public-domain prose (Lewis Carroll, 1865) for "real text" fields.
PROSE = words("""
Alice was beginning to get very tired of sitting by her sister on the bank,
and of having nothing to do: once or twice she had peeped into the book her
sister was reading, but it had no pictures or conversations in it, 'and what
is the use of a book,' thought Alice 'without pictures or conversations?' So
she was considering in her own mind (as well as she could, for the hot day
made her feel very sleepy and stupid), whether the pleasure of making a
daisy-chain would be worth the trouble of getting up and picking the daisies,
when suddenly a White Rabbit with pink eyes ran close by her. There was
nothing so very remarkable in that; nor did Alice think it so very much out of
the way to hear the Rabbit say to itself, 'Oh dear! Oh dear! I shall be late!'
But when the Rabbit actually took a watch out of its waistcoat-pocket, and
looked at it, and then hurried on, Alice started to her feet, for it flashed
across her mind that she had never before seen a rabbit with either a
waistcoat-pocket, or a watch to take out of it, and burning with curiosity,
she ran across the field after it, and fortunately was just in time to see it
pop down a large rabbit-hole under the hedge. In another moment down went
Alice after it, never once considering how in the world she was to get out
again. The rabbit-hole went straight on like a tunnel for some way, and then
dipped suddenly down, so suddenly that Alice had not a moment to think about
stopping herself before she found herself falling down a very deep well.""")

GENRES = words("""Adventure Biography Classic Comedy Crime Drama Fantasy
Fiction History Horror Mystery Poetry Romance Satire Science Thriller
Travel Western""")

POKEMON = words("""Bulbasaur Ivysaur Venusaur Charmander Charmeleon Charizard
Squirtle Wartortle Blastoise Caterpie Metapod Butterfree Weedle Kakuna
Beedrill Pidgey Pidgeotto Pidgeot Rattata Raticate Spearow Fearow Ekans
Arbok Pikachu Raichu Sandshrew Sandslash Nidoqueen Nidoking Clefairy
Clefable Vulpix Ninetales Jigglypuff Wigglytuff Zubat Golbat Oddish Gloom
Vileplume Paras Parasect Venonat Venomoth Diglett Dugtrio Meowth Persian
Psyduck Golduck Mankey Primeape Growlithe Arcanine Abra Kadabra Alakazam
Machop Machoke Machamp Geodude Onix Gengar Snorlax Mewtwo Mew""")

IMAGE_TYPES = ("any", "animals", "architecture", "nature", "people", "tech",
               "kittens", "pokemon")
CARD_TYPES = ("Visa", "MasterCard", "American Express", "Discover Card",
              "Visa Retired")
IMG_PEOPLE = "http://placeimg.com/640/480/people"
PRINTABLE = tuple(chr(c) for c in range(33, 127))
HEX = "0123456789abcdef"

_TRANSLIT = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o",
                           "Ø": "O", "œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L"})


def slug(name):
    """Lowercase ASCII [a-z0-9] form of a name, as Faker's userName makes."""
    s = unicodedata.normalize("NFKD", name.translate(_TRANSLIT))
    return re.sub(r"[^a-z0-9]", "", s.encode("ascii", "ignore").decode().lower())


class Locale:
    """Per-locale word lists, with slugs precomputed for usernames/domains."""

    def __init__(self, code, male, female, last, tlds, free_mail,
                 phone_cc, phone_digits, phone_formats, postcodes,
                 building, street_fmt, street_words, address_fmt, city_fmt,
                 city_words, city_suffix, company_suffix):
        self.code = code
        self.male, self.female, self.last = words(male), words(female), lines(last)
        self.first = self.male + self.female
        self.first_slugs = tuple(slug(n) for n in self.first)
        self.last_slugs = tuple(s for s in (slug(n) for n in self.last) if s)
        self.tlds, self.free_mail = words(tlds), words(free_mail)
        self.phone_cc, self.phone_digits = phone_cc, phone_digits
        self.phone_formats, self.postcodes = lines(phone_formats), words(postcodes)
        self.building, self.street_fmt = words(building), lines(street_fmt)
        self.street_words, self.address_fmt = lines(street_words), lines(address_fmt)
        self.city_fmt, self.city_words = lines(city_fmt), lines(city_words)
        self.city_suffix = lines(city_suffix) if city_suffix else ()
        self.company_suffix = lines(company_suffix)


EN_US = Locale(
    "en_US",
    male="""Aaron Abe Alec Alfonso Arnold Barney Bennett Brady Bryce Carter
    Chesley Clifford Dallas Darian Demond Derick Donny Elroy Emmitt Fletcher
    Freddy Garrett Granville Hank Jacey Jarrod Jasper Kade Keenan Lamar
    Lonzo Marlon Morton Nash Oren Quincy Ryley Soren Trevion Tyrell Wilber""",
    female="""Abigale Alessandra Annabel Bertha Brisa Cassandra Cecilia Clara
    Daphne Delia Earline Elvie Estella Fannie Genevieve Hattie Ila Joanie
    Justine Kaylie Lavada Lenora Lisette Madie Marjory Myrtie Nola Noelia
    Ocie Pearlie Regan Rosalia Sadie Shanna Tessie Una Velda Winifred Zella""",
    last="""Abbott|Altenwerth|Bashirian|Beier|Bergnaum|Bogisich|Champlin|
    Conn|Conroy|Cremin|D'Amore|Daniel|Dubuque|Ebert|Fisher|Goldner|Grady|
    Hackett|Hermiston|Jacobson|Jenkins|Keeling|King|Kuhlman|Larkin|Lockman|
    Mante|Mertz|Nienow|O'Conner|O'Keefe|O'Reilly|Ortiz|Paucek|Purdy|
    Quigley|Reichert|Satterfield|Schowalter|Spinka|Toy|Turcotte|VonRueden|
    Wehner|Wuckert|Yundt|Zboncak""",
    tlds="com com com biz info net org",
    free_mail="gmail.com yahoo.com hotmail.com",
    phone_cc="1", phone_digits=10,
    phone_formats="""###-###-####|(###) ###-####|1-###-###-####|
    ###.###.####|+1-###-###-####|+1 (###) ###-####|###-###-#### x####""",
    postcodes="##### #####-####",
    building="%#### %### %##",
    street_fmt="{first} {suffix}|{last} {suffix}",
    street_words="""Alley|Avenue|Bridge|Brook|Burg|Center|Circle|Club|Common|
    Course|Court|Creek|Crossing|Drive|Estate|Expressway|Falls|Field|Gardens|
    Glen|Harbor|Haven|Heights|Hill|Island|Junction|Lake|Lane|Light|Manor|
    Meadow|Mill|Mission|Mountain|Park|Parkway|Pass|Pike|Plains|Port|Ridge|
    River|Road|Route|Shore|Spring|Square|Station|Street|Summit|Trail|Union|
    Valley|View|Village|Way|Wells""",
    address_fmt="{number} {street}|{number} {street}|{number} {street} Apt. ###|"
                "{number} {street} Suite ###",
    city_fmt="{prefix} {first}{suffix}|{prefix} {first}|{first}{suffix}|"
             "{last}{suffix}",
    city_words="""North|East|West|South|New|Lake|Port""",
    city_suffix="""town|ton|land|ville|berg|burgh|borough|bury|view|port|
    mouth|stad|furt|chester|fort|haven|side|shire""",
    company_suffix="Inc|and Sons|LLC|Group|PLC|Ltd",
)

IT_IT = Locale(
    "it_IT",
    male="""Alessandro Andrea Antonio Carlo Cristian Dario Fabrizio Gioele
    Giuseppe Lorenzo Luca Manuel Matteo Mattia Niccolò Nicolò Pietro
    Raffaele Salvatore Thomas Tommaso Ugo""",
    female="""Alessia Aurora Beatrice Chiara Elena Federica Gaia Giada Giorgia
    Greta Ilaria Ludovica Lucia Martina Noemi Rebecca Sara Sofia Viola""",
    last="""Barbieri|Bellini|Bianchi|Caruso|Colombo|Conte|D'Amico|D'Angelo|
    De Luca|De Santis|Esposito|Fabbri|Ferrara|Fontana|Galli|Gentile|Greco|
    Lombardi|Marchetti|Mancini|Marino|Martinelli|Moretti|Pellegrini|Rinaldi|
    Ricci|Rizzo|Romano|Russo|Sala|Santoro|Serra|Testa|Villa""",
    tlds="com com net org it it",
    free_mail="gmail.com libero.it virgilio.it tiscali.it hotmail.it email.it",
    phone_cc="39", phone_digits=10,
    phone_formats="+39 ### ## ## ####|+39 ## ######|### ######|###.######.##",
    postcodes="#####",
    building="### ## #",
    street_fmt="{suffix} {first}|{suffix} {last}",
    street_words="""Via|Piazza|Borgo|Contrada|Rotonda|Incrocio|Viale|
    Stretto|Vicolo|Canale""",
    address_fmt="{street} {number}|{street} {number}, Appartamento ##",
    city_fmt="{prefix} {first} {suffix}|{prefix} {last}|{first} {suffix}|"
             "{last} {suffix}",
    city_words="""San|Borgo|Sesto|Quarto|Settimo""",
    city_suffix="""a mare|lido|ligure|del friuli|salentino|calabro|
    veneto|nell'emilia|umbro|laziale|terme|sardo""",
    company_suffix="SPA|e figli|Group|s.r.l.",
)

DE_DE = Locale(
    "de_DE",
    male="""Andreas Björn Dieter Florian Günter Hans-Peter Heinz Jörg Jürgen
    Karl-Heinz Klaus Lukas Maximilian Niklas Ömer Ralf Rüdiger Stefan
    Torsten Uwe Wolfgang""",
    female="""Anneliese Bärbel Birgit Dörte Elke Gisela Hannelore Ilse Jana
    Käthe Lieselotte Luise Margarete Renate Sünje Ursula Zoë""",
    last="""Bauer|Becker|Böhm|Braun|Fischer|Groß|Hartmann|Hoffmann|Jäger|
    Koch|Köhler|Krüger|Lange|Lehmann|Maier|Möller|Müller|Neumann|Richter|
    Schäfer|Schmidt|Schmitz|Schröder|Schulz|Schwarz|Vogel|Wagner|Weber|Weiß|
    Wolf|Zimmermann""",
    tlds="com com de de info net org",
    free_mail="web.de gmx.de gmail.com hotmail.de yahoo.de t-online.de",
    phone_cc="49", phone_digits=11,
    phone_formats="+49 (0) #### ######|0#### ######|(0####) #####|+49##########",
    postcodes="#####",
    building="%## %# %",
    street_fmt="{last}{suffix}|{first}{suffix}|{last} {upper}",
    street_words="""straße|weg|gasse|platz|allee|ring|steig""",
    address_fmt="{street} {number}|{street} {number}",
    city_fmt="{city}",
    city_words="""Aachen|Bamberg|Berlin|Bochum|Bremen|Düsseldorf|Erfurt|
    Fürth|Görlitz|Göttingen|Hamburg|Köln|Lübeck|Lünen|Mülheim an der Ruhr|
    München|Münster|Nürnberg|Osnabrück|Saarbrücken|Tübingen|Würzburg""",
    city_suffix="",
    company_suffix="AG|GmbH|KG|GmbH & Co. KG|e.G.",
)

FR_FR = Locale(
    "fr_FR",
    male="""Alain Benoît Christophe François Gérard Hervé Jérôme Joël Julien
    Loïc Marcel Mathéo Noël Pierre Raphaël René Sébastien Théo Timothée""",
    female="""Agnès Anaïs Béatrice Camille Chloé Élodie Émilie Françoise
    Hélène Inès Léa Léonie Mélanie Nathalie Noémie Océane Thérèse Zoé""",
    last="""Barbier|Bérenger|Bonnet|Chevalier|Da Silva|Dupré|Durand|
    Fournier|Gaillard|Garnier|Girard|Guérin|Lefèvre|Lemaître|Leroux|
    Masson|Mercier|Morel|Périer|Rousseau|Roussel|Texier|Vidal""",
    tlds="com fr fr net org",
    free_mail="orange.fr free.fr laposte.net sfr.fr wanadoo.fr gmail.com",
    phone_cc="33", phone_digits=9,
    phone_formats="+33 (0)# ## ## ## ##|0# ## ## ## ##|+33 # ## ## ## ##",
    postcodes="#####",
    building="## # ###",
    street_fmt="{suffix} {last}|{suffix} de {last}",
    street_words="""rue|avenue|boulevard|place|chemin|impasse|allée|quai""",
    address_fmt="{number}, {street}|{number}, {street}",
    city_fmt="{city}",
    city_words="""Angoulême|Besançon|Béziers|Créteil|Évry|Lyon|Marseille|
    Montpellier|Nîmes|Orléans|Paris|Rouen|Saint-Étienne|Sète|Toulouse""",
    city_suffix="",
    company_suffix="SA|S.A.R.L.|SAS|et Fils",
)

LOCALES = {loc.code: loc for loc in (EN_US, IT_IT, DE_DE, FR_FR)}


# --------------------------------------------------------------------------
# Record generation

class ApiError(Exception):
    """An error response raised while building a resource."""

    def __init__(self, status, doc):
        super().__init__(status)
        self.status, self.doc = status, doc


def server_error():
    return ApiError(500, None)


def bad_request(text):
    return ApiError(400, {"status": "Bad Request. " + text, "code": 400,
                          "total": 0})


class Faker:
    """Random values drawn from one random.Random stream, in call order."""

    def __init__(self, rng, loc, version, now):
        self.r, self.loc, self.v2, self.now = rng, loc, version == 2, now
        self.choice, self.randint = rng.choice, rng.randint

    # -- small helpers
    def digits(self, n):
        return "%0*d" % (n, self.r.randrange(10 ** n))

    def numerify(self, fmt):
        out = []
        for c in fmt:
            if c == "#":
                out.append(str(self.r.randrange(10)))
            elif c == "%":
                out.append(str(self.randint(1, 9)))
            else:
                out.append(c)
        return "".join(out)

    def coin(self):
        return self.r.random() < 0.5

    # -- person
    def gender(self):
        return "male" if self.coin() else "female"

    def first_name(self, gender=None):
        if gender == "male":
            return self.choice(self.loc.male)
        if gender == "female":
            return self.choice(self.loc.female)
        return self.choice(self.loc.first)

    def last_name(self):
        return self.choice(self.loc.last)

    def name(self):
        return self.first_name(self.gender()) + " " + self.last_name()

    def user_name(self):
        loc, kind = self.loc, self.r.randrange(4)
        if kind == 0:
            return self.choice(loc.last_slugs) + "." + self.choice(loc.first_slugs)
        if kind == 1:
            return self.choice(loc.first_slugs) + "." + self.choice(loc.last_slugs)
        if kind == 2:
            return self.choice(loc.first_slugs) + self.digits(2)
        return chr(97 + self.r.randrange(26)) + self.choice(loc.last_slugs)

    def domain_name(self):
        return self.choice(self.loc.last_slugs) + "." + self.choice(self.loc.tlds)

    def email(self):
        user = self.user_name()
        if self.coin():
            return user + "@" + self.choice(self.loc.free_mail)
        return user + "@" + self.domain_name()

    def password(self):
        return "".join(self.r.choices(PRINTABLE, k=self.randint(6, 20)))

    def uuid(self):
        h = "%032x" % self.r.getrandbits(128)
        variant = HEX[8 + int(h[16], 16) % 4]
        return "%s-%s-3%s-%s%s-%s" % (h[:8], h[8:12], h[13:16], variant,
                                      h[17:20], h[20:])

    def ipv4(self):
        x = self.r.getrandbits(32)
        return "%d.%d.%d.%d" % (x >> 24, x >> 16 & 255, x >> 8 & 255, x & 255)

    def mac(self):
        x = self.r.getrandbits(48).to_bytes(6, "big")
        return ":".join("%02X" % b for b in x)

    def e164(self):
        loc = self.loc
        rest = str(self.randint(2, 9)) + self.digits(loc.phone_digits - 1)
        return "+" + loc.phone_cc + rest

    def phone(self):
        return self.numerify(self.choice(self.loc.phone_formats))

    # -- address
    def building_number(self):
        return self.numerify(self.choice(self.loc.building))

    def street_name(self):
        loc = self.loc
        return self.choice(loc.street_fmt).format(
            first=self.first_name(), last=self.last_name(),
            suffix=self.choice(loc.street_words),
            upper=self.choice(loc.street_words).capitalize())

    def street_address(self):
        fmt = self.choice(self.loc.address_fmt)
        return self.numerify(fmt.format(number=self.building_number(),
                                        street=self.street_name()))

    def city(self):
        loc = self.loc
        fmt = self.choice(loc.city_fmt)
        if fmt == "{city}":
            return self.choice(loc.city_words)
        return fmt.format(prefix=self.choice(loc.city_words),
                          first=self.first_name(), last=self.last_name(),
                          suffix=self.choice(loc.city_suffix))

    def postcode(self):
        return self.numerify(self.choice(self.loc.postcodes))

    def coordinate(self, limit):
        return round(self.r.uniform(-limit, limit), 6)

    # -- text
    def word(self):
        return self.choice(LOREM)

    def sentence(self, nb=6):
        n = max(1, nb + self.randint(-2, 2))
        s = " ".join(self.choice(LOREM) for _ in range(n))
        return s[0].upper() + s[1:] + "."

    def paragraph(self, nb=3):
        return " ".join(self.sentence() for _ in range(self.randint(1, nb + 1)))

    def text(self, limit):
        out, size = [], 0
        while True:
            s = self.sentence()
            if out and size + 1 + len(s) > limit:
                break
            if not out and len(s) > limit:
                return s[:limit - 1].rstrip() + "."
            out.append(s)
            size += len(s) + (1 if len(out) > 1 else 0)
        return " ".join(out)

    def real_text(self, limit):
        """At most `limit` (>= 10) chars of prose, ending with '.'."""
        i, out, size = self.r.randrange(len(PROSE)), [], 0
        for k in range(len(PROSE)):
            w = PROSE[(i + k) % len(PROSE)]
            if size + len(w) + (1 if out else 0) + 1 > limit:
                if out:
                    break
                continue
            out.append(w)
            size += len(w) + (1 if len(out) > 1 else 0)
        s = " ".join(out).rstrip(",;:!?'(").rstrip(".")
        s = s[0].upper() + s[1:] + "." if s else "Alice."
        return s[:limit]

    # -- dates, cards, codes
    def timestamp_between(self, start, end):
        """PHP's mt_rand(start, end): start + a 32-bit draw mod the range.
        One draw whatever the range, so moving "now" changes the dates
        drawn against it and nothing after them in the stream."""
        return start + self.r.getrandbits(32) % (end - start + 1)

    def date(self, start=0):
        return ymd(self.timestamp_between(start, self.now))

    def datetime_object(self):
        ts = self.timestamp_between(0, self.now)
        stamp = (EPOCH + datetime.timedelta(seconds=ts)).strftime("%Y-%m-%d %H:%M:%S")
        return {"date": stamp + ".000000", "timezone_type": 3, "timezone": "UTC"}

    def with_check_digit(self, body, weights):
        total = sum(int(d) * weights[i % 2] for i, d in enumerate(reversed(body)))
        return body + str((10 - total % 10) % 10)

    def ean13(self):
        return self.with_check_digit(self.digits(12), (3, 1))

    def upc(self):
        return self.with_check_digit(self.digits(11), (3, 1))

    def isbn13(self):
        return self.with_check_digit("978" + self.digits(9), (3, 1))

    def card_type(self):
        return self.choice(CARD_TYPES)

    def card_number(self, kind=None):
        kind = kind or self.card_type()
        if kind == "American Express":
            body = self.choice(("34", "37")) + self.digits(12)
        elif kind == "MasterCard":
            body = str(self.randint(51, 55)) + self.digits(13)
        elif kind == "Discover Card":
            body = "6011" + self.digits(11)
        elif kind == "Visa Retired":
            body = "4" + self.digits(11)
        else:
            body = "4" + self.digits(14)
        return luhn(body)

    def card_expiration(self):
        ts = self.timestamp_between(self.now, self.now + 36 * 30 * 86400)
        return (EPOCH + datetime.timedelta(seconds=ts)).strftime("%m/%y")

    def vat(self):
        return self.digits(self.randint(8, 11))

    def company_name(self):
        kind = self.r.randrange(3)
        if kind == 0:
            return self.last_name() + " " + self.choice(self.loc.company_suffix)
        if kind == 1:
            return self.last_name() + "-" + self.last_name()
        return "%s, %s and %s" % (self.last_name(), self.last_name(),
                                  self.last_name())

    def image_url(self, width=640, height=480, kind="any"):
        if self.v2:
            return "https://picsum.photos/%d/%d" % (width, height)
        return "http://placeimg.com/%d/%d/%s" % (width, height, kind)


def luhn(body):
    total = 0
    for i, d in enumerate(reversed(body)):
        n = int(d) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return body + str((10 - total % 10) % 10)


# --------------------------------------------------------------------------
# Resources: each has prepare(params, faker) -> options (may raise ApiError
# before any record, like a controller) and record(faker, id, options).

def p_get(params, name):
    v = params.get(name)
    return None if v is None else as_text(v)


def address(f, ident):
    key = "country_code" if f.v2 else "county_code"
    return {"id": ident, "street": f.street_address(),
            "streetName": f.street_name(), "buildingNumber": f.building_number(),
            "city": f.city(), "zipcode": f.postcode(), "country": f.choice(COUNTRIES),
            key: f.choice(COUNTRY_CODES), "latitude": f.coordinate(90),
            "longitude": f.coordinate(180)}


def nested_address(f):
    return address(f, 1 if f.v2 else 0)


def prepare_none(params, f):
    return None


def prepare_gender(params, f):
    g = p_get(params, "_gender")
    return g if g else None


def user(f, i, gender):
    first = f.first_name(gender or f.gender())
    return {"id": i, "uuid": f.uuid(), "firstname": first,
            "lastname": f.last_name(), "username": f.user_name(),
            "password": f.password(), "email": f.email(), "ip": f.ipv4(),
            "macAddress": f.mac(), "website": "http://" + f.domain_name(),
            "image": IMG_PEOPLE}


def prepare_persons(params, f):
    """Gender hint and birthday range; a bad range raises on first record."""
    start = params.get("_birthday_start", "-90 years")
    end = params.get("_birthday_end", "now")
    start_ts = strtotime(as_text(start), f.now) or 0
    end_text = as_text(end)
    if end_text == "":
        end_ts = f.now
    elif php_numeric(end_text) is not None:
        end_ts = php_int(end_text)
    else:
        end_ts = strtotime(end_text, f.now)
    bad = False
    if end_ts is None:                 # PHP: int > false is bool(int) > false
        bad, end_ts = start_ts != 0, 0
    bad = bad or start_ts > end_ts
    return {"gender": prepare_gender(params, f), "range": (start_ts, end_ts),
            "bad": bad}


def person(f, i, opt):
    if opt["bad"]:
        raise server_error()
    gender = opt["gender"] or f.gender()
    return {"id": i, "firstname": f.first_name(gender),
            "lastname": f.last_name(), "email": f.email(), "phone": f.e164(),
            "birthday": ymd(f.timestamp_between(*opt["range"])),
            "gender": gender, "address": nested_address(f),
            "website": "http://" + f.domain_name(), "image": IMG_PEOPLE}


def default_person_opts(f):
    return {"gender": None, "range": (add_months(f.now, -90 * 12), f.now),
            "bad": False}


def book(f, i, _):
    return {"id": i, "title": f.real_text(f.randint(10, 20)),
            "author": f.name(), "genre": f.choice(GENRES),
            "description": f.real_text(200), "isbn": f.isbn13(),
            "image": "http://placeimg.com/480/640/any",
            "published": f.date(0), "publisher": f.company_name()}


def company(f, i, _):
    rec = {"id": i, "name": f.company_name(), "email": f.email(),
           "vat": f.vat(), "phone": f.e164(), "country": f.choice(COUNTRIES)}
    rec["addresses"] = [nested_address(f) for _ in range(f.randint(1, 5))]
    rec["website"] = "http://" + f.domain_name()
    rec["image"] = "http://placeimg.com/640/480/any"
    rec["contact"] = person(f, 0, default_person_opts(f))
    return rec


def credit_card(f, i, _):
    kind = f.card_type()               # the number draws a type of its own
    return {"type": kind, "number": f.card_number(),
            "expiration": f.card_expiration(), "owner": f.name()}


def prepare_images(params, f):
    kind = p_get(params, "_type") or "any"
    kind = kind if kind in IMAGE_TYPES else "any"
    width = php_int(p_get(params, "_width") or "")
    height = php_int(p_get(params, "_height") or "")
    return kind, width, height


def image(f, i, opt):
    kind, width, height = opt
    if kind in ("kittens", "pokemon"):   # random hundreds unless given
        width = width or f.randint(1, 9) * 100
        height = height or f.randint(1, 9) * 100
    width, height = width or 640, height or 480
    rec = {"title": f.sentence(4), "description": f.paragraph()}
    if f.v2:
        rec["url"] = "https://picsum.photos/%d/%d" % (width, height)
    elif kind == "kittens":
        rec["url"] = "http://placekitten.com/%d/%d" % (width, height)
    elif kind == "pokemon":
        rec["url"] = "http://placeimg.com/%d/%d/any" % (width, height)
    else:
        rec["url"] = "http://placeimg.com/%d/%d/%s" % (width, height, kind)
    return rec


def place(f, i, _):
    return {"latitude": f.coordinate(90), "longitude": f.coordinate(180)}


def prepare_products(params, f):
    def num(name, default):
        v = p_get(params, name)
        val = php_numeric(v) if v else None
        return default if val is None else val
    lo, hi = num("_price_min", 0.01), num("_price_max", None)
    if hi is not None:
        lo, hi = min(lo, hi), max(lo, hi)
    cats = p_get(params, "_categories_type")
    cats = cats if cats in ("integer", "string", "uuid") else "integer"
    # _taxes as given is echoed as the string it is; the default is 22.
    given = p_get(params, "_taxes")
    rate = num("_taxes", 22)
    return {"lo": lo, "hi": hi, "rate": rate,
            "taxes": given if given else 22, "cats": cats}


def categories(f, kind):
    n = f.randint(1, 10)
    if kind == "string":
        return list(dict.fromkeys(f.word() for _ in range(n)))
    if kind == "uuid":
        return [f.uuid() for _ in range(n)]
    # up to 10 digits 1-9, duplicates dropped
    return list(dict.fromkeys(f.randint(1, 9) for _ in range(n)))


def product(f, i, opt):
    hi = opt["hi"]
    if hi is None:                     # Faker: randomNumber(), unbounded
        hi = max(opt["lo"], f.randint(0, 10 ** f.randint(1, 9) - 1))
    net = round(f.r.uniform(opt["lo"], hi), 2)
    gross = round(net * (100 + opt["rate"]) / 100, 2)
    return {"id": i, "name": f.sentence(4), "description": f.paragraph(),
            "ean": f.ean13(), "upc": f.upc(),
            "image": "http://placeimg.com/640/480/tech",
            "images": [{"title": f.sentence(4), "description": f.paragraph(),
                        "url": f.image_url()} for _ in range(3)],
            "net_price": net, "taxes": opt["taxes"],
            "price": gross if f.v2 else "%.2f" % gross,
            "categories": categories(f, opt["cats"]),
            "tags": [f.word() for _ in range(f.randint(1, 10))]}


MAX_CHARACTERS = 100000


def prepare_texts(params, f):
    raw = params.get("_characters")
    if raw is None:
        return 200
    val = php_numeric(as_text(raw))
    if val is None or val < 10:
        return None                    # raises on the first record
    return int(min(val, MAX_CHARACTERS))


def text(f, i, chars):
    if chars is None:
        raise server_error()
    return {"title": f.real_text(f.randint(10, 30)), "author": f.name(),
            "genre": f.choice(GENRES), "content": f.real_text(chars)}


# -- custom

CUSTOM_TYPES = {
    "number": lambda f, i: f.randint(0, 10 ** f.randint(1, 9) - 1),
    "text": lambda f, i: f.text(200),
    "longText": lambda f, i: f.text(1000),
    "firstName": lambda f, i: f.first_name(f.gender()),
    "lastName": lambda f, i: f.last_name(),
    "name": lambda f, i: f.name(),
    "email": lambda f, i: f.email(),
    "phone": lambda f, i: f.e164(),
    "date": lambda f, i: f.date(0),
    "dateTime": lambda f, i: f.datetime_object(),
    "image": lambda f, i: "http://placeimg.com/640/480/any",
    "word": lambda f, i: f.word(),
    "streetAddress": lambda f, i: f.street_address(),
    "streetName": lambda f, i: f.street_name(),
    "buildingNumber": lambda f, i: f.building_number(),
    "city": lambda f, i: f.city(),
    "postcode": lambda f, i: f.postcode(),
    "country": lambda f, i: f.choice(COUNTRIES),
    "countryCode": lambda f, i: f.choice(COUNTRY_CODES),
    "state": lambda f, i: f.choice(US_STATES),
    "latitude": lambda f, i: f.coordinate(90),
    "longitude": lambda f, i: f.coordinate(180),
    "vat": lambda f, i: f.vat(),
    "website": lambda f, i: f.domain_name(),
    "card_type": lambda f, i: f.card_type(),
    "card_number": lambda f, i: f.card_number(),
    "card_expiration": lambda f, i: f.card_expiration(),
    "ean": lambda f, i: f.ean13(),
    "upc": lambda f, i: f.upc(),
    "uuid": lambda f, i: f.uuid(),
    "counter": lambda f, i: i,
    "boolean": lambda f, i: f.coin(),
    "boolean_digit": lambda f, i: f.r.randrange(2),
    "company_name": lambda f, i: f.company_name(),
    "null": lambda f, i: None,
    "pokemon": lambda f, i: f.choice(POKEMON),
}
for _camel, _snake in (("longText", "long_text"), ("firstName", "first_name"),
                       ("lastName", "last_name"), ("dateTime", "date_time"),
                       ("streetAddress", "street_address"),
                       ("streetName", "street_name"),
                       ("buildingNumber", "building_number"),
                       ("countryCode", "country_code")):
    CUSTOM_TYPES[_snake] = CUSTOM_TYPES[_camel]


def prepare_custom(params, f):
    """Every parameter but _quantity/_locale is outputKey=type (even _seed)."""
    fields = [(k, v) for k, v in params.items()
              if k not in ("_quantity", "_locale")]
    if not fields:
        raise bad_request("This resource require at least one parameter.")
    out = []
    for key, typ in fields:
        gen = CUSTOM_TYPES.get(typ) if isinstance(typ, str) else None
        if gen is None:
            raise bad_request("Wrong parameter type '%s'." % as_text(typ))
        out.append((as_text(key), gen))
    return out


def custom(f, i, fields):
    return {key: gen(f, i) for key, gen in fields}


RESOURCES = {
    "addresses": (prepare_none, lambda f, i, _: address(f, i)),
    "books": (prepare_none, book),
    "companies": (prepare_none, company),
    "credit_cards": (prepare_none, credit_card),
    "images": (prepare_images, image),
    "persons": (prepare_persons, person),
    "places": (prepare_none, place),
    "products": (prepare_products, product),
    "texts": (prepare_texts, text),
    "users": (prepare_gender, user),
    "custom": (prepare_custom, custom),
}


def build_envelope(version, resource, params):
    """The success envelope (a dict) for one request, or raise ApiError."""
    seed = seed_of(params.get("_seed"))
    rng = random.Random(seed) if seed is not None else random.Random()
    raw_locale = params.get("_locale")
    locale = as_text(raw_locale) if php_truthy(raw_locale) else "en_US"
    now = clock_now()
    f = Faker(rng, LOCALES.get(locale, EN_US), version, now)
    prepare, record = RESOURCES[resource]
    opts = prepare(params, f)
    data = [record(f, i, opts)
            for i in range(1, quantity_of(params.get("_quantity")) + 1)]
    env = {"status": "OK", "code": 200}
    if version == 2:
        env["locale"] = locale
        env["seed"] = seed_echo(params.get("_seed"))
    env["total"] = len(data)
    env["data"] = data
    return env


# --------------------------------------------------------------------------
# Responses

def json_body(doc):
    """PHP json_encode style: compact, '/' escaped, ASCII only (\\uXXXX)."""
    return json.dumps(doc, separators=(",", ":")).replace("/", "\\/").encode("ascii")


def pretty_body(doc):
    """Laravel's pretty-printed error JSON."""
    return json.dumps(doc, indent=4).encode("ascii")


CORS = [("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Allow-Methods", "GET"),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Max-Age", "86400"),
        ("Access-Control-Allow-Headers",
         "Content-Type, Authorization, X-Requested-With")]
JSON_TYPE = ("Content-Type", "application/json")
HTML_TYPE = ("Content-Type", "text/html; charset=UTF-8")
NO_CACHE = ("Cache-Control", "no-cache, private")
MESSAGES = {405: "", 429: "Too Many Attempts.", 500: "Server Error",
            502: "Server Error", 503: "Server Error"}
TITLES = {405: "Method Not Allowed", 429: "Too Many Requests",
          500: "Internal Server Error", 502: "Bad Gateway",
          503: "Service Unavailable"}


class Resp:
    """One HTTP response; `doc` keeps the envelope for body faults."""

    def __init__(self, status, body=b"", headers=(), doc=None):
        self.status, self.body, self.doc = status, body, doc
        self.headers = list(headers)


def json_resp(status, doc, extra=()):
    return Resp(status, json_body(doc), [JSON_TYPE, NO_CACHE] + list(extra) + CORS, doc)


def message_resp(status, wants_json, extra=(), cors=True):
    """429/405/5xx: {"message": ...} for JSON clients, else an HTML page."""
    cors_h = CORS if cors else []
    if wants_json:
        body = pretty_body({"message": MESSAGES.get(status, "Server Error")})
        return Resp(status, body, [JSON_TYPE, NO_CACHE] + list(extra) + cors_h)
    title = TITLES.get(status, "Error")
    body = ("<!DOCTYPE html>\n<html>\n<head><title>%s</title></head>\n"
            "<body><h1>%d %s</h1></body>\n</html>\n" % (title, status, title))
    return Resp(status, body.encode(), [HTML_TYPE, NO_CACHE] + list(extra) + cors_h)


def not_found():
    return json_resp(404, {"status": "Not found", "code": 404, "total": 0})


ROUTE = re.compile(r"/api/v([12])/([a-z_]+)/?")


# --------------------------------------------------------------------------
# Throttle, fault rules, shared state

class Throttle:
    """Fixed window per key: starts at the first counted request."""

    def __init__(self, enabled, limit, window):
        self.enabled, self.limit, self.window = enabled, limit, window
        self.buckets = {}
        self.lock = threading.Lock()

    def hit(self, key):
        """(allowed, headers) for one request; 429s are not counted."""
        now = time.time()
        with self.lock:
            start, count = self.buckets.get(key, (now, 0))
            if now >= start + self.window:
                start, count = now, 0
            if count >= self.limit:
                retry = max(1, math.ceil(start + self.window - now))
                return False, [("X-RateLimit-Limit", str(self.limit)),
                               ("X-RateLimit-Remaining", "0"),
                               ("Retry-After", str(retry)),
                               ("X-RateLimit-Reset", str(int(now) + retry))]
            self.buckets[key] = (start, count + 1)
            return True, [("X-RateLimit-Limit", str(self.limit)),
                          ("X-RateLimit-Remaining", str(self.limit - count - 1))]

    def reset(self):
        with self.lock:
            self.buckets.clear()


FAULT_KINDS = {"429": 1, "500": None, "502": None, "503": None, "reset": None,
               "truncate": None, "malformed": None, "total": None,
               "notarray": None, "status": None, "stall": 10, "latency": 1000}


class Fault:
    """One parsed rule: SELECTOR:KIND[:ARG]."""

    def __init__(self, text):
        parts = text.strip().split(":")
        if len(parts) not in (2, 3) or parts[1] not in FAULT_KINDS:
            raise ValueError("bad fault rule %r (want N|N-M|every:KIND[:ARG])" % text)
        self.text, sel, self.kind = text.strip(), parts[0], parts[1]
        if sel == "every":
            self.lo, self.hi = 1, None
        else:
            m = re.fullmatch(r"(\d+)(?:-(\d+))?", sel)
            if not m:
                raise ValueError("bad fault selector %r" % sel)
            self.lo = int(m.group(1))
            self.hi = int(m.group(2) or m.group(1))
        self.arg = FAULT_KINDS[self.kind]
        if len(parts) == 3:
            try:
                self.arg = float(parts[2])
            except ValueError:
                raise ValueError("bad fault argument %r" % parts[2]) from None

    def matches(self, n):
        return self.lo <= n and (self.hi is None or n <= self.hi)


class State:
    """Request counter, request log, stats and fault rules."""

    def __init__(self, rules):
        self.lock = threading.Lock()
        self.rules = list(rules)
        self.clear()

    def clear(self):
        self.count, self.throttled = 0, 0
        self.served = collections.Counter()
        self.log = collections.deque(maxlen=100000)

    def arrive(self):
        """Number the next API request and find its fault rule."""
        with self.lock:
            self.count += 1
            n = self.count
            rule = next((r for r in self.rules if r.matches(n)), None)
            return n, rule

    def record(self, entry, throttled):
        with self.lock:
            self.log.append(entry)
            self.served[str(entry["status"])] += 1
            self.throttled += throttled

    def stats(self):
        with self.lock:
            return {"requests": self.count, "served": dict(self.served),
                    "throttled": self.throttled}

    def requests(self):
        with self.lock:
            return list(self.log)

    def set_rules(self, rules):
        with self.lock:
            self.rules = list(rules)
            self.clear()


# --------------------------------------------------------------------------
# HTTP handler

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fakerapi-test/1.0"
    sys_version = ""

    def log_message(self, fmt, *args):
        self.server.log("%s %s" % (self.address_string(), fmt % args))

    def do_GET(self):
        self.dispatch("GET")

    def do_HEAD(self):
        self.dispatch("HEAD")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_OPTIONS(self):
        self.dispatch("OPTIONS")

    # -- plumbing
    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self.close_connection = True
            return b""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        return self.rfile.read(length) if length > 0 else b""

    def wants_json(self):
        accept = self.headers.get("Accept", "")
        first = accept.split(",")[0].split(";")[0].strip()
        if "/json" in first or "+json" in first:
            return True
        xhr = self.headers.get("X-Requested-With", "") == "XMLHttpRequest"
        return xhr and first in ("", "*/*")

    def dispatch(self, method):
        body = self.read_body()
        path, _, query = self.path.partition("?")
        if path.startswith("/_ctl/"):
            self.send(self.control(method, path, body))
            return
        if path != "/api" and not path.startswith("/api/"):
            self.send(not_found())
            return
        self.api(method, path, query)

    # -- the API
    def api(self, method, path, query):
        state, cfg = self.server.state, self.server.cfg
        n, rule = state.arrive()
        kind = rule.kind if rule else None
        delay = cfg.latency / 1000.0 + (rule.arg / 1000.0 if kind == "latency" else 0)
        if delay > 0:
            time.sleep(delay)
        if kind in ("429", "500", "502", "503"):
            resp = self.fault_status(rule)
        else:
            resp = self.route(method, path, query, kind in (None, "latency"))
            if kind in ("malformed", "total", "notarray", "status"):
                resp = body_fault(resp, kind)
        throttled = resp.status == 429 and kind is None
        state.record({"n": n, "method": method, "path": path, "query": query,
                      "status": resp.status, "fault": rule.text if rule else None},
                     throttled)
        self.server.log("#%d %s %s %s -> %d%s" % (
            n, self.client_address[0], method, self.path, resp.status,
            " [%s]" % rule.text if rule else ""))
        mode = kind if kind in ("reset", "truncate", "stall") else "normal"
        self.send(resp, mode, rule.arg if rule else None, method == "HEAD")

    def route(self, method, path, query, use_throttle):
        if method == "OPTIONS":
            return Resp(200, b'"{\\"method\\":\\"OPTIONS\\"}"', [JSON_TYPE] + CORS)
        if path in ("/api", "/api/"):
            return message_resp(500, False, cors=False)
        m = ROUTE.fullmatch(path)
        if not m or m.group(2) not in RESOURCES or \
                m.group(1) not in self.server.cfg.versions:
            return not_found()
        if method not in ("GET", "HEAD"):
            return message_resp(405, self.wants_json(), [("Allow", "GET")])
        limit_headers = []
        throttle = self.server.throttle
        if use_throttle and throttle.enabled:
            key = (method, path.strip("/"), self.client_address[0])
            allowed, limit_headers = throttle.hit(key)
            if not allowed:
                return message_resp(429, self.wants_json(), limit_headers)
        if method == "HEAD":
            return Resp(200, b"", [JSON_TYPE, NO_CACHE] + limit_headers + CORS)
        try:
            env = build_envelope(int(m.group(1)), m.group(2), parse_query(query))
        except ApiError as e:
            if e.doc is not None:
                return json_resp(e.status, e.doc, limit_headers)
            return message_resp(e.status, self.wants_json(), limit_headers)
        return json_resp(200, env, limit_headers)

    def fault_status(self, rule):
        extra = []
        if rule.kind == "429":
            secs = max(1, int(math.ceil(rule.arg)))
            extra = [("X-RateLimit-Limit", str(self.server.throttle.limit)),
                     ("X-RateLimit-Remaining", "0"), ("Retry-After", str(secs)),
                     ("X-RateLimit-Reset", str(int(time.time()) + secs))]
        elif rule.kind == "503" and rule.arg is not None:
            extra = [("Retry-After", str(max(0, int(rule.arg))))]
        return message_resp(int(rule.kind), self.wants_json(), extra)

    # -- control API
    def control(self, method, path, body):
        state = self.server.state
        if method == "GET" and path == "/_ctl/stats":
            return ctl_resp(200, state.stats())
        if method == "GET" and path == "/_ctl/requests":
            return ctl_resp(200, state.requests())
        if method == "POST" and path == "/_ctl/faults":
            try:
                texts = json.loads(body.decode() or "[]")
                if not isinstance(texts, list):
                    raise ValueError("want a JSON list of rule strings")
                rules = [Fault(str(t)) for t in texts]
            except ValueError as e:
                return ctl_resp(400, {"error": str(e)})
            state.set_rules(rules)
            return ctl_resp(200, {"ok": True, "faults": [r.text for r in rules]})
        if method == "POST" and path == "/_ctl/clock":
            try:
                CLOCK["offset"] = int(body.decode().strip() or "0")
            except ValueError:
                return ctl_resp(400, {"error": "want a number of seconds"})
            return ctl_resp(200, {"ok": True, "offset": CLOCK["offset"]})
        if method == "POST" and path == "/_ctl/reset":
            state.set_rules([])
            self.server.throttle.reset()
            return ctl_resp(200, {"ok": True})
        return ctl_resp(404, {"error": "unknown control request"})

    # -- sending
    def send(self, resp, mode="normal", arg=None, head=False):
        body = b"" if head else resp.body
        sent = body[:len(body) // 2] if mode in ("reset", "truncate") else body
        length = max(len(body), len(sent) + 1) if mode == "truncate" else len(body)
        try:
            self.send_response(resp.status)
            for k, v in resp.headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(length))
            self.end_headers()
            if mode == "stall":
                time.sleep(arg)
            self.wfile.write(sent)
            if mode == "truncate":
                self.close_connection = True
            elif mode == "reset":
                time.sleep(0.05)
                self.abort()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def send_response(self, code, message=None):
        # BaseHTTPRequestHandler logs every response: keep that in --log only.
        self.send_response_only(code, message)
        self.send_header("Server", self.version_string())
        self.send_header("Date", self.date_time_string())

    def abort(self):
        """Close the connection with a TCP RST."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                   struct.pack("ii", 1, 0))
        self.wfile.close()
        self.rfile.close()
        self.connection.close()


def ctl_resp(status, doc):
    return Resp(status, json.dumps(doc).encode(), [JSON_TYPE, NO_CACHE])


def body_fault(resp, kind):
    """Spoil a 200 envelope (or any body, for malformed)."""
    if kind == "malformed":
        cut = resp.body[:max(1, len(resp.body) // 2)]
        return Resp(200, cut + b"#not-json", resp.headers)
    env = resp.doc
    if resp.status != 200 or not isinstance(env, dict) or "data" not in env:
        return resp
    env = dict(env)
    if kind == "total":
        env["total"] = len(env["data"]) + 1
    elif kind == "notarray":
        env["data"] = {str(i): rec for i, rec in enumerate(env["data"])}
    elif kind == "status":
        env["status"], env["code"] = "ERROR", 500
    return Resp(200, json_body(env), resp.headers, env)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, cfg):
        self.cfg = cfg
        self.state = State(cfg.fault)
        self.throttle = Throttle(cfg.throttle == "on", cfg.limit, cfg.window)
        self.log_file = open(cfg.log, "a", buffering=1) if cfg.log else None
        self.log_lock = threading.Lock()
        super().__init__((cfg.host, cfg.port), Handler)

    def log(self, line):
        if self.log_file:
            with self.log_lock:
                self.log_file.write("%s %s\n" % (time.strftime("%H:%M:%S"), line))

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, OSError)):
            self.log("error from %s: %r" % (client_address, exc))
            if not self.log_file:
                super().handle_error(request, client_address)


# --------------------------------------------------------------------------
# Main

def parse_args(argv):
    ap = argparse.ArgumentParser(description="FakerAPI test server")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--throttle", default="on", metavar="on|off|N/Ws")
    ap.add_argument("--limit", type=int, default=30)
    ap.add_argument("--window", type=float, default=60)
    ap.add_argument("--latency", type=float, default=0, metavar="MS")
    ap.add_argument("--fault", action="append", default=[], metavar="RULE")
    ap.add_argument("--log", metavar="FILE")
    ap.add_argument("--versions", default="1,2", choices=("1,2", "1", "2"),
                    help="API versions served (1: the public source)")
    ap.add_argument("--clock-offset", type=int, default=0, metavar="S")
    ap.add_argument("--clock-at", type=int, default=None, metavar="EPOCH")
    cfg = ap.parse_args(argv)
    cfg.versions = cfg.versions.split(",")
    CLOCK["offset"] = cfg.clock_offset
    CLOCK["at"] = cfg.clock_at
    if not cfg.host.startswith("127.") and cfg.host != "localhost":
        ap.error("--host must be a loopback address (127.x.x.x)")
    try:
        cfg.fault = [Fault(t) for t in cfg.fault]
    except ValueError as e:
        ap.error(str(e))
    m = re.fullmatch(r"([0-9]+)/([0-9]+(?:\.[0-9]+)?)s", cfg.throttle)
    if m:
        cfg.throttle, cfg.limit, cfg.window = "on", int(m[1]), float(m[2])
    elif cfg.throttle not in ("on", "off"):
        ap.error("--throttle: on, off or N/Ws (e.g. 30/5s), not %r"
                 % cfg.throttle)
    if cfg.limit < 1 or cfg.window <= 0:
        ap.error("--limit and --window must be positive")
    return cfg


def write_port_file(path, port):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as fh:
        fh.write("%d\n" % port)
    os.replace(tmp, path)


def stop(signum, frame):
    raise KeyboardInterrupt


def main(argv=None):
    cfg = parse_args(sys.argv[1:] if argv is None else argv)
    server = Server(cfg)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    port = server.server_address[1]
    if cfg.port_file:
        write_port_file(cfg.port_file, port)
    else:
        print(port, flush=True)
    server.log("listening on %s:%d" % (cfg.host, port))
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        server.log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
