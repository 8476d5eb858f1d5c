#!/bin/sh
# Registers the journey's custom search attributes on the namespace. Only attributes that
# are not there yet are created, so the job can run on every `docker compose up`.
# Keep the list in step with the search-attribute keys the workflows upsert.
set -eu

: "${TEMPORAL_ADDRESS:=temporal:7233}" "${TEMPORAL_NAMESPACE:=default}"
export TEMPORAL_ADDRESS

ATTRIBUTES="JourneyStage JourneyTeam ApprovalTier AmountBand SlaState JourneyProduct"

existing=$(temporal operator search-attribute list --namespace "$TEMPORAL_NAMESPACE")
for name in $ATTRIBUTES; do
  if printf '%s\n' "$existing" | grep -qw "$name"; then
    echo "search attribute $name exists"
  else
    temporal operator search-attribute create --namespace "$TEMPORAL_NAMESPACE" \
      --name "$name" --type Keyword
    echo "search attribute $name created (Keyword)"
  fi
done
