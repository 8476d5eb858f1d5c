"""Completeness and routing: pure policy functions, run as activities so that their result,
with the rule that fired and its inputs, is part of the journey's recorded history."""

from __future__ import annotations

from temporalio import activity

from journey import contracts
from journey.contracts import CompletenessInput, RouteInput
from journey.policy import Completeness, Route
from journey.policy import check_completeness as check


@activity.defn(name=contracts.CHECK_COMPLETENESS)
def check_completeness(request: CompletenessInput) -> Completeness:
    return check(request.policy, request.application, request.readings, request.today,
                 settle=request.settle)


@activity.defn(name=contracts.ROUTE_CASE)
def route_case(request: RouteInput) -> Route:
    return request.routed()
