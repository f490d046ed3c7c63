#!/usr/bin/env bash
# The action's review: every plan matching $PLANS reviewed at once. Writes the review to $REVIEW_FILE (the
# step summary too) and the outputs code (0 passed, 1 refused, 2 could not review), refused, egress-ips and
# sarif-file. It exits 0; the verdict step fails the job, after the comment is posted.
set -uo pipefail
cli="${GUARD_CLI:-node $GITHUB_ACTION_PATH/dist/cli.js}"
review="${REVIEW_FILE:-${RUNNER_TEMP:-/tmp}/fixed-egress-review.md}"
echo "REVIEW_FILE=$review" >> "${GITHUB_ENV:-/dev/null}"
shopt -s nullglob globstar
files=()
for pattern in $PLANS; do
  for f in $pattern; do files+=("$f"); done
done
args=()
[ -n "${ALLOW_LISTED:-}" ] && args+=(--allow-listed "$ALLOW_LISTED")
[ "${ALLOW_EGRESS_CHANGE:-false}" = "true" ] && args+=(--allow-egress-change)
[ -n "${DESTINATIONS:-}" ] && args+=(--destinations "$DESTINATIONS")

out() { echo "$1=$2" >> "$GITHUB_OUTPUT"; }
if [ ${#files[@]} -eq 0 ]; then
  echo "**No plan matched \`$PLANS\`, so nothing was reviewed and this check does not pass** (a stack whose plan failed has no plan JSON)." > "$review"
  echo "::error::fixed-egress guard: no plan file matched $PLANS"
  out code 2; out refused true; out egress-ips ""; out sarif-file ""
else
  # One reading of the plans: the review, its JSON (for the egress IPs) and, when asked, its SARIF.
  sarif_args=()
  [ -n "${SARIF:-}" ] && sarif_args=(--sarif-file "$SARIF")
  json="$review.json"
  $cli review --format "${FORMAT:-markdown}" --json-file "$json" "${sarif_args[@]}" "${args[@]}" "${files[@]}" > "$review" 2> "$review.err"
  code=$?
  if [ "$code" = 2 ]; then
    { echo "**The plans could not be reviewed, so this check does not pass:**"; echo; echo '```'; cat "$review.err"; echo '```'; } > "$review"
  fi
  sed -n 's/^fixed-egress-guard: \(.*\)$/::error::\1/p' "$review.err"
  ips=""
  sarif=""
  if [ "$code" != 2 ]; then
    ips="$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).egressIps.after.join(","))' "$json")"
    [ -n "${SARIF:-}" ] && sarif="$SARIF"
  fi
  out code "$code"; out refused "$([ "$code" = 0 ] && echo false || echo true)"; out egress-ips "$ips"; out sarif-file "$sarif"
fi
[ -n "${GITHUB_STEP_SUMMARY:-}" ] && cat "$review" >> "$GITHUB_STEP_SUMMARY"
exit 0
