#!/bin/sh
# gcs-put --check: the credentials resolve (a token is fetched), the
# bucket lets them create objects (testIamPermissions) and the create-only
# precondition holds; standard input is not read and nothing is created.
# Each refusal has its documented code and a clear message.
. "$FK_TESTDIR/lib.sh"
. "$FK_TESTDIR/gcs_auth_lib.sh"

genkey good
start_gcs --public-key "$T/good.pub"
sa_json good "$u/token" "$T/sa.json"
GOOGLE_APPLICATION_CREDENTIALS=$T/sa.json
export GOOGLE_APPLICATION_CREDENTIALS
: >"$T/all"

chk() {	# [gcs-put args] gs://...: --check with stdin an endless stream
	timeout 20 gcs-put --check --endpoint "$u" "$@" </dev/zero >"$T/out" 2>"$T/err"
	rc=$?
	cat "$T/out" "$T/err" >>"$T/all"
}

# 1. All in order.
chk -v gs://bkt/new.csv
is "credentials and permission in order: exit 0" "$rc" 0
is "nothing on stdout" "$(wc -c <"$T/out" | tr -d ' ')" 0
is "the credentials were used: one token issued" "$(stats tokens_issued.jwt-bearer)" 1
is "nothing created" "$(stats objects)" 0
is "no upload request, no session" "$(stats requests.upload)" 0
curl -s "$u/_ctl/requests" | jq -r '.[] | "\(.method) \(.path)"' >"$T/reqs"
grep -q '^GET /storage/v1/b/bkt/iam/testPermissions$' "$T/reqs" && grep -q '^GET /storage/v1/b/bkt/o/new.csv$' "$T/reqs" &&
    ok "it asked testIamPermissions and read the object's metadata" || notok "the check's requests" "$(cat "$T/reqs")"
grep -q 'the credentials work, the bucket accepts new objects' "$T/err" &&
    ok "-v says what was checked" || notok "-v says what was checked" "$(cat "$T/err")"
chk -q gs://bkt/new.csv
is "-q: silent" "$(cat "$T/out" "$T/err")" ""

# 1b. The metadata read fails otherwise (503; one attempt): unknown too.
curl -s -o /dev/null -X POST -H 'Content-Type: application/json' \
    --data-binary '["storage:2:503"]' "$u/_ctl/faults"
chk gs://bkt/new.csv
curl -s -o /dev/null -X POST -H 'Content-Type: application/json' \
    --data-binary '[]' "$u/_ctl/faults"
is "metadata read answered 503: exit 0, the upload will decide" "$rc" 0
[ "$(grep -c "check cannot tell whether the object exists (HTTP 503)" "$T/err")" = 1 ] &&
    ! grep -q "precondition holds" "$T/err" &&
    ok "metadata read answered 503: one warning, no claim that the precondition holds" ||
    notok "metadata read answered 503: warning" "$(cat "$T/err")"

# 2. The object exists: create-only would fail, so the check does (1).
put there.csv
chk gs://bkt/there.csv
is "an existing object: exit 1" "$rc" 1
grep -q "object 'gs://bkt/there.csv' exists" "$T/err" && ok "it names the object" || notok "it names the object" "$(cat "$T/err")"
chk --overwrite gs://bkt/there.csv
is "--overwrite: the existing object is no obstacle" "$rc" 0
is "still one object, untouched" "$(stats objects)" 1

# 3. No credentials at all: 78 before any request.
ctl_reset
env -u GOOGLE_APPLICATION_CREDENTIALS timeout 20 gcs-put --check --endpoint "$u" gs://bkt/x </dev/zero >"$T/out" 2>"$T/err"
rc=$?
is "no credentials: exit 78" "$rc" 78
grep -q 'no credentials found' "$T/err" && ok "no credentials: says so" || notok "no credentials: says so" "$(cat "$T/err")"
is "no credentials: no request reached the server" "$(curl -s "$u/_ctl/requests" | jq length)" 0

# 4. A key the server does not know: the token is refused (77).
genkey other
sa_json other "$u/token" "$T/other.json"
GOOGLE_APPLICATION_CREDENTIALS=$T/other.json timeout 20 gcs-put --check --endpoint "$u" gs://bkt/x </dev/zero >"$T/out" 2>"$T/err"
is "credentials the service refuses: exit 77" "$?" 77
cat "$T/out" "$T/err" >>"$T/all"

# 5. Roles: a viewer may not create (77, naming the permission); a
# creator may not read, so whether the object exists is unknown: go on.
for role in viewer creator; do
	start_server "$role" "$PY" "$SRV" --role "$role"
done
STORAGE_EMULATOR_HOST=127.0.0.1:$viewer_PORT timeout 20 gcs-put --check gs://bkt/x </dev/zero >"$T/out" 2>"$T/err"
rc=$?
is "roles/storage.objectViewer: exit 77" "$rc" 77
grep -q "may not create objects in bucket 'bkt' (they lack storage.objects.create)" "$T/err" &&
    ok "viewer: the message names the missing permission" || notok "viewer: message" "$(cat "$T/err")"
STORAGE_EMULATOR_HOST=127.0.0.1:$creator_PORT timeout 20 gcs-put --check gs://bkt/x </dev/zero >"$T/out" 2>"$T/err"
is "roles/storage.objectCreator (no read): exit 0, the upload's precondition will decide" "$?" 0
# --check uploads nothing: its warning must not speak of uploading.
[ "$(grep -c "check cannot tell whether the object exists (HTTP 403" "$T/err")" = 1 ] &&
    [ "$(grep -c "warning" "$T/err")" = 1 ] && ! grep -q "uploading" "$T/err" &&
    ! grep -q "precondition holds" "$T/err" &&
    ok "creator --check: one warning, that the check cannot tell whether the object exists (and no claim that the precondition holds)" ||
    notok "creator --check: warning" "$(cat "$T/err")"
is "the creator check created nothing" "$(curl -s "http://127.0.0.1:$creator_PORT/_ctl/stats" | jq .objects)" 0

nosecret "no key, token or JWT in any output of --check" "$T/all"
