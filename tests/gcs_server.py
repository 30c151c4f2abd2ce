#!/usr/bin/env python3
"""A Google Cloud Storage test server for gcs-put and the official clients.

Python 3 standard library only.  It speaks enough of the GCS JSON API, the
OAuth token endpoint and the GCE metadata server for an uploader's tests, and
it can inject faults into chosen requests.  It listens on 127.0.0.1 only.

CLI
    python3 tests/gcs_server.py [--port 0] --port-file F [--data-dir DIR]
        [--public-key PEM] [--token-ttl S] [--refresh-token T]
        [--client-secret S] [--project ID] [--fault RULE]... [--log FILE]
        [--omit-zero] [--cut-final N] [--drop-final] [--late-preconditions]
        [--role creator]

    --port-file F      the chosen port is written there (atomically) once the
                       server listens.  --port 0 (default) = ephemeral port.
    --data-dir DIR     object and session data files (default: a temp dir,
                       removed at exit).  Objects are never held in memory.
    --public-key PEM   RSA public key (SubjectPublicKeyInfo or PKCS#1 PEM).
                       With it, storage requests need a bearer token (below)
                       and the JWT-bearer grant works.  Without it, no auth.
    --token-ttl S      expires_in of issued tokens (default 3599).
    --refresh-token T, --client-secret S
                       what the refresh_token grant accepts (any if unset).
    --project ID       project id of the metadata server (default fk-test).
    --fault RULE       fault injection rule (repeatable), see FAULTS.
    --log FILE         access log (one line per request).

MODES (the untidy ways of the real service, each on for every request)
    --omit-zero        write resources the proto3 JSON way: zero-valued
                       numeric fields are left out (a 0-byte object has no
                       "size" and no "crc32c", whose value 0 is AAAAAA==).
    --cut-final N      the answer that completes an upload (multipart and
                       media 200, a resumable session's finalizing 200) is
                       sent without Content-Length and cut after N bytes of
                       its body, then the connection closes: the object is
                       committed, the client sees a short, unparseable body.
    --drop-final       the request that completes an upload is read and
                       committed, then the connection closes with no answer.
    --late-preconditions
                       if*Match preconditions of uploads are checked only
                       when the upload completes, not at initiation (the
                       service may do either).
    --role creator     the caller has roles/storage.objectCreator only:
                       reading an object (metadata or media), listing and
                       deleting answer 403; uploads and sessions work.
    --role viewer      roles/storage.objectViewer only: reading and listing
                       work; uploads (a new one of any kind) and deleting
                       answer 403.

STORAGE ENDPOINTS (any bucket name exists: buckets are created implicitly)
    POST   /upload/storage/v1/b/B/o?uploadType=media|multipart|resumable&name=
           (ifGenerationMatch, ifGenerationNotMatch, ifMetagenerationMatch,
           ifMetagenerationNotMatch are honoured; predefinedAcl, userProject,
           kmsKeyName are ignored; contentEncoding= applies to media.)
    PUT    <session URI>   Content-Range: bytes A-B/* | A-B/T | */T | */*
                           (also Node's streaming form bytes A-*/T|*, and
                           no Content-Range = the whole object in one PUT)
    DELETE <session URI>   cancels the session: 499, and 499 from then on
    GET    /storage/v1/b/B/o/OBJ[?alt=media]     object resource or bytes
    GET    /download/storage/v1/b/B/o/OBJ?alt=media
    DELETE /storage/v1/b/B/o/OBJ                 204
    GET    /storage/v1/b/B/o?prefix=&delimiter=&maxResults=&pageToken=
    GET    /storage/v1/b/B, POST /storage/v1/b   a bucket resource
    GET    /storage/v1/b/B/iam/testPermissions?permissions=P[&permissions=Q]
           the caller's permissions among P, Q (by --role); the field is
           left out when none is held, as the service does
    The same JSON API paths without the /storage/v1 prefix (/b/B/o/...) are
    accepted too: that is where the Node client sends them when only
    STORAGE_EMULATOR_HOST is set.

    Resumable semantics follow GCS: non-final chunks must be multiples of
    262144 bytes (else 400); 308 carries "Range: bytes=0-N" (none when
    nothing is persisted); re-sent bytes before the persisted offset are
    ignored; a chunk starting past it gets 503; a completed session answers
    200 + the object; X-Goog-Hash (crc32c=,md5=) and hashes given at
    initiation are checked at finalization (400 "invalid", no object);
    preconditions are checked at initiation and at finalization (412).  A
    session that failed finalization (400/412) answers 410 from then on.
    X-Upload-Content-Length given at initiation must match the final total.
    Bytes past a chunk's Content-Range (or the total) are never stored.
    Session URIs are capabilities: requests carrying upload_id need no auth.

AUTH (only with --public-key)
    Storage requests need "Authorization: Bearer TOKEN", where TOKEN was
    issued by this server and is unexpired, or is a self-signed RS256 JWT
    (aud https://storage.googleapis.com/, exp-iat <= 3600) signed by the
    key.  Otherwise 401.
    POST /token  (application/x-www-form-urlencoded)
        grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=JWT
            RS256, signed by the key, iss and scope present,
            aud = http://127.0.0.1:PORT/token, exp-iat <= 3600, iat/exp
            within 60 s of clock skew.
        grant_type=refresh_token&client_id=&client_secret=&refresh_token=
        -> 200 {"access_token","expires_in","token_type":"Bearer"}
        -> 400 {"error":"invalid_grant"|"invalid_request"|
                "unsupported_grant_type","error_description":...}
           401 {"error":"invalid_client"} for a wrong client_secret.
    GET /computeMetadata/v1/instance/service-accounts/default/token
    GET /computeMetadata/v1/project/project-id  (and .../default/email,
        .../default/?recursive=true, /computeMetadata/v1/instance/)
        need "Metadata-Flavor: Google" (else 403) and answer with it.

FAULTS
    RULE = [CLASS:]N[-M]:KIND[:ARG]     N-M inclusive; "N-" = N and after.
    CLASS counts only that class of request: upload (/upload/...), storage
    (other JSON API and downloads), token (/token), meta (/computeMetadata).
    Without CLASS, N counts every request but /_ctl.  E.g. upload:3:503.
    KIND: 503 | 500 | 408 | 429 - answered instead of the request,
              nothing persisted; Retry-After: ARG if given (429: default 1);
          reset    read part of the body (ARG bytes, default half), then RST;
          partial  (resumable chunk) persist only ARG bytes (default half)
                   of the chunk and answer 308 with the shorter Range;
          expire   the session of this request answers 404 from now on (a
                   request without a session expires every open session);
          gone     likewise, 410;
          stall    sleep ARG s (default 5), then handle the request (other
                   rules matching the same request still apply);
          badhash  flip one byte of what this upload request stores (so
                   X-Goog-Hash fails / the returned crc32c differs), or of
                   what this download serves (x-goog-hash stays right).
          403      answered 403 instead of the request (a missing role).
          cut      if this request completes an upload: --cut-final ARG
                   (default 10) for this request only;
          drop     likewise --drop-final for this request only.
    With several matching rules, every stall applies, then the first other.

CONTROL API (never counted, never faulted, never needs auth)
    GET  /_ctl/stats     requests per class, sessions by state, objects,
                         tokens issued per grant, faults fired, auth 401s
    GET  /_ctl/requests  the request log: method, path, query, class,
                         status, fault and the headers that matter
                         (Authorization only as "present")
    GET  /_ctl/faults    the rules;  POST /_ctl/faults  JSON list of RULE
                         strings: replaces the rules, resets the counters
    POST /_ctl/reset     forget objects, sessions, tokens, counters, log
                         and faults (the command-line rules come back)
"""

import argparse
import base64
import hashlib
import io
import json
import os
import secrets
import shutil
import socket
import struct
import sys
import tempfile
import threading
import time
import urllib.parse
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CHUNK_ALIGN = 262144          # resumable chunks: multiples of 256 KiB
IO_BLOCK = 1 << 20            # read/write granularity
JSON_TYPE = "application/json; charset=UTF-8"
STORAGE_AUD = "https://storage.googleapis.com/"
CLOCK_SKEW = 60
DRAIN_LIMIT = 64 << 20        # error replies read at most this much body

# ---------------------------------------------------------------------------
# CRC32C (Castagnoli), table-driven.
#
# The classic byte loop runs at ~10 MB/s in CPython, too slow for a 1 GiB
# upload.  _crc_lanes runs the same table loop over many 256-byte lanes at
# once: lane k's table index for every lane is one bytes object, looked up
# with bytes.translate (one translate per byte of the 32-bit table entry),
# and the XORs are done on big ints.  CRC is linear, so the lanes, each run
# from a zero register, are folded in order with a "shift by 256 zero bytes"
# table.  About 70 MB/s, same results as the byte loop.
# ---------------------------------------------------------------------------

CRC_POLY = 0x82F63B78         # 0x1EDC6F41 reflected


def _make_crc_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ (CRC_POLY if c & 1 else 0)
        table.append(c)
    return table


CRC_TABLE = _make_crc_table()
# CRC_PLANES[k][i] = byte k of CRC_TABLE[i], as translate() tables.
CRC_PLANES = tuple(bytes((v >> (8 * k)) & 0xFF for v in CRC_TABLE)
                   for k in range(4))
LANE = 256


def _crc_bytes(crc, data):
    """Advance the raw CRC register over data, one byte at a time."""
    table = CRC_TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


def _make_shift_tables(nbytes):
    """Tables that advance a register over nbytes zero bytes (linear map)."""
    zeros = bytes(nbytes)
    return tuple(tuple(_crc_bytes(v << (8 * k), zeros) for v in range(256))
                 for k in range(4))


CRC_SHIFT = _make_shift_tables(LANE)


def _crc_shift(reg):
    s0, s1, s2, s3 = CRC_SHIFT
    return (s0[reg & 0xFF] ^ s1[(reg >> 8) & 0xFF]
            ^ s2[(reg >> 16) & 0xFF] ^ s3[reg >> 24])


def _crc_lanes(crc, data):
    """Advance the register over data using parallel lanes (see above)."""
    n = len(data) // LANE
    if n < 64:
        return _crc_bytes(crc, data)
    view = memoryview(data)
    end = n * LANE
    frombytes = int.from_bytes
    p0, p1, p2, p3 = CRC_PLANES
    r0 = r1 = r2 = r3 = 0     # byte k of every lane's register, as one int
    for j in range(LANE):
        idx = (r0 ^ frombytes(view[j:end:LANE], "little")).to_bytes(
            n, "little")
        r0 = frombytes(idx.translate(p0), "little") ^ r1
        r1 = frombytes(idx.translate(p1), "little") ^ r2
        r2 = frombytes(idx.translate(p2), "little") ^ r3
        r3 = frombytes(idx.translate(p3), "little")
    b0, b1, b2, b3 = (r.to_bytes(n, "little") for r in (r0, r1, r2, r3))
    for k in range(n):
        crc = _crc_shift(crc) ^ (b0[k] | b1[k] << 8 | b2[k] << 16
                                 | b3[k] << 24)
    return _crc_bytes(crc, view[end:])


def crc32c(data, crc=0):
    """CRC32C of data, continuing from a previous CRC32C value."""
    return _crc_lanes(crc ^ 0xFFFFFFFF, data) ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283


def b64(raw):
    return base64.b64encode(raw).decode("ascii")


class Hasher:
    """Running CRC32C + MD5 + size of a byte stream."""

    def __init__(self):
        self.crc = 0
        self.md5 = hashlib.md5()
        self.size = 0

    def update(self, data):
        self.crc = crc32c(data, self.crc)
        self.md5.update(data)
        self.size += len(data)

    def crc32c_b64(self):
        return b64(struct.pack(">I", self.crc))

    def md5_b64(self):
        return b64(self.md5.digest())


# ---------------------------------------------------------------------------
# RSA public keys and RS256 JWTs (no RSA in the standard library: DER by
# hand, verification is pow(sig, e, n) plus a PKCS#1 v1.5 padding check).
# ---------------------------------------------------------------------------

SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


def _der(buf, pos):
    """One DER TLV at pos: (tag, content, next position)."""
    tag = buf[pos]
    length = buf[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(buf[pos:pos + count], "big")
        pos += count
    if pos + length > len(buf):
        raise ValueError("truncated DER")
    return tag, buf[pos:pos + length], pos + length


def _der_children(content):
    pos, out = 0, []
    while pos < len(content):
        tag, value, pos = _der(content, pos)
        out.append((tag, value))
    return out


def _rsa_from_pkcs1(der):
    tag, seq, _ = _der(der, 0)
    ints = [v for t, v in _der_children(seq) if t == 0x02]
    if tag != 0x30 or len(ints) < 2:
        raise ValueError("not an RSAPublicKey")
    return int.from_bytes(ints[0], "big"), int.from_bytes(ints[1], "big")


def load_public_key(pem):
    """(n, e) from a PEM "PUBLIC KEY" (SPKI) or "RSA PUBLIC KEY" (PKCS#1)."""
    lines = pem.strip().splitlines()
    if not lines or "BEGIN" not in lines[0]:
        raise ValueError("not a PEM file")
    der = base64.b64decode("".join(l for l in lines if "-----" not in l))
    if "RSA PUBLIC KEY" in lines[0]:
        return _rsa_from_pkcs1(der)
    tag, spki, _ = _der(der, 0)
    parts = _der_children(spki)
    if tag != 0x30 or len(parts) != 2 or parts[1][0] != 0x03:
        raise ValueError("not a SubjectPublicKeyInfo")
    if b"\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01" not in parts[0][1]:
        raise ValueError("not an RSA key")
    bits = parts[1][1]
    return _rsa_from_pkcs1(bits[1:])     # skip the unused-bits byte


def rs256_verify(key, message, signature):
    n, e = key
    k = (n.bit_length() + 7) // 8
    if len(signature) != k:
        return False
    s = int.from_bytes(signature, "big")
    if s >= n:
        return False
    em = pow(s, e, n).to_bytes(k, "big")
    tail = SHA256_DIGEST_INFO + hashlib.sha256(message).digest()
    want = b"\x00\x01" + b"\xff" * (k - 3 - len(tail)) + b"\x00" + tail
    return secrets.compare_digest(em, want)


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class JwtError(Exception):
    pass


def verify_jwt(token, key, audience, now=None):
    """Claims of an RS256 JWT signed by key for audience, or JwtError."""
    now = time.time() if now is None else now
    parts = token.split(".")
    if len(parts) != 3:
        raise JwtError("not a JWT")
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
        signature = b64url_decode(parts[2])
    except ValueError as exc:
        raise JwtError("malformed JWT: %s" % exc) from None
    if not isinstance(header, dict) or header.get("alg") != "RS256":
        raise JwtError("alg must be RS256")
    if not isinstance(claims, dict):
        raise JwtError("claims are not an object")
    if key is None:
        raise JwtError("server started without --public-key")
    if not rs256_verify(key, (parts[0] + "." + parts[1]).encode(),
                        signature):
        raise JwtError("Invalid JWT Signature.")
    if claims.get("aud") not in audience:
        raise JwtError("Invalid JWT: aud %r" % claims.get("aud"))
    if not isinstance(claims.get("iss"), str) or not claims["iss"]:
        raise JwtError("Invalid JWT: no iss")
    iat, exp = claims.get("iat"), claims.get("exp")
    if not isinstance(iat, (int, float)) or not isinstance(exp, (int, float)):
        raise JwtError("Invalid JWT: iat/exp missing")
    if exp <= iat or exp - iat > 3600:
        raise JwtError("Invalid JWT: exp-iat must be in (0, 3600]")
    if iat > now + CLOCK_SKEW:
        raise JwtError("Invalid JWT: Token used before issued (iat)")
    if exp < now - CLOCK_SKEW:
        raise JwtError("Invalid JWT: Token must be a short-lived token "
                       "(60 minutes) and in a reasonable timeframe (expired)")
    return claims


# ---------------------------------------------------------------------------
# HTTP plumbing
# ---------------------------------------------------------------------------

class HttpError(Exception):
    """An error answered as a GCS JSON error body."""

    def __init__(self, code, message, reason=None, headers=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason or REASONS.get(code, "error")
        self.headers = headers or {}


REASONS = {400: "invalid", 401: "required", 403: "forbidden",
           404: "notFound", 408: "requestTimeout", 410: "gone",
           412: "conditionNotMet", 416: "requestedRangeNotSatisfiable",
           429: "rateLimitExceeded", 499: "clientClosedRequest",
           500: "backendError", 503: "backendError"}


PHRASES = {308: "Resume Incomplete", 499: "Client Closed Request"}


class ClientGone(Exception):
    """The client closed the connection in the middle of a request body."""


class Body:
    """A request body: Content-Length or Transfer-Encoding: chunked."""

    def __init__(self, rfile, headers):
        self.rfile = rfile
        self.chunked = "chunked" in headers.get("Transfer-Encoding",
                                                "").lower()
        length = headers.get("Content-Length")
        self.bad = False
        try:
            self.length = None if self.chunked or length is None else \
                int(length)
        except ValueError:
            self.length, self.bad = 0, True
        self.left = self.length or 0      # bytes left (of the chunk)
        self.done = not self.chunked and not self.left
        self.received = 0

    def read(self, size=IO_BLOCK):
        """Up to size bytes; b"" at the end of the body."""
        if self.done:
            return b""
        if self.chunked and self.left == 0:
            self._next_chunk()
            if self.done:
                return b""
        data = self.rfile.read(min(size, self.left))
        if not data:
            raise ClientGone()
        self.left -= len(data)
        self.received += len(data)
        if self.left == 0:
            if self.chunked:
                self._line()              # CRLF after the chunk data
            else:
                self.done = True
        return data

    def _line(self):
        line = self.rfile.readline(4096)
        if not line:
            raise ClientGone()
        return line

    def _next_chunk(self):
        size = int(self._line().split(b";")[0].strip() or b"0", 16)
        if size == 0:
            while self._line() not in (b"\r\n", b"\n"):
                pass                      # trailers
            self.done = True
        self.left = size

    def read_all(self, limit):
        out = bytearray()
        while True:
            data = self.read()
            if not data:
                return bytes(out)
            out += data
            if len(out) > limit:
                raise HttpError(400, "request body too large")

    def drain(self, limit=DRAIN_LIMIT):
        """Read and drop the rest; False if more than limit was left."""
        dropped = 0
        try:
            while dropped <= limit:
                data = self.read()
                if not data:
                    return True
                dropped += len(data)
        except (ClientGone, OSError, ValueError):
            pass
        return False


def parse_content_range(value):
    """Content-Range of a session PUT -> (first, last, total).

    first/last are None for "*/..."; last is "*" for Node's "A-*/..."
    form; total is None for "/*".
    """
    try:
        unit, spec = value.strip().split(" ", 1)
        span, total = spec.strip().split("/", 1)
        if unit.lower() != "bytes":
            raise ValueError(unit)
        total = None if total == "*" else int(total)
        if span == "*":
            return None, None, total
        first, last = span.split("-", 1)
        first = int(first)
        last = "*" if last == "*" else int(last)
        if total is not None and total < 0 or first < 0 or (
                last != "*" and last < first):
            raise ValueError(value)
        return first, last, total
    except ValueError:
        raise HttpError(400, "Failed to parse Content-Range header.") from None


def parse_goog_hash(value):
    """X-Goog-Hash "crc32c=..,md5=.." -> {"crc32c": b64, "md5": b64}."""
    out = {}
    for item in value.split(","):
        if not item.strip():
            continue
        key, sep, val = item.strip().partition("=")
        if not sep or key.lower() not in ("crc32c", "md5"):
            raise HttpError(400, "Invalid X-Goog-Hash header: %r" % value)
        out[key.lower()] = val.strip()
    return out


def rfc3339(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + \
        ".%03dZ" % int(seconds * 1000 % 1000)


def quote_all(text):
    return urllib.parse.quote(text, safe="")


# ---------------------------------------------------------------------------
# Fault rules
# ---------------------------------------------------------------------------

CLASSES = ("upload", "storage", "token", "meta")
FAULT_KINDS = ("503", "500", "408", "429", "403", "reset", "partial",
               "expire", "gone", "stall", "badhash", "cut", "drop")


class Rule:
    def __init__(self, text):
        self.text = text
        parts = text.strip().split(":")
        self.cls = parts.pop(0) if parts and parts[0] in CLASSES else None
        if len(parts) not in (2, 3):
            raise ValueError("bad fault rule %r" % text)
        span, self.kind = parts[0], parts[1]
        self.arg = float(parts[2]) if len(parts) == 3 else None
        first, dash, last = span.partition("-")
        self.first = int(first)
        self.last = (int(last) if last else None) if dash else self.first
        if self.kind not in FAULT_KINDS or self.first < 1:
            raise ValueError("bad fault rule %r" % text)

    def matches(self, counts, cls):
        if self.cls is not None and self.cls != cls:
            return False
        n = counts[self.cls or "all"]
        return n >= self.first and (self.last is None or n <= self.last)


# ---------------------------------------------------------------------------
# Server state: objects, sessions, tokens, counters, request log
# ---------------------------------------------------------------------------

class Session:
    def __init__(self, sid, bucket, name, meta, params, path):
        self.id = sid
        self.bucket, self.name = bucket, name
        self.meta = meta             # object resource fields from init
        self.params = params         # query of the init (preconditions)
        self.path = path
        self.hasher = Hasher()
        self.state = "open"          # open done cancelled expired gone failed
        self.result = None           # object resource once done
        self.lock = threading.Lock()

    @property
    def offset(self):
        return self.hasher.size


class State:
    def __init__(self, args, data_dir):
        self.args = args
        self.data_dir = data_dir
        os.makedirs(os.path.join(data_dir, "objects"), exist_ok=True)
        os.makedirs(os.path.join(data_dir, "sessions"), exist_ok=True)
        self.key = None
        if args.public_key:
            with open(args.public_key, encoding="ascii") as f:
                self.key = load_public_key(f.read())
        self.lock = threading.RLock()
        self.port = 0
        self.last_generation = 0
        self.reset()

    def reset(self):
        with self.lock:
            for sub in ("objects", "sessions"):
                d = os.path.join(self.data_dir, sub)
                for f in os.listdir(d):
                    os.unlink(os.path.join(d, f))
            self.objects = {}        # (bucket, name) -> resource dict
            self.sessions = {}       # upload id -> Session
            self.tokens = {}         # access token -> expiry time
            self.requests = {c: 0 for c in CLASSES + ("total", "other")}
            self.issued = {"jwt-bearer": 0, "refresh_token": 0,
                           "metadata": 0}
            self.fired = {}
            self.auth_rejected = 0
            self.log = []
            self.set_faults(self.args.fault or [])

    def set_faults(self, texts):
        rules = [Rule(t) for t in texts]
        with self.lock:
            self.rules = rules
            self.counts = {c: 0 for c in CLASSES + ("all",)}

    # -- per request bookkeeping

    def count_request(self, cls, entry):
        """Count a request; the fault rules it triggers."""
        with self.lock:
            self.requests["total"] += 1
            self.requests[cls] += 1
            self.log.append(entry)
            del self.log[:-20000]
            if cls not in CLASSES:
                return []
            self.counts["all"] += 1
            self.counts[cls] += 1
            return [r for r in self.rules if r.matches(self.counts, cls)]

    def note_fault(self, kind):
        with self.lock:
            self.fired[kind] = self.fired.get(kind, 0) + 1

    def stats(self):
        with self.lock:
            states = {}
            for s in self.sessions.values():
                states[s.state] = states.get(s.state, 0) + 1
            return {"requests": dict(self.requests),
                    "sessions": states,
                    "sessions_open": states.get("open", 0),
                    "objects": len(self.objects),
                    "bytes_stored": sum(int(o["size"])
                                        for o in self.objects.values()),
                    "tokens_issued": dict(self.issued),
                    "faults_fired": dict(self.fired),
                    "auth_rejected": self.auth_rejected,
                    "faults": [r.text for r in self.rules]}

    # -- tokens

    def issue_token(self, grant):
        token = "ya29.fk-" + secrets.token_urlsafe(24)
        ttl = self.args.token_ttl
        with self.lock:
            self.tokens[token] = time.time() + ttl
            self.issued[grant] += 1
        return {"access_token": token, "expires_in": ttl,
                "token_type": "Bearer"}

    def token_valid(self, token):
        with self.lock:
            expiry = self.tokens.get(token)
        if expiry is not None:
            return time.time() < expiry
        try:
            verify_jwt(token, self.key, (STORAGE_AUD,))
            return True
        except JwtError:
            return False

    # -- objects

    def new_data_path(self, sub):
        return os.path.join(self.data_dir, sub, secrets.token_hex(12))

    def get_object(self, bucket, name):
        with self.lock:
            obj = self.objects.get((bucket, name))
            if obj is None:
                raise HttpError(404, "No such object: %s/%s" % (bucket, name))
            return dict(obj)

    def check_early(self, bucket, name, params):
        """Preconditions before an upload's data: skipped when late."""
        if not self.args.late_preconditions:
            self.check_preconditions(bucket, name, params)

    def check_preconditions(self, bucket, name, params, read=False):
        """412 (or 304 for a read's *NotMatch) if params do not hold."""
        with self.lock:
            obj = self.objects.get((bucket, name))
        gen = int(obj["generation"]) if obj else 0
        meta = 1 if obj else 0
        tests = (("ifGenerationMatch", gen, True),
                 ("ifGenerationNotMatch", gen, False),
                 ("ifMetagenerationMatch", meta, True),
                 ("ifMetagenerationNotMatch", meta, False))
        for param, have, equal in tests:
            if param not in params:
                continue
            try:
                want = int(params[param])
            except ValueError:
                raise HttpError(400, "Invalid value for %s" % param) from None
            if (have == want) != equal:
                if read and not equal:
                    raise HttpError(304, "Not Modified")
                raise HttpError(412, "At least one of the pre-conditions "
                                "you specified did not hold.")

    def commit(self, bucket, name, meta, params, data_path, hasher):
        """Make data_path the live object (preconditions re-checked)."""
        with self.lock:
            try:
                self.check_preconditions(bucket, name, params)
            except HttpError:
                os.unlink(data_path)
                raise
            now = time.time()
            gen = max(time.time_ns() // 1000, self.last_generation + 1)
            self.last_generation = gen
            obj = dict(meta)
            obj.update({"name": name, "bucket": bucket,
                        "generation": str(gen), "metageneration": "1",
                        "size": str(hasher.size),
                        "md5Hash": hasher.md5_b64(),
                        "crc32c": hasher.crc32c_b64(),
                        "etag": b64(struct.pack(">QB", gen, 1)),
                        "timeCreated": rfc3339(now), "updated": rfc3339(now),
                        "timeStorageClassUpdated": rfc3339(now),
                        "_path": data_path})
            obj.setdefault("contentType", "application/octet-stream")
            obj.setdefault("storageClass", "STANDARD")
            old = self.objects.get((bucket, name))
            self.objects[(bucket, name)] = obj
            if old:
                os.unlink(old["_path"])
            return dict(obj)

    def delete_object(self, bucket, name, params):
        with self.lock:
            self.get_object(bucket, name)
            self.check_preconditions(bucket, name, params)
            obj = self.objects.pop((bucket, name))
            os.unlink(obj["_path"])

    def list_objects(self, bucket):
        with self.lock:
            return sorted((dict(o) for (b, _), o in self.objects.items()
                           if b == bucket), key=lambda o: o["name"])

    # -- sessions

    def new_session(self, bucket, name, meta, params):
        sid = "fk" + secrets.token_hex(16)
        path = self.new_data_path("sessions")
        open(path, "wb").close()
        sess = Session(sid, bucket, name, meta, params, path)
        with self.lock:
            self.sessions[sid] = sess
        return sess

    def end_sessions(self, state, only=None):
        """Move one session (or every open one) to state expired/gone."""
        with self.lock:
            targets = [only] if only else list(self.sessions.values())
        for sess in targets:
            with sess.lock:
                if sess.state == "open":
                    sess.state = state
                    _unlink(sess.path)


def _unlink(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


# proto3 JSON leaves these out when their value is zero (--omit-zero).
ZERO_VALUES = {"size": "0", "generation": "0", "metageneration": "0",
               "componentCount": 0, "crc32c": "AAAAAA=="}

# Object resource fields a client may set at upload time.
WRITABLE = ("contentType", "contentEncoding", "contentDisposition",
            "contentLanguage", "cacheControl", "customTime", "storageClass",
            "metadata")


def object_meta(doc):
    """The client-settable part of an object resource sent by a client."""
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise HttpError(400, "object resource must be a JSON object")
    meta = {k: doc[k] for k in WRITABLE if doc.get(k) is not None}
    md = meta.get("metadata")
    if md is not None:
        if not isinstance(md, dict):
            raise HttpError(400, "metadata must be an object")
        meta["metadata"] = {str(k): v if isinstance(v, str) else
                            json.dumps(v) for k, v in md.items()}
    return meta


def expected_hashes(doc, goog_hash_header):
    """Hashes a client asserted: in the resource and in X-Goog-Hash."""
    want = {}
    if isinstance(doc, dict):
        if doc.get("crc32c"):
            want["crc32c"] = doc["crc32c"]
        if doc.get("md5Hash"):
            want["md5"] = doc["md5Hash"]
    if goog_hash_header:
        want.update(parse_goog_hash(goog_hash_header))
    return want


def check_hashes(want, hasher):
    got = {"crc32c": hasher.crc32c_b64(), "md5": hasher.md5_b64()}
    names = {"crc32c": "CRC32C", "md5": "MD5"}
    for kind, value in sorted(want.items()):
        if value != got[kind]:
            raise HttpError(400, 'Provided %s "%s" doesn\'t match calculated '
                            '%s "%s".' % (names[kind], value, names[kind],
                                          got[kind]), "invalid")


# ---------------------------------------------------------------------------
# Request handler
# ---------------------------------------------------------------------------

LOGGED_HEADERS = ("Content-Range", "X-Goog-Hash", "Content-Length",
                  "Content-Type", "Transfer-Encoding", "Expect", "Range",
                  "X-Upload-Content-Type", "X-Upload-Content-Length",
                  "Metadata-Flavor", "Accept-Encoding")


def request_class(path):
    if path.startswith("/_ctl/"):
        return "ctl"
    if path.startswith("/upload/"):
        return "upload"
    if path == "/token":
        return "token"
    if path.startswith("/computeMetadata/"):
        return "meta"
    if path.startswith(("/storage/v1/", "/download/storage/v1/", "/b/")) \
            or path in ("/storage/v1/b", "/b"):
        return "storage"
    return "other"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fk-gcs-server/1"
    timeout = 120
    state = None                     # set by main()
    entry = None                     # request log entry being served

    # -- plumbing

    def log_message(self, fmt, *args):
        log = self.server.access_log
        if log:
            with self.server.log_lock:
                log.write("%s %s\n" % (self.log_date_time_string(),
                                       fmt % args))
                log.flush()

    def send_response(self, code, message=None):
        if self.entry is not None:
            self.entry["status"] = code
        super().send_response(code, message or PHRASES.get(code))

    def reply(self, code, body=b"", ctype=JSON_TYPE, headers=None):
        if code in (204, 304):
            body = b""
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        if not self.body.done:       # unread body: read it or hang up
            if not self.body.drain():
                self.close_connection = True
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if body or code not in (204, 304):
            self.send_header("Content-Type", ctype)
        if code not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def reply_error(self, err):
        body = {"error": {"code": err.code, "message": err.message,
                          "errors": [{"reason": err.reason,
                                      "domain": "global",
                                      "message": err.message}]}}
        self.reply(err.code, body, headers=err.headers)

    def hang_up(self):
        """Close the connection with an RST (SO_LINGER 0)."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                   struct.pack("ii", 1, 0))
        self.close_connection = True
        self.rfile.close()             # drops makefile()'s hold on the fd
        self.connection.close()
        self.rfile, self.wfile = io.BytesIO(), io.BytesIO()

    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET

    def dispatch(self):
        self.entry = None
        url = urllib.parse.urlsplit(self.path)
        self.raw_path = url.path
        self.query_all = urllib.parse.parse_qs(url.query,
                                               keep_blank_values=True)
        self.query = {k: v[-1] for k, v in self.query_all.items()}
        self.body = Body(self.rfile, self.headers)
        cls = request_class(url.path)
        try:
            if self.body.bad:
                self.close_connection = True
                raise HttpError(400, "Invalid Content-Length")
            if cls == "ctl":
                return self.route_ctl()
            self.entry = self.log_entry(cls)
            self.fault = None
            if self.apply_faults(self.state.count_request(cls, self.entry)):
                return
            self.route(cls)
        except HttpError as err:
            self.reply_error(err)
        except (ClientGone, ConnectionError, BrokenPipeError):
            self.close_connection = True

    def log_entry(self, cls):
        headers = {h: self.headers[h] for h in LOGGED_HEADERS
                   if h in self.headers}
        if "Authorization" in self.headers:
            headers["Authorization"] = "present"
        return {"t": round(time.time(), 3), "method": self.command,
                "path": self.raw_path, "query": dict(self.query),
                "class": cls, "headers": headers, "status": None,
                "fault": None}

    # -- faults

    def apply_faults(self, rules):
        """Run the faults for this request; True if it is answered."""
        for rule in [r for r in rules if r.kind == "stall"]:
            self.fired(rule)
            time.sleep(rule.arg if rule.arg is not None else 5)
        rule = next((r for r in rules if r.kind != "stall"), None)
        if rule is None:
            return False
        self.fired(rule)
        if rule.kind in ("503", "500", "408", "429", "403"):
            code = int(rule.kind)
            headers = {}
            if code == 429 or rule.arg is not None:
                headers["Retry-After"] = "%d" % (rule.arg or 1)
            raise HttpError(code, "Injected fault %s" % rule.text,
                            "forbidden" if code == 403 else None,
                            headers=headers)
        if rule.kind == "reset":
            want = rule.arg if rule.arg is not None else \
                (self.body.length or 0) // 2
            got = 0
            while got < want and not self.body.done:
                got += len(self.body.read(min(IO_BLOCK, int(want - got))))
            self.hang_up()
            return True
        if rule.kind in ("expire", "gone"):
            sess = self.session_of_request()
            self.state.end_sessions("expired" if rule.kind == "expire"
                                    else "gone", sess)
            return False
        self.fault = rule           # partial, badhash: used by handlers
        return False

    def fired(self, rule):
        self.state.note_fault(rule.kind)
        self.entry["fault"] = rule.text

    def fault_arg(self, kind):
        if self.fault is not None and self.fault.kind == kind:
            return self.fault.arg if self.fault.arg is not None else -1
        return None

    # -- routing

    def route_ctl(self):
        st = self.state
        path, method = self.raw_path, self.command
        if path == "/_ctl/stats" and method == "GET":
            return self.reply(200, st.stats())
        if path == "/_ctl/requests" and method == "GET":
            with st.lock:
                return self.reply(200, list(st.log))
        if path == "/_ctl/faults" and method == "GET":
            return self.reply(200, [r.text for r in st.rules])
        if path == "/_ctl/faults" and method == "POST":
            try:
                rules = json.loads(self.body.read_all(1 << 20) or b"[]")
                if not isinstance(rules, list):
                    raise ValueError("want a JSON list of rules")
                st.set_faults([str(r) for r in rules])
            except ValueError as exc:
                raise HttpError(400, str(exc)) from None
            return self.reply(200, [r.text for r in st.rules])
        if path == "/_ctl/reset" and method == "POST":
            st.reset()
            return self.reply(200, {"reset": True})
        raise HttpError(404, "no such control endpoint")

    def route(self, cls):
        if cls == "token":
            return self.do_token()
        if cls == "meta":
            return self.do_metadata()
        if cls == "other":
            raise HttpError(404, "Not Found")
        try:
            parts = [urllib.parse.unquote(p, errors="strict")
                     for p in self.raw_path.split("/")[1:]]
        except UnicodeDecodeError:
            raise HttpError(400, "path is not UTF-8") from None
        if parts[:1] == ["upload"]:
            return self.route_upload(parts[3:])
        if parts[:1] == ["download"]:
            parts = parts[1:]
        if parts[:2] == ["storage", "v1"]:
            parts = parts[2:]
        self.require_auth()
        return self.route_storage(parts)

    def require_auth(self):
        st = self.state
        if st.key is None:
            return
        auth = self.headers.get("Authorization", "")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() == "bearer" and token.strip() and \
                st.token_valid(token.strip()):
            return
        with st.lock:
            st.auth_rejected += 1
        raise HttpError(401, "Invalid Credentials" if auth else
                        "Anonymous caller does not have storage access.",
                        "authError" if auth else "required",
                        {"WWW-Authenticate": 'Bearer realm="fk"'})

    def route_upload(self, parts):
        # parts after /upload/storage/v1: b, BUCKET, o
        if len(parts) != 3 or parts[0] != "b" or parts[2] != "o":
            raise HttpError(404, "Not Found")
        bucket = parts[1]
        if "upload_id" in self.query:
            return self.session_request(self.session_of_request())
        self.require_auth()
        if self.command != "POST":
            raise HttpError(405, "Method Not Allowed")
        if "storage.objects.create" not in self.permissions():
            raise HttpError(403, "fk-test@fk-test.iam.gserviceaccount.com "
                            "does not have storage.objects.create access to "
                            "the Google Cloud Storage object. Permission "
                            "'storage.objects.create' denied on resource (or "
                            "it may not exist).", "forbidden")
        kind = self.query.get("uploadType", "media")
        if kind == "resumable":
            return self.upload_init(bucket)
        if kind == "multipart":
            return self.upload_multipart(bucket)
        if kind == "media":
            return self.upload_media(bucket)
        raise HttpError(400, "Invalid uploadType %r" % kind)

    def route_storage(self, parts):
        method = self.command
        if parts == ["b"] and method == "POST":
            doc = self.json_body() or {}
            return self.reply(200, self.bucket_resource(doc.get("name", "")))
        if len(parts) < 2 or parts[0] != "b" or not parts[1]:
            raise HttpError(404, "Not Found")
        bucket = parts[1]
        if len(parts) == 2:
            if method == "GET":
                return self.reply(200, self.bucket_resource(bucket))
            if method == "DELETE":
                return self.reply(204)
            raise HttpError(405, "Method Not Allowed")
        if parts[2:] == ["iam", "testPermissions"] and method == "GET":
            held = [p for p in self.query_all.get("permissions", [])
                    if p in self.permissions()]
            doc = {"kind": "storage#testIamPermissionsResponse"}
            if held:
                doc["permissions"] = held
            return self.reply(200, doc)
        if parts[2] != "o":
            raise HttpError(404, "Not Found")
        if len(parts) == 3:
            if method != "GET":
                raise HttpError(405, "Method Not Allowed")
            self.check_role(bucket, "")
            return self.list_objects(bucket)
        name = "/".join(parts[3:])
        self.check_role(bucket, name)
        if method in ("GET", "HEAD") and self.query.get("alt") == "media":
            return self.download(bucket, name)
        if method in ("GET", "HEAD"):
            obj = self.state.get_object(bucket, name)
            self.check_generation(obj)
            self.state.check_preconditions(bucket, name, self.query, True)
            return self.reply(200, self.resource(obj))
        if method == "DELETE":
            self.state.delete_object(bucket, name, self.query)
            return self.reply(204)
        raise HttpError(405, "Method Not Allowed")

    ROLES = {
        "owner": ("storage.objects.create", "storage.objects.get",
                  "storage.objects.list", "storage.objects.delete"),
        "creator": ("storage.objects.create",),
        "viewer": ("storage.objects.get", "storage.objects.list"),
    }

    def permissions(self):
        return self.ROLES[self.state.args.role]

    def check_role(self, bucket, name):
        """--role creator: storage.objects.create only, no get/list/delete;
        --role viewer: get and list only."""
        role = self.state.args.role
        if role == "creator" or (role == "viewer" and
                                 self.command == "DELETE"):
            what = "storage.objects.list" if not name else \
                "storage.objects.delete" if self.command == "DELETE" else \
                "storage.objects.get"
            raise HttpError(403, "fk-test@fk-test.iam.gserviceaccount.com "
                            "does not have %s access to the Google Cloud "
                            "Storage object. Permission '%s' denied on "
                            "resource (or it may not exist)." % (what, what),
                            "forbidden")

    # -- resources

    def base_url(self):
        return "http://127.0.0.1:%d" % self.state.port

    def resource(self, obj):
        b, n, g = obj["bucket"], obj["name"], obj["generation"]
        base = self.base_url()
        out = {
            "kind": "storage#object",
            "id": "%s/%s/%s" % (b, n, g),
            "selfLink": "%s/storage/v1/b/%s/o/%s" % (base, quote_all(b),
                                                     quote_all(n)),
            "mediaLink": "%s/download/storage/v1/b/%s/o/%s?generation=%s"
                         "&alt=media" % (base, quote_all(b), quote_all(n), g),
            "name": n, "bucket": b}
        out.update((k, v) for k, v in obj.items() if not k.startswith("_"))
        if self.state.args.omit_zero:
            out = {k: v for k, v in out.items()
                   if not (k in ZERO_VALUES and v == ZERO_VALUES[k])}
        return out

    def bucket_resource(self, bucket):
        if not bucket:
            raise HttpError(400, "bucket name required", "required")
        now = rfc3339(time.time())
        return {"kind": "storage#bucket", "id": bucket, "name": bucket,
                "selfLink": "%s/storage/v1/b/%s" % (self.base_url(),
                                                    quote_all(bucket)),
                "projectNumber": "0", "metageneration": "1",
                "location": "US", "locationType": "multi-region",
                "storageClass": "STANDARD", "etag": "CAE=",
                "timeCreated": now, "updated": now}

    def json_body(self):
        raw = self.body.read_all(1 << 20)
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise HttpError(400, "Parse Error: request body is not "
                            "JSON", "parseError") from None

    def check_generation(self, obj):
        gen = self.query.get("generation")
        if gen and gen != obj["generation"]:
            raise HttpError(404, "No such object: %s/%s#%s"
                            % (obj["bucket"], obj["name"], gen))

    # -- simple uploads

    def object_name(self, doc=None):
        name = self.query.get("name") or (doc or {}).get("name")
        if not name:
            raise HttpError(400, "Required", "required")
        if "\r" in name or "\n" in name or name in (".", "..") or \
                len(name.encode()) > 1024:
            raise HttpError(400, "The specified object name is not valid.")
        return name

    def store_stream(self, reader, limit=None):
        """Write a stream of blocks to a new data file: (path, hasher)."""
        path = self.state.new_data_path("objects")
        hasher = Hasher()
        corrupt = self.fault_arg("badhash") is not None
        try:
            with open(path, "wb") as f:
                for data in reader:
                    if corrupt and data:
                        data = bytes([data[0] ^ 0x01]) + data[1:]
                        corrupt = False
                    hasher.update(data)
                    f.write(data)
        except BaseException:
            _unlink(path)
            raise
        return path, hasher

    def body_blocks(self):
        while True:
            data = self.body.read()
            if not data:
                return
            yield data

    def finish_simple(self, bucket, name, meta, doc, path, hasher):
        try:
            check_hashes(expected_hashes(doc, self.headers.get(
                "X-Goog-Hash")), hasher)
        except HttpError:
            _unlink(path)
            raise
        obj = self.state.commit(bucket, name, meta, self.query, path, hasher)
        self.reply_final(obj)

    def upload_media(self, bucket):
        name = self.object_name()
        self.state.check_early(bucket, name, self.query)
        meta = {"contentType": self.headers.get("Content-Type") or
                "application/octet-stream"}
        if self.query.get("contentEncoding"):
            meta["contentEncoding"] = self.query["contentEncoding"]
        path, hasher = self.store_stream(self.body_blocks())
        self.finish_simple(bucket, name, meta, None, path, hasher)

    def upload_multipart(self, bucket):
        ctype = self.headers.get("Content-Type", "")
        boundary = None
        for param in ctype.split(";")[1:]:
            key, _, val = param.strip().partition("=")
            if key.lower() == "boundary":
                boundary = val.strip().strip('"')
        if not ctype.lower().startswith("multipart/") or not boundary:
            raise HttpError(400, "multipart upload needs Content-Type "
                            "multipart/related; boundary=...")
        parts = MultipartReader(self.body, boundary.encode())
        _, raw = parts.next_part_small()
        try:
            doc = json.loads(raw) if raw.strip() else {}
        except ValueError:
            raise HttpError(400, "metadata part is not JSON",
                            "parseError") from None
        name = self.object_name(doc)
        meta = object_meta(doc)
        self.state.check_early(bucket, name, self.query)
        media_headers = parts.next_part_headers()
        meta.setdefault("contentType", media_headers.get(
            "content-type", "application/octet-stream"))
        path, hasher = self.store_stream(parts.part_blocks())
        parts.finish()
        self.finish_simple(bucket, name, meta, doc, path, hasher)

    # -- resumable uploads

    def upload_init(self, bucket):
        doc = self.json_body()
        name = self.object_name(doc)
        meta = object_meta(doc)
        if "contentType" not in meta and \
                self.headers.get("X-Upload-Content-Type"):
            meta["contentType"] = self.headers["X-Upload-Content-Type"]
        self.state.check_early(bucket, name, self.query)
        params = dict(self.query)
        params["_hashes"] = expected_hashes(doc, None)
        length = self.headers.get("X-Upload-Content-Length")
        try:
            params["_length"] = None if length is None else int(length)
        except ValueError:
            raise HttpError(400, "Invalid X-Upload-Content-Length") from None
        sess = self.state.new_session(bucket, name, meta, params)
        location = "%s/upload/storage/v1/b/%s/o?uploadType=resumable" \
                   "&upload_id=%s" % (self.base_url(), quote_all(bucket),
                                      sess.id)
        self.reply(200, b"", "text/plain; charset=utf-8",
                   {"Location": location, "X-GUploader-UploadID": sess.id})

    def session_of_request(self):
        """The Session this request addresses (None if it has none)."""
        sid = self.query.get("upload_id")
        if sid is None:
            return None
        with self.state.lock:
            sess = self.state.sessions.get(sid)
        if sess is None:
            raise HttpError(404, "No such upload session.")
        return sess

    def session_request(self, sess):
        with sess.lock:
            if sess.state == "cancelled":
                raise HttpError(499, "The upload was cancelled.")
            if sess.state == "expired":
                raise HttpError(404, "The upload session has expired.")
            if sess.state in ("gone", "failed"):
                raise HttpError(410, "The upload session is no longer "
                                "usable.")
            if self.command == "DELETE":
                sess.state = "cancelled"
                _unlink(sess.path)
                raise HttpError(499, "The upload was cancelled.")
            if sess.state == "done":
                return self.reply(200, self.resource(sess.result))
            if self.command not in ("PUT", "POST"):
                raise HttpError(405, "Method Not Allowed")
            return self.session_put(sess)

    def session_put(self, sess):
        cr = self.headers.get("Content-Range")
        first, last, total = (0, "*", None) if cr is None else \
            parse_content_range(cr)
        self.check_total(sess, total)
        if first is None:                       # status query / finalize
            if self.body.read(1):
                raise HttpError(400, "Content-Range */... needs an empty "
                                "body.")
            if total is not None and total == sess.offset:
                return self.finalize(sess)
            if total is not None and total < sess.offset:
                raise HttpError(400, "Total %d is below the %d bytes "
                                "already persisted." % (total, sess.offset))
            return self.reply_308(sess)
        if first > sess.offset:
            raise HttpError(503, "Chunk starts at %d but only %d bytes are "
                            "persisted." % (first, sess.offset))
        if last != "*":
            self.check_chunk(sess, first, last, total)
        # Never persist past the range or the total the client declared.
        limit = (last + 1) if last != "*" else total
        partial = self.fault_arg("partial")
        if partial is not None:
            size = self.body.length if last == "*" else last - first + 1
            cut = first + (int(partial) if partial >= 0 else (size or 0) // 2)
            limit = cut if limit is None else min(limit, cut)
        self.append_chunk(sess, first, limit)
        if last != "*" and self.body.received != last - first + 1:
            raise HttpError(400, "Content-Range covers %d bytes, the body "
                            "had %d." % (last - first + 1, self.body.received))
        if last == "*" and partial is None:
            if total is None:
                total = sess.offset
            if total != sess.offset:
                raise HttpError(400, "Upload ended at %d, Content-Range "
                                "said %d." % (sess.offset, total))
        if total is not None and sess.offset == total and partial is None:
            return self.finalize(sess)
        return self.reply_308(sess)

    def check_chunk(self, sess, first, last, total):
        size = last - first + 1
        if self.body.length is not None and self.body.length != size:
            raise HttpError(400, "Content-Range covers %d bytes, the body "
                            "has %d." % (size, self.body.length))
        if total is None and size % CHUNK_ALIGN:
            raise HttpError(400, "Invalid request. The number of bytes "
                            "uploaded is required to be equal or greater "
                            "than 262144, except for the final request (it's "
                            "recommended to be the exact multiple of 262144)."
                            " The received request contained %d bytes, which"
                            " does not meet this requirement." % size)
        if total is not None and last + 1 != total:
            raise HttpError(400, "Content-Range %d-%d/%d: a final chunk must"
                            " end at the total." % (first, last, total))

    def check_total(self, sess, total):
        declared = sess.params.get("_length")
        if total is not None and declared is not None and total != declared:
            raise HttpError(400, "Total %d differs from X-Upload-Content-"
                            "Length %d." % (total, declared))

    def append_chunk(self, sess, first, limit):
        """Persist the body past the session's offset (up to limit)."""
        pos = first
        corrupt = self.fault_arg("badhash") is not None
        with open(sess.path, "ab") as f:
            while True:
                data = self.body.read()
                if not data:
                    return
                start, pos = pos, pos + len(data)
                skip = max(0, sess.offset - start)   # already persisted
                stop = len(data) if limit is None else \
                    max(0, min(len(data), limit - start))
                if skip >= stop:
                    continue
                data = data[skip:stop]
                if corrupt:
                    data = bytes([data[0] ^ 0x01]) + data[1:]
                    corrupt = False
                f.write(data)
                f.flush()
                sess.hasher.update(data)

    def reply_308(self, sess):
        headers = {}
        if sess.offset:
            headers["Range"] = "bytes=0-%d" % (sess.offset - 1)
        self.reply(308, b"", "text/plain; charset=utf-8", headers)

    def finalize(self, sess):
        want = dict(sess.params["_hashes"])
        try:
            want.update(expected_hashes(None, self.headers.get(
                "X-Goog-Hash")))
            check_hashes(want, sess.hasher)
            params = {k: v for k, v in sess.params.items()
                      if not k.startswith("_")}
            obj = self.state.commit(sess.bucket, sess.name, sess.meta,
                                    params, sess.path, sess.hasher)
        except HttpError:
            sess.state = "failed"
            _unlink(sess.path)
            raise
        sess.state, sess.result = "done", obj
        self.reply_final(obj)

    def reply_final(self, obj):
        """The answer that completes an upload, maybe lost or cut short."""
        args = self.state.args
        cut = self.fault_arg("cut")
        if cut is not None:
            cut = 10 if cut < 0 else int(cut)
        elif args.cut_final is not None:
            cut = args.cut_final
        if self.fault_arg("drop") is not None or args.drop_final:
            self.body.drain()
            self.close_connection = True
            return
        if cut is None:
            return self.reply(200, self.resource(obj))
        body = json.dumps(self.resource(obj)).encode()
        self.body.drain()
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", JSON_TYPE)
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body[:cut])

    # -- reads

    def list_objects(self, bucket):
        prefix = self.query.get("prefix", "")
        delim = self.query.get("delimiter", "")
        try:
            limit = max(1, min(1000, int(self.query.get("maxResults",
                                                        1000))))
        except ValueError:
            raise HttpError(400, "Invalid maxResults") from None
        after = ""
        if self.query.get("pageToken"):
            try:
                after = b64url_decode(self.query["pageToken"]).decode()
            except ValueError:
                raise HttpError(400, "Invalid pageToken") from None
        entries = {}                       # key -> item resource or None
        for obj in self.state.list_objects(bucket):
            name = obj["name"]
            if not name.startswith(prefix):
                continue
            rest = name[len(prefix):]
            if delim and delim in rest:
                key = prefix + rest[:rest.index(delim) + len(delim)]
                entries.setdefault(key, None)
            else:
                entries[name] = obj
        keys = [k for k in sorted(entries) if k > after]
        page, more = keys[:limit], len(keys) > limit
        out = {"kind": "storage#objects"}
        items = [self.resource(entries[k]) for k in page if entries[k]]
        prefixes = [k for k in page if entries[k] is None]
        if items:
            out["items"] = items
        if prefixes:
            out["prefixes"] = prefixes
        if more:
            out["nextPageToken"] = base64.urlsafe_b64encode(
                page[-1].encode()).decode().rstrip("=")
        self.reply(200, out)

    def download(self, bucket, name):
        obj = self.state.get_object(bucket, name)
        self.check_generation(obj)
        self.state.check_preconditions(bucket, name, self.query, True)
        f = open(obj["_path"], "rb")       # survives a replacement
        with f:
            self.send_media(obj, f)

    def send_media(self, obj, f):
        size = int(obj["size"])
        stored_enc = obj.get("contentEncoding", "") or "identity"
        accept_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        no_transform = "no-transform" in obj.get("cacheControl", "")
        headers = {
            "x-goog-hash": "crc32c=%s,md5=%s" % (obj["crc32c"],
                                                 obj["md5Hash"]),
            "x-goog-generation": obj["generation"],
            "x-goog-metageneration": obj["metageneration"],
            "x-goog-stored-content-encoding": stored_enc,
            "x-goog-stored-content-length": obj["size"],
            "x-goog-storage-class": obj["storageClass"],
            "ETag": '"%s"' % obj["md5Hash"],
            "Last-Modified": self.date_time_string(
                int(obj["generation"]) // 1000000),
            "Accept-Ranges": "bytes"}
        if obj.get("cacheControl"):
            headers["Cache-Control"] = obj["cacheControl"]
        if stored_enc == "gzip" and not accept_gzip and not no_transform:
            return self.send_gunzipped(obj, f, headers)
        if stored_enc != "identity":
            headers["Content-Encoding"] = stored_enc
        start, end = self.byte_range(size)
        code = 200
        if (start, end) != (0, size):
            code = 206
            headers["Content-Range"] = "bytes %d-%d/%d" % (start, end - 1,
                                                          size)
        self.send_response(code)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Type", obj["contentType"])
        self.send_header("Content-Length", str(end - start))
        self.end_headers()
        if self.command == "HEAD":
            return
        f.seek(start)
        corrupt = self.fault_arg("badhash") is not None
        left = end - start
        while left > 0:
            data = f.read(min(IO_BLOCK, left))
            if not data:
                raise ClientGone()     # cannot happen: file is immutable
            if corrupt:
                data = bytes([data[0] ^ 0x01]) + data[1:]
                corrupt = False
            self.wfile.write(data)
            left -= len(data)

    def byte_range(self, size):
        """(start, end) from a single-range Range header, else (0, size)."""
        value = self.headers.get("Range", "").strip()
        if not value.startswith("bytes=") or "," in value:
            return 0, size
        first, _, last = value[6:].partition("-")
        try:
            if first == "":
                start, end = max(0, size - int(last)), size
            else:
                start = int(first)
                end = size if last == "" else min(size, int(last) + 1)
        except ValueError:
            return 0, size
        if start >= size or start >= end:
            if size == 0 and start == 0:
                return 0, 0
            raise HttpError(416, "The requested range cannot be satisfied.",
                            headers={"Content-Range": "bytes */%d" % size})
        return start, end

    def send_gunzipped(self, obj, f, headers):
        """Decompressive transcoding: chunked, no Content-Length."""
        self.send_response(200)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Type", obj["contentType"])
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)

        def chunk(data):
            if data:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        try:
            while True:
                data = f.read(IO_BLOCK)
                if not data:
                    break
                chunk(inflate.decompress(data))
            chunk(inflate.flush())
        except zlib.error:
            self.close_connection = True    # stored bytes are not gzip
            return
        self.wfile.write(b"0\r\n\r\n")

    # -- OAuth token endpoint and metadata server

    def token_error(self, code, error, description):
        self.reply(code, {"error": error, "error_description": description})

    def do_token(self):
        if self.command != "POST":
            raise HttpError(405, "Method Not Allowed")
        form = {k: v[-1] for k, v in urllib.parse.parse_qs(
            self.body.read_all(1 << 20).decode("utf-8", "replace"),
            keep_blank_values=True).items()}
        grant = form.get("grant_type", "")
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return self.grant_jwt(form)
        if grant == "refresh_token":
            return self.grant_refresh(form)
        self.token_error(400, "unsupported_grant_type",
                         "Invalid grant_type: %s" % grant)

    def grant_jwt(self, form):
        if not form.get("assertion"):
            return self.token_error(400, "invalid_request",
                                    "Missing required parameter: assertion")
        own = ("%s/token" % self.base_url(),
               "http://%s/token" % self.headers.get("Host", ""))
        try:
            claims = verify_jwt(form["assertion"], self.state.key, own)
        except JwtError as exc:
            return self.token_error(400, "invalid_grant", str(exc))
        if not isinstance(claims.get("scope"), str) or \
                not claims["scope"].strip():
            return self.token_error(400, "invalid_scope",
                                    "Invalid JWT: no scope claim")
        self.reply(200, self.state.issue_token("jwt-bearer"),
                   headers={"Cache-Control": "no-store"})

    def grant_refresh(self, form):
        args = self.state.args
        for field in ("client_id", "client_secret", "refresh_token"):
            if not form.get(field):
                return self.token_error(400, "invalid_request",
                                        "Missing required parameter: %s"
                                        % field)
        if args.client_secret and form["client_secret"] != args.client_secret:
            return self.token_error(401, "invalid_client", "Unauthorized")
        if args.refresh_token and form["refresh_token"] != args.refresh_token:
            return self.token_error(400, "invalid_grant", "Bad Request")
        self.reply(200, self.state.issue_token("refresh_token"),
                   headers={"Cache-Control": "no-store"})

    def do_metadata(self):
        flavor = {"Metadata-Flavor": "Google"}
        if self.headers.get("Metadata-Flavor") != "Google":
            return self.reply(403, "Missing required header: "
                              "Metadata-Flavor\n", "text/html")
        path = self.raw_path
        sa = "/computeMetadata/v1/instance/service-accounts/default/"
        email = "fk-test@%s.iam.gserviceaccount.com" % self.state.args.project
        if path == sa + "token":
            body = self.state.issue_token("metadata")
            return self.reply(200, body, headers=flavor)
        if path == "/computeMetadata/v1/project/project-id":
            return self.reply(200, self.state.args.project, "application/text",
                              flavor)
        if path == sa + "email":
            return self.reply(200, email, "application/text", flavor)
        if path in (sa, sa.rstrip("/")) and \
                self.query.get("recursive") == "true":
            return self.reply(200, {"aliases": ["default"], "email": email,
                                    "scopes": [
                                        "https://www.googleapis.com/auth/"
                                        "cloud-platform"]}, headers=flavor)
        if path in ("/computeMetadata/v1/", "/computeMetadata/v1/instance",
                    "/computeMetadata/v1/instance/"):
            return self.reply(200, "instance/\nproject/\n", "application/text",
                              flavor)
        return self.reply(404, "Not Found\n", "text/html", flavor)


class MultipartReader:
    """Streaming reader of a multipart/related body (JSON part, media)."""

    def __init__(self, body, boundary):
        self.body = body
        self.buf = b""
        self.delim = b"--" + boundary
        self.marker = b"\r\n" + self.delim
        self._until(self.delim)            # skip the preamble
        self._after_delim()

    def _fill(self):
        data = self.body.read()
        if not data:
            raise HttpError(400, "truncated multipart body")
        self.buf += data

    def _until(self, token, limit=1 << 20):
        """Bytes up to token (consumed, token included)."""
        while token not in self.buf:
            if len(self.buf) > limit:
                raise HttpError(400, "malformed multipart body")
            self._fill()
        head, _, self.buf = self.buf.partition(token)
        return head

    def _after_delim(self):
        while len(self.buf) < 2:
            self._fill()
        if self.buf[:2] == b"--":
            raise HttpError(400, "multipart body has too few parts")
        self._until(b"\r\n", 1024)

    def next_part_headers(self):
        while len(self.buf) < 2:
            self._fill()
        if self.buf[:2] == b"\r\n":         # a part without headers
            self.buf = self.buf[2:]
            return {}
        raw = self._until(b"\r\n\r\n") + b"\r\n"
        headers = {}
        for line in raw.decode("latin-1").split("\r\n"):
            key, sep, value = line.partition(":")
            if sep:
                headers[key.strip().lower()] = value.strip()
        return headers

    def next_part_small(self):
        headers = self.next_part_headers()
        data = self._until(self.marker)
        self._after_delim()
        return headers, data

    def part_blocks(self):
        """Yield the part's bytes until the closing delimiter."""
        keep = len(self.marker) - 1
        while True:
            at = self.buf.find(self.marker)
            if at >= 0:
                data, self.buf = self.buf[:at], self.buf[at + len(
                    self.marker):]
                yield data
                return
            if len(self.buf) > keep:
                data, self.buf = self.buf[:-keep], self.buf[-keep:]
                yield data
            self._fill()

    def finish(self):
        while len(self.buf) < 2:
            self._fill()
        if self.buf[:2] != b"--":
            raise HttpError(400, "multipart upload must have exactly two "
                            "parts")
        self.body.drain()


# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------

class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", required=True)
    p.add_argument("--data-dir")
    p.add_argument("--public-key")
    p.add_argument("--token-ttl", type=int, default=3599)
    p.add_argument("--refresh-token")
    p.add_argument("--client-secret")
    p.add_argument("--project", default="fk-test")
    p.add_argument("--fault", action="append")
    p.add_argument("--log")
    p.add_argument("--omit-zero", action="store_true")
    p.add_argument("--cut-final", type=int)
    p.add_argument("--drop-final", action="store_true")
    p.add_argument("--late-preconditions", action="store_true")
    p.add_argument("--role", choices=("owner", "creator", "viewer"),
                   default="owner")
    args = p.parse_args(argv)
    for rule in args.fault or []:
        try:
            Rule(rule)
        except ValueError as exc:
            p.error(str(exc))
    return args


def write_port_file(path, port):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w", encoding="ascii") as f:
        f.write("%d\n" % port)
    os.replace(tmp, path)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    own_dir = None
    if args.data_dir:
        data_dir = args.data_dir
    else:
        data_dir = own_dir = tempfile.mkdtemp(prefix="fk-gcs-")
    try:
        Handler.state = state = State(args, data_dir)
        server = Server(("127.0.0.1", args.port), Handler)
        server.access_log = open(args.log, "a", encoding="utf-8") \
            if args.log else None
        server.log_lock = threading.Lock()
        state.port = server.server_address[1]
        write_port_file(args.port_file, state.port)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
    finally:
        if own_dir:
            shutil.rmtree(own_dir, ignore_errors=True)


if __name__ == "__main__":
    import signal
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    main()
