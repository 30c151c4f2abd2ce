# examples/job.mk: a Makefile-driven data job.  Per shard: fetch, shape,
# upload; then a manifest object and a _SUCCESS marker, written only when
# every part succeeded, so a failing stage never looks complete to a
# loader.  Objects are create-only with deterministic names: re-running
# the job after a failure redoes only the missing parts (their receipts
# are missing) and never overwrites what was written.
#
#   make -f examples/job.mk BUCKET=my-bucket [COUNT=1000] [SHARDS=1]
#        [SEED=...] [DATE=YYYY-MM-DD] [RESOURCE=users] [FORMAT=avro]
#
# Shards are separate processes: one machine after another, GNU parallel
# (`seq 1 8 | parallel make -f examples/job.mk part SHARDS=8 SHARD={}`), or
# one per machine (Kubernetes Indexed Job, Cloud Run Job); all must use the
# same SEED, COUNT and SHARDS.  On the real FakerAPI, shards sharing one IP
# share its 30 requests/minute: run them one after another there.
#
# Each part is shaped into a local file (fk-shape -O writes it whole or
# not at all) before gcs-put sends it: a stage that fails half-way must
# not leave a truncated object that looks like a part.

SHELL       = /bin/bash
.SHELLFLAGS = -o pipefail -euc
BUCKET      = $(error set BUCKET=name)
RESOURCE    = users
TABLE       = $(RESOURCE)
COUNT       = 1000
SHARDS      = 1
DATE       := $(shell date -u +%F)
# The same seed every time the job runs for a date: a re-run reproduces it.
SEED        = $(subst -,,$(DATE))
FORMAT      = avro
FILTER      = examples/$(RESOURCE).jq
SCHEMA      = examples/$(RESOURCE).schema.json
SHAPE_FLAGS = -o $(FORMAT) -f $(FILTER) --schema $(SCHEMA)
FETCH_FLAGS =
PUT_FLAGS   =
# fk-fetch's and gcs-put's verbosity: -q (errors only), empty, or -v.
# With FK_LOG=json every line they write is a Cloud Logging entry.
LOG_FLAGS   = -q
DATASET     = mydataset
PREFIX      = gs://$(BUCKET)/$(TABLE)/dt=$(DATE)
WORK        = work/$(TABLE)/dt=$(DATE)
# jq programs (kept on one line each: make passes backslashes to the shell).
MANIFEST_JQ = {table: "$(TABLE)", date: "$(DATE)", seed: $(SEED), count: $(COUNT), shards: $(SHARDS), format: "$(FORMAT)", rows: (map(.rows) | add), parts: map({name, generation, size, crc32c, md5Hash, rows})}
BQ_JQ       = select(.event == "bq_load") | "bq load \(.flags | sub("--schema=[^ ]*"; "--schema=" + $$schema)) \($$dst) \"\($$src)\""
PARTS       = $(foreach i,$(shell seq 1 $(SHARDS)),$(WORK)/part-$(i)-of-$(SHARDS).json)

all: $(WORK)/_SUCCESS.json
	@cat $(WORK)/bq-load.sh

# One part.  Its receipt (the object gcs-put printed, plus the row count)
# appears only when all three stages succeeded.
$(WORK)/part-%-of-$(SHARDS).json:
	@mkdir -p $(WORK)
	fk-fetch $(LOG_FLAGS) -n $(COUNT) --seed $(SEED) --shard $*/$(SHARDS) $(FETCH_FLAGS) $(RESOURCE) \
	| FK_LOG=json fk-shape $(SHAPE_FLAGS) --emit-schema $(WORK)/schema.$*.json \
	    -O $(WORK)/part-$*.$(FORMAT) 2> $(WORK)/part-$*.log
	gcs-put $(LOG_FLAGS) -m fk-shard=$*/$(SHARDS) -m fk-seed=$(SEED) $(PUT_FLAGS) \
	    $(PREFIX)/part-$*-of-$(SHARDS).$(FORMAT) < $(WORK)/part-$*.$(FORMAT) > $@.tmp
	jq -c --argjson rows "$$(jq -s 'map(select(.event == "summary"))[0].written' \
	    $(WORK)/part-$*.log)" '. + {rows: $$rows}' $@.tmp > $@
	rm -f $@.tmp $(WORK)/part-$*.$(FORMAT)

part: $(WORK)/part-$(SHARD)-of-$(SHARDS).json

$(WORK)/manifest.json: $(PARTS)
	jq -s '$(MANIFEST_JQ)' $(PARTS) > $@.tmp
	gcs-put $(LOG_FLAGS) --content-type application/json $(PUT_FLAGS) \
	    $(PREFIX)/_MANIFEST.json < $@.tmp > /dev/null
	mv $@.tmp $@

# The bq load command, from the schema and flags fk-shape emitted.
$(WORK)/bq-load.sh: $(WORK)/manifest.json
	cp $(WORK)/schema.1.json $(WORK)/schema.json
	jq -r --arg src '$(PREFIX)/part-*' --arg dst '$(DATASET).$(TABLE)' \
	    --arg schema '$(WORK)/schema.json' '$(BQ_JQ)' $(WORK)/part-1.log > $@

$(WORK)/_SUCCESS.json: $(WORK)/manifest.json $(WORK)/bq-load.sh
	gcs-put $(LOG_FLAGS) $(PUT_FLAGS) $(PREFIX)/_SUCCESS < /dev/null > $@.tmp
	mv $@.tmp $@

clean:
	rm -rf $(WORK)

.PHONY: all part clean
.DELETE_ON_ERROR:
