#!/usr/bin/env bash
# One pull-request comment with the review, found again by its hidden marker and updated in place (gh api).
set -euo pipefail
marker="<!-- fixed-egress-guard -->"
body="$(printf '%s\n%s' "$marker" "$(head -c 65000 "$REVIEW_FILE")")"
id="$(gh api --paginate "repos/$REPO/issues/$PR/comments" --jq ".[] | select(.body | contains(\"$marker\")) | .id" | head -n 1)"
if [ -n "$id" ]; then
  gh api --method PATCH "repos/$REPO/issues/comments/$id" -f body="$body" > /dev/null
else
  gh api --method POST "repos/$REPO/issues/$PR/comments" -f body="$body" > /dev/null
fi
