# examples/job.mk: the data job, driven by make.  Per shard: fetch and
# shape into a local part, upload it and its rejects; then a manifest and a
# _SUCCESS marker, written only when every part succeeded and the counts
# reconcile, so a failing stage never looks complete to a loader.
# Objects are create-only with deterministic names, and every step leaves
# a receipt under $(WORK): a re-run redoes only what is missing, and after
# an upload failure it only uploads.
#
#   make -f examples/job.mk BUCKET=my-bucket [CONFIG=job.conf] [COUNT=1000]
#        [SHARDS=1] [SEED=...] [DATE=YYYY-MM-DD] [RESOURCE=users]
#        [FORMAT=avro] [PII=protect|keep] [MAX_BAD=0] ...
#
# Settings.  Each is a make variable X, an environment variable FK_X and a
# key x (lower case) of the CONFIG file (see examples/job.conf), resolved
# in this order: the command line, the environment, the CONFIG file, the
# default.
#
#   BUCKET         bucket        the bucket (required)
#   PREFIX         prefix        object prefix (RESOURCE/dt=DATE)
#   RESOURCE       resource      FakerAPI resource (users); its jq program
#                                and schema are examples/RESOURCE.{jq,schema.json}
#   COUNT          count         records in all shards together (1000)
#   SHARDS         shards        parts (1)
#   SEED           seed          base seed (DATE without dashes)
#   FORMAT         format        avro (default), parquet, ndjson or csv
#   DATASET        dataset       BigQuery dataset of the bq load command (mydataset)
#   PII            pii           protect (default) or keep
#   HASH_KEY_FILE  hash_key_file file holding the HMAC key (else $FK_HASH_KEY)
#   BASE_URL       base_url      FakerAPI base URL (fk-fetch's default)
#   RATE           rate          requests per minute (fk-fetch's default)
#   MAX_BAD        max_bad       rejected records allowed in all (0)
#
# Personal data is protected by default (PII=protect): fk-shape replaces
# email with its HMAC-SHA256 under the key and masks ip to its /24 (/48),
# and users.jq never passes the password.  With no key the job refuses to
# start (exit 78, before any request).  PII=keep writes them in clear text.
# The manifest records the policy and the key id (the first 8 hex digits
# of SHA-256 of the key, never the key).
#
# A configuration error (unknown or bad CONFIG line, no bucket, no key, a
# policy that is neither protect nor keep) stops the job in its first step,
# `preflight`, with exit code 78 before any request; make reports it as
# "Error 78" and itself exits 2, as for any failed step.  examples/job
# runs this file with the failed step's own code as its exit status.
#
# Shards are separate processes: one machine after another, GNU parallel
# (`seq 1 8 | parallel make -f examples/job.mk part SHARDS=8 SHARD={}`), or
# one per machine (Kubernetes Indexed Job, Cloud Run Job: SHARD defaults to
# JOB_COMPLETION_INDEX + 1 or CLOUD_RUN_TASK_INDEX + 1); all must use the
# same SEED, COUNT and SHARDS.  On the real FakerAPI, shards sharing one IP
# share its 30 requests/minute: run them one after another there.

SHELL       = /bin/bash
.SHELLFLAGS = -o pipefail -euc
JOBDIR     := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))

# ---- the CONFIG file: conf_KEY variables, or CONF_ERROR naming the line
CONFIG_KEYS = bucket prefix resource count shards seed format dataset pii \
              hash_key_file base_url rate max_bad
ifneq ($(CONFIG),)
ifeq ($(wildcard $(CONFIG)),)
CONF_ERROR := CONFIG=$(CONFIG): no such file
else
conf_lines := $(shell awk -v keys='$(strip $(CONFIG_KEYS))' -f $(JOBDIR)/job-config.awk '$(CONFIG)' || [ $$? = 1 ] || echo 'ERROR: $(CONFIG): cannot be read')
ifneq ($(filter ERROR:,$(conf_lines)),)
CONF_ERROR := $(filter-out ERROR:,$(conf_lines))
else
$(foreach a,$(conf_lines),$(eval $(a)))
endif
endif
endif

# ---- settings: command line (make's own rule), environment, file, default
BUCKET        = $(or $(FK_BUCKET),$(conf_bucket))
RESOURCE      = $(or $(FK_RESOURCE),$(conf_resource),users)
TABLE         = $(RESOURCE)
DATE         := $(shell date -u +%F)
PREFIX        = $(patsubst %/,%,$(or $(FK_PREFIX),$(conf_prefix),$(TABLE)/dt=$(DATE)))
COUNT         = $(or $(FK_COUNT),$(conf_count),1000)
SHARDS        = $(or $(FK_SHARDS),$(conf_shards),1)
# The same seed every time the job runs for a date: a re-run reproduces it.
SEED          = $(or $(FK_SEED),$(conf_seed),$(subst -,,$(DATE)))
FORMAT        = $(or $(FK_FORMAT),$(conf_format),avro)
DATASET       = $(or $(FK_DATASET),$(conf_dataset),mydataset)
PII           = $(or $(FK_PII),$(conf_pii),protect)
HASH_KEY_FILE = $(or $(FK_HASH_KEY_FILE),$(conf_hash_key_file))
BASE_URL      = $(or $(FK_BASE_URL),$(conf_base_url))
RATE          = $(or $(FK_RATE),$(conf_rate))
MAX_BAD       = $(or $(FK_MAX_BAD),$(conf_max_bad),0)

FILTER      = $(JOBDIR)/$(RESOURCE).jq
SCHEMA      = $(JOBDIR)/$(RESOURCE).schema.json
# fk-shape goes on past bad records (each part has at most COUNT): the job
# judges MAX_BAD on the totals, once every part and its rejects are stored.
SHAPE_FLAGS = -o $(FORMAT) -f $(FILTER) --schema $(SCHEMA) --max-bad $(COUNT)
FETCH_FLAGS =
PUT_FLAGS   =
# fk-fetch's and gcs-put's verbosity: -q (errors only), empty, or -v.
# With FK_LOG=json every line they write is a Cloud Logging entry.
LOG_FLAGS   = -q
DEST        = gs://$(BUCKET)/$(PREFIX)
WORK        = work/$(TABLE)/dt=$(DATE)

# ---- personal data: the columns of examples/users.jq
PII_HASH    = email
PII_MASK    = ip
ifeq ($(PII),protect)
PII_FLAGS   = $(if $(PII_HASH),--hash $(PII_HASH)) $(if $(PII_MASK),--mask-ip $(PII_MASK)) \
              $(if $(HASH_KEY_FILE),--hash-key-file '$(HASH_KEY_FILE)')
else
PII_FLAGS   =
endif
# The policy as the manifest records it (key_id is added per part).
PII_JQ      = {policy: "$(PII)"} + if "$(PII)" == "protect" then {hashed: ("$(PII_HASH)" | split(",")), masked: ("$(PII_MASK)" | split(","))} else {} end

# jq programs (kept on one line each: make passes backslashes to the shell).
SUMMARY_JQ  = ($$log | map(select(.event == "summary"))[0])
RECEIPT_JQ  = $$obj[0] + ($(SUMMARY_JQ) | {read, written, rejected, rows: .written}) + {rejects: $$rej[0], pii: ($(PII_JQ) + {key_id: (if $$key == "" then null else $$key end)})}
MANIFEST_JQ = {table: "$(TABLE)", date: "$(DATE)", seed: $(SEED), count: $(COUNT), shards: $(SHARDS), format: "$(FORMAT)", pii: (map(.pii) | unique | if length == 1 then .[0] else {mixed: .} end), read: (map(.read) | add), written: (map(.written) | add), rejected: (map(.rejected) | add), rows: (map(.rows) | add), reconciled: (all(.[]; .read == .written + .rejected) and (map(.read) | add) == $(COUNT) and (map(.pii) | unique | length) == 1), parts: map({name, generation, size, crc32c, md5Hash, rows, read, written, rejected, rejects: (.rejects | if . == null then null else {name, generation, size, crc32c, md5Hash} end)})}
SUCCESS_JQ  = if .reconciled | not then "the counts do not reconcile: read \(.read) of \(.count) records, \(.written) written + \(.rejected) rejected\(if .pii.mixed then ", parts shaped under different PII policies or keys" else "" end)" elif .rejected > $(MAX_BAD) then "\(.rejected) records rejected, more than MAX_BAD=$(MAX_BAD); they are under $(DEST)/rejects/" else empty end
BQ_JQ       = select(.event == "bq_load") | "bq load \(.flags | sub("--schema=[^ ]*"; "--schema=" + $$schema)) \($$dst) \"\($$src)\""
PARTS       = $(foreach i,$(shell seq 1 $(SHARDS)),$(WORK)/part-$(i)-of-$(SHARDS).json)

all: $(WORK)/_SUCCESS.json
	@cat $(WORK)/bq-load.sh

# Before the first request: the settings, the personal-data policy and its
# key.  Exit 78 (configuration) on any of them.
preflight:
	@$(if $(CONF_ERROR),echo 'job.mk: $(subst ','\'',$(CONF_ERROR))' >&2; exit 78)
	@$(if $(BUCKET),:,echo 'job.mk: no bucket: set BUCKET=name, FK_BUCKET or bucket in the CONFIG file' >&2; exit 78)
	@for v in COUNT=$(COUNT) SHARDS=$(SHARDS) SEED=$(SEED) MAX_BAD=$(MAX_BAD); do case $${v#*=} in \
	    ''|*[!0-9]*) echo "job.mk: $$v: a number is needed" >&2; exit 78 ;; esac; done
	@sh $(JOBDIR)/job-keyid.sh '$(PII)' '$(HASH_KEY_FILE)' > /dev/null

# 1. The shaped local part, complete or absent (fk-shape -O; a failed
# recipe's file is deleted), with its rejects, its log, its schema and the
# id of the key it was hashed with.  Fetching a shard can take hours at
# the service's limit, so first gcs-put --check: the credentials resolve,
# the bucket lets us create objects and the part's object is not there yet
# (nothing is created).
$(WORK)/part-%.$(FORMAT): | preflight
	@mkdir -p $(WORK)
	gcs-put --check $(LOG_FLAGS) $(PUT_FLAGS) $(DEST)/part-$*-of-$(SHARDS).$(FORMAT)
	sh $(JOBDIR)/job-keyid.sh '$(PII)' '$(HASH_KEY_FILE)' > $(WORK)/part-$*.keyid
	fk-fetch $(LOG_FLAGS) -n $(COUNT) --seed $(SEED) --shard $*/$(SHARDS) \
	    $(if $(BASE_URL),--base-url '$(BASE_URL)') $(if $(RATE),--rate $(RATE)) $(FETCH_FLAGS) $(RESOURCE) \
	| FK_LOG=json fk-shape $(SHAPE_FLAGS) $(PII_FLAGS) --reject $(WORK)/rejects-$*.ndjson \
	    --emit-schema $(WORK)/schema.$*.json -O $@ 2> $(WORK)/part-$*.log \
	|| { rc=$$?; tail -n 3 $(WORK)/part-$*.log >&2; exit $$rc; }

# 2. The part's object.
$(WORK)/put-part-%.json: $(WORK)/part-%.$(FORMAT)
	gcs-put $(LOG_FLAGS) -m fk-shard=$*/$(SHARDS) -m fk-seed=$(SEED) $(PUT_FLAGS) \
	    $(DEST)/part-$*-of-$(SHARDS).$(FORMAT) < $< > $@.tmp
	mv $@.tmp $@

# 3. Its rejects, when there are any, beside the parts (null when none).
$(WORK)/put-rejects-%.json: $(WORK)/part-%.$(FORMAT)
	if [ -s $(WORK)/rejects-$*.ndjson ]; then \
	    gcs-put $(LOG_FLAGS) -m fk-shard=$*/$(SHARDS) -m fk-seed=$(SEED) $(PUT_FLAGS) \
	        --content-type application/x-ndjson \
	        $(DEST)/rejects/part-$*-of-$(SHARDS).ndjson < $(WORK)/rejects-$*.ndjson > $@.tmp; \
	else echo null > $@.tmp; fi
	mv $@.tmp $@

# 4. The part's receipt: its objects, its counts and its policy.  The
# local copies go once both objects are stored.
$(WORK)/part-%-of-$(SHARDS).json: $(WORK)/put-part-%.json $(WORK)/put-rejects-%.json
	jq -n -c --slurpfile obj $(WORK)/put-part-$*.json --slurpfile rej $(WORK)/put-rejects-$*.json \
	    --slurpfile log $(WORK)/part-$*.log --arg key "$$(cat $(WORK)/part-$*.keyid)" \
	    '$(RECEIPT_JQ)' > $@.tmp
	mv $@.tmp $@
	rm -f $(WORK)/part-$*.$(FORMAT) $(WORK)/rejects-$*.ndjson

# Shaped parts stay when an upload fails (so a re-run only uploads), and
# once uploaded and removed they are not made again.
.SECONDARY: $(foreach i,$(shell seq 1 $(SHARDS)),$(WORK)/part-$(i).$(FORMAT))

ifneq ($(filter part,$(MAKECMDGOALS)),)
SHARD = $(or $(if $(JOB_COMPLETION_INDEX),$(shell expr $(JOB_COMPLETION_INDEX) + 1)),$(if $(CLOUD_RUN_TASK_INDEX),$(shell expr $(CLOUD_RUN_TASK_INDEX) + 1)),$(error part needs SHARD=I (1 to $(SHARDS))))
endif
part: $(WORK)/part-$(SHARD)-of-$(SHARDS).json

$(WORK)/manifest.json: $(PARTS)
	jq -s '$(MANIFEST_JQ)' $(PARTS) > $@.tmp
	gcs-put $(LOG_FLAGS) --content-type application/json $(PUT_FLAGS) \
	    $(DEST)/_MANIFEST.json < $@.tmp > /dev/null
	mv $@.tmp $@

# The bq load command, from the schema and flags fk-shape emitted.
$(WORK)/bq-load.sh: $(WORK)/manifest.json
	cp $(WORK)/schema.1.json $(WORK)/schema.json
	jq -r --arg src '$(DEST)/part-*' --arg dst '$(DATASET).$(TABLE)' \
	    --arg schema '$(WORK)/schema.json' '$(BQ_JQ)' $(WORK)/part-1.log > $@

# _SUCCESS only when the counts reconcile and the rejects stay within
# MAX_BAD (the manifest, already stored, says why not).  A re-run with a
# higher MAX_BAD writes it without fetching again; the object's metadata
# records the MAX_BAD it met.
$(WORK)/_SUCCESS.json: $(WORK)/manifest.json $(WORK)/bq-load.sh
	why=$$(jq -r '$(SUCCESS_JQ)' $<); \
	if [ -n "$$why" ]; then echo "job.mk: no _SUCCESS for $(DEST): $$why" >&2; exit 65; fi
	gcs-put $(LOG_FLAGS) -m fk-rejected=$$(jq .rejected $<) -m fk-max-bad=$(MAX_BAD) $(PUT_FLAGS) \
	    $(DEST)/_SUCCESS < /dev/null > $@.tmp
	mv $@.tmp $@

clean:
	rm -rf $(WORK)

.PHONY: all part preflight clean
.DELETE_ON_ERROR:
