#!/usr/bin/env bash
# The action's last step: passed (0) or not, whatever ran in between; no code at all is a failure too.
case "${CODE:-}" in
  0) echo "fixed-egress guard: passed" ;;
  1) echo "::error::fixed-egress guard: the plans change the egress path (see the review); allow-list the new IPs or set allow-egress-change"; exit 1 ;;
  *) echo "::error::fixed-egress guard: the plans could not be reviewed (see the review)"; exit 1 ;;
esac
