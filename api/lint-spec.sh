#!/usr/bin/env bash
# Lints api/bsg-2fa.yaml with Redocly CLI (recommended rules) and Spectral (spectral:oas),
# both pinned, through npx. It fails on any error, and on any warning that is not listed,
# with its count and reason, in the "Accepted lint warnings" table of api/README.md (or that
# is listed there but no longer reported), so the list is always the truth.
#
# Usage: api/lint-spec.sh REDOCLY_PACKAGE SPECTRAL_PACKAGE (the Makefile passes the pins).
set -euo pipefail
cd "$(dirname "$0")/.."
redocly="${1:?redocly package, e.g. @redocly/cli@x.y.z}"
spectral="${2:?spectral package, e.g. @stoplight/spectral-cli@x.y.z}"
npx="${NPX:-npx --yes}"

command -v npx > /dev/null || { echo "lint-spec: needs Node.js (>= 20.19) with npx" >&2; exit 1; }

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

status=0
echo "== Redocly CLI ($redocly, recommended)"
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
	$npx "$redocly" lint --config api/redocly.yaml --format=stylish api/bsg-2fa.yaml \
	> "$out/redocly" 2> "$out/redocly.log" || status=1
cat "$out/redocly"
grep -v -e '[║╔╚]' -e '^[[:space:]]*$' "$out/redocly.log" || true
echo "== Spectral ($spectral, spectral:oas)"
$npx "$spectral" lint --ruleset api/.spectral.yaml --fail-severity=error --format=stylish \
	api/bsg-2fa.yaml > "$out/spectral" 2>&1 || status=1
cat "$out/spectral"
[ "$status" -eq 0 ] || { echo "lint-spec: errors above" >&2; exit 1; }

# "TOOL severity rule count" for every rule reported, from the stylish lines
# "  LINE:COL  severity  rule  message".
count() {
	awk -v tool="$1" '$1 ~ /^[0-9]+:[0-9]+$/ && $2 ~ /^(error|warning|info|hint)$/ { n[$2 " " $3]++ }
		END { for (k in n) print tool " " k " " n[k] }' "$out/$2"
}
{ count Redocly redocly; count Spectral spectral; } | sort > "$out/reported"

# The table rows "| Tool | severity | rule | count | reason |" of api/README.md.
awk -F'|' '/^## Accepted lint warnings/ { on = 1; next } /^## / { on = 0 }
	on && $2 ~ /^ *(Redocly|Spectral) *$/ {
		for (i = 2; i <= 5; i++) gsub(/^ +| +$|`/, "", $i); print $2 " " $3 " " $4 " " $5
	}' api/README.md | sort > "$out/listed"

if ! diff -u "$out/listed" "$out/reported" > "$out/diff"; then
	echo "lint-spec: the reported warnings differ from those listed in api/README.md" >&2
	echo "(- listed only, + reported only); fix them or list them with the reason:" >&2
	tail -n +3 "$out/diff" >&2
	exit 1
fi
summary() { awk -v tool="$1" '$1 == tool && $2 == "warning" { n += $4 } END { printf "%s %d", tool, n }' "$out/reported"; }
echo "lint-spec: 0 errors; warnings: $(summary Redocly), $(summary Spectral), each listed in api/README.md"
