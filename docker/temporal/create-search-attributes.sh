#!/bin/sh
# Registers the journey's custom search attributes on the namespace. Only attributes that
# are not there yet are created, so the job can run on every `docker compose up`.
# Keep the list in step with the search-attribute keys the workflows upsert.
set -eu

# shellcheck source=cli-env.sh source-path=SCRIPTDIR
. "$(dirname "$0")/cli-env.sh"

ATTRIBUTES="JourneyStage JourneyTeam ApprovalTier AmountBand SlaState JourneyProduct LoanClass JourneyStartedAt QueueWait JourneyAssignee"
# SQL visibility holds at most 10 Keyword attributes a namespace: the borrower's credit code
# is a KeywordList of one (CreditCode = '<code>' matches it)
LIST_ATTRIBUTES="CreditCode"

# A namespace created a moment ago reaches the frontend's namespace cache within seconds.
attempt=0
until existing=$(temporal operator search-attribute list --namespace "$TEMPORAL_NAMESPACE"); do
  attempt=$((attempt + 1))
  if [ "$attempt" -ge 30 ]; then
    echo "namespace $TEMPORAL_NAMESPACE did not become usable" >&2
    exit 1
  fi
  sleep 1
done
create() {  # name type
  if printf '%s\n' "$existing" | grep -qw "$1"; then
    echo "search attribute $1 exists"
  else
    temporal operator search-attribute create --namespace "$TEMPORAL_NAMESPACE" \
      --name "$1" --type "$2"
    echo "search attribute $1 created ($2)"
  fi
}
for name in $ATTRIBUTES; do
  create "$name" Keyword
done
for name in $LIST_ATTRIBUTES; do
  create "$name" KeywordList
done
