# users.jq: FakerAPI users (or persons) to BigQuery-friendly rows.
#
#   fk-fetch users | fk-shape -f examples/users.jq --schema examples/users.schema.json
#
# Unwraps a FakerAPI envelope when given one (.data[]), keeps the fields a
# warehouse wants under snake_case names and never passes the password on.
# The email and the IP address are still personal data: the job
# (examples/job.mk) hashes and masks them by default with fk-shape's
# --hash email --mask-ip ip; do the same when you run the pipeline by hand.
(if type == "object" and has("data") then .data[] else . end)
| {
	id,
	uuid,
	first_name: .firstname,
	last_name: .lastname,
	username,
	email,
	ip,
	mac_address: .macAddress,
	website
}
