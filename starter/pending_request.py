"""A kept act's request as the journey database keeps it, and whole again for delivery.

Fields that never reach SQL (`PRIVATE`: a feedback's comment may hold personal data, and a
signature's signatory is a person's name, which the journey keeps in its history only,
encrypted there where codec keys are set) are set aside beside the document store
(store/pending_aside.py) until the instruction is settled;
the kept request names them under `ASIDE`, so that `pending list` shows one is there.
"""

from __future__ import annotations

import asyncio
import json

from pydantic import BaseModel

from journey.settings import Settings
from store import pending_aside
from store.blobs import DocumentStore
from store.pending import Instruction

PRIVATE: dict[str, set[str]] = {"record_feedback": {"comment"}, "sign": {"signatory"}}
ASIDE = "_aside"


def kept_request(update: str, request: BaseModel) -> str:
    """A request as the journey database keeps it: whole, but its `PRIVATE` fields, named
    under `ASIDE` when set (their values are set aside: `set_aside`)."""
    private = PRIVATE.get(update, set())
    aside = sorted(f for f in private if getattr(request, f) is not None)
    if not aside:
        return request.model_dump_json(exclude=private)
    fields = json.loads(request.model_dump_json(exclude=private))
    return json.dumps({**fields, ASIDE: aside}, ensure_ascii=False, separators=(",", ":"))


def set_aside(settings: Settings, update: str, update_id: str, request: BaseModel) -> None:
    """Keep a request's `PRIVATE` fields that are set out of SQL, by its update id."""
    fields = request.model_dump(mode="json", include=PRIVATE.get(update, set()),
                                exclude_none=True)
    if fields:
        pending_aside.put_aside(DocumentStore.of(settings), update_id, fields)


async def whole(settings: Settings, kept: Instruction, model: type[BaseModel]) -> BaseModel:
    """A kept request as typed: its fields set aside taken back in (`AsideMissing` if they
    are not where they were kept)."""
    fields = json.loads(kept.request)
    if not fields.pop(ASIDE, None):
        return model.model_validate_json(kept.request)
    fields |= await asyncio.to_thread(pending_aside.taken_back, DocumentStore.of(settings),
                                      kept.update_id)
    return model.model_validate_json(json.dumps(fields))


def dropped(settings: Settings, kept: Instruction) -> None:
    """Forget the fields set aside for a settled instruction (delivered, or refused)."""
    if kept.update in PRIVATE:
        pending_aside.drop(settings.documents_dir, kept.update_id)
