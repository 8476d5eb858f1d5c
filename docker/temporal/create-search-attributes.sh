#!/bin/sh
# Registers the journey's custom search attributes on the namespace. Only attributes that
# are not there yet are created, so the job can run on every `docker compose up`.
# Keep the list in step with the search-attribute keys the workflows upsert.
set -eu

# shellcheck source=cli-env.sh source-path=SCRIPTDIR
. "$(dirname "$0")/cli-env.sh"

ATTRIBUTES="JourneyStage JourneyTeam ApprovalTier AmountBand SlaState JourneyProduct LoanClass JourneyStartedAt QueueWait JourneyAssignee"

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
for name in $ATTRIBUTES; do
  if printf '%s\n' "$existing" | grep -qw "$name"; then
    echo "search attribute $name exists"
  else
    temporal operator search-attribute create --namespace "$TEMPORAL_NAMESPACE" \
      --name "$name" --type Keyword
    echo "search attribute $name created (Keyword)"
  fi
done
