"""Where notices reach people: the application's customer contact and a staff member's
addresses, checked as typed, so that no notice is queued for a number no gateway takes."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from journey.application import LoanApplication
from journey.policy import StaffMember
from tests.workflows.journey_kit import new_application


def _with_contact(**contact: Any) -> LoanApplication:
    _, app = new_application()
    return LoanApplication.model_validate({**app.model_dump(), "contact": contact})


def test_a_mobile_is_kept_as_its_eleven_digits_and_an_email_as_typed() -> None:
    contact = _with_contact(name="陈会计", mobile="+86 138-0013-8000",
                            email=" cfo@acme.example.cn ").contact
    assert contact is not None
    assert (contact.mobile, contact.email) == ("13800138000", "cfo@acme.example.cn")
    assert _with_contact(email="cfo@acme.cn").contact.mobile is None  # type: ignore[union-attr]
    assert new_application()[1].contact is None  # optional: told by its manager otherwise


@pytest.mark.parametrize(("field", "value", "said"), [
    ("mobile", "2380013800", "a mobile number is 11 digits starting with 1"),
    ("mobile", "1380013800", "a mobile number is 11 digits starting with 1"),
    ("mobile", "1380013800a", "a mobile number is 11 digits starting with 1"),
    ("email", "cfo.acme.cn", "an email address is name@domain"),
    ("email", "cfo@acme", "an email address is name@domain"),
    ("email", "c fo@acme.cn", "an email address is name@domain"),
])
def test_a_contact_that_reaches_nobody_is_refused(field: str, value: str, said: str) -> None:
    with pytest.raises(ValidationError, match=said):
        _with_contact(**{field: value})


def test_a_staff_member_may_carry_an_email_and_a_mobile() -> None:
    member = StaffMember.model_validate({"id": "rm-zhang", "name": "张伟",
                                         "role": "relationship_manager",
                                         "email": "zhang@bank.example.cn",
                                         "mobile": "139 0000 1111"})
    assert (member.email, member.mobile) == ("zhang@bank.example.cn", "13900001111")
    with pytest.raises(ValidationError, match="name@domain"):
        StaffMember.model_validate({**member.model_dump(), "email": "zhang"})
