"""A company renamed (名称变更): its unified social credit code is its identity for life, its
name can change. The bank records each rename declared at `start` (`--renamed-from`) in the
journey store by credit code (store/code_names.py); the names a rename links are one
company's, so its applications under either are one borrower's exposure (统一授信), and the
name shown for it is the current one: the name of its latest rename."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from journey.actors import Actor
from journey.policy.completeness import normalise_name, same_name


class Rename(BaseModel):
    """One rename of the company of `credit_code`, as declared: who declared it and when."""

    credit_code: str
    former_name: str
    name: str
    declared_by: Actor
    declared_at: datetime
    workflow_id: str  # the journey started under the new name with the declaration


def names_of(renames: list[Rename], name: str) -> list[str]:
    """The names of the company called `name`, as `renames` (of its credit code) link them:
    `name` first, then the others, the nearest renames first."""
    found, keys = [name], {normalise_name(name)}
    grew = True
    while grew:
        grew = False
        for r in renames:
            linked = {normalise_name(r.former_name), normalise_name(r.name)}
            if linked & keys and not linked <= keys:
                for n in (r.former_name, r.name):
                    if normalise_name(n) not in keys:
                        found.append(n)
                        keys.add(normalise_name(n))
                grew = True
    return found


def one_company(renames: list[Rename], a: str, b: str) -> bool:
    """Whether `a` and `b` name one company: the same name, or linked by `renames`."""
    return any(same_name(n, b) for n in names_of(renames, a))


def current_name(renames: list[Rename], name: str) -> str:
    """The company's name now: that of the latest rename among its names; `name` when none
    renamed it."""
    names = names_of(renames, name)
    own = [r for r in renames if any(same_name(r.name, n) for n in names)]
    return max(own, key=lambda r: r.declared_at).name if own else name


def formerly(renames: list[Rename], name: str) -> list[str]:
    """The names the company called `name` had before (none when it is not its current
    name, or none renamed it)."""
    if not same_name(current_name(renames, name), name):
        return []
    return names_of(renames, name)[1:]
