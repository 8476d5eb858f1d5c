"""The journey's side effects: policy files, OCR, checks, the timing sink, the ledger, mail.

Activities are synchronous functions run in the worker's thread pool: OCR and SQL block.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from journey.settings import Settings

if TYPE_CHECKING:
    from activities.policy import PoliciesInService


def build_activities(settings: Settings, policies: PoliciesInService | None = None
                     ) -> list[Callable[..., Any]]:
    """Every activity of the journey, bound to one set of settings; `policies`, the lending
    and post-loan policies the worker loaded as it started, are those each journey pins."""
    from activities.archive import ArchiveActivities
    from activities.chain_anchor import AnchorActivities
    from activities.decisions import check_completeness, route_case
    from activities.documents import DocumentActivities
    from activities.exposure import ExposureActivities
    from activities.feedback import FeedbackActivities
    from activities.ledger import LedgerActivities
    from activities.lpr import LprActivities
    from activities.notifications import NotificationActivities
    from activities.policy import PolicyActivities
    from activities.references import ReferenceActivities
    from activities.review import ReviewActivities
    from activities.timing import TimingActivities

    feedback = FeedbackActivities(settings)
    exposure = ExposureActivities(settings)
    documents = DocumentActivities(settings)
    review = ReviewActivities(settings, policies.post_loan if policies else None)
    lending = PolicyActivities(settings, policies.lending if policies else None,
                               policies.calendar if policies else None)
    return [
        lending.load_policy,
        lending.load_calendar,
        documents.read_document,
        documents.keep_new_reading,
        documents.keep_reading,
        check_completeness,
        route_case,
        TimingActivities(settings).record_timing_events,
        LedgerActivities(settings).book_disbursement,
        NotificationActivities(settings).notify,
        feedback.store_feedback,
        feedback.count_late_touchpoints,
        review.load_post_loan_policy,
        review.create_review_schedule,
        review.set_review_cadence,
        review.delete_review_schedule,
        review.gather_review_facts,
        review.confirm_review,
        ArchiveActivities(settings).archive_closed_runs,
        AnchorActivities(settings).anchor_record_chains,
        LprActivities(settings).read_lpr_fixing,
        exposure.keep_exposure,
        exposure.tell_exposure_fell,
        exposure.route_on_exposure,
        ReferenceActivities(settings).reserve_reference,
    ]
