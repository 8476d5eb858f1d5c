"""Who may sign the offer for the company: its legal representative (法定代表人) as the
borrower's business licence names them, or an authorised agent (授权代表) under a power of
attorney, naming who signed, in what capacity and on what evidence. Pure: the journey's
validator and the demo read it."""

from __future__ import annotations

from journey.decisions import Capacity, Signature
from journey.documents import BusinessLicense, DocumentReading
from journey.policy.completeness import same_name
from journey.policy.errors import DecisionRefused


def borrowers_licence(loan_file: list[DocumentReading], credit_code: str,
                      company: str) -> BusinessLicense | None:
    """The borrower's business licence in the loan file: of its credit code as read, else
    of its name; None when the file holds none."""
    licences = [r.license for r in loan_file if r.license is not None]
    return (next((lic for lic in licences if lic.credit_code == credit_code), None)
            or next((lic for lic in licences if lic.name and same_name(lic.name, company)),
                    None))


def same_person(a: str, b: str) -> bool:
    """Whether two names are one, spaces (half- or full-width) and case aside."""
    def key(name: str) -> str:
        return "".join(name.split()).casefold()
    return key(a) == key(b)


def refuse_unevidenced(signature: Signature) -> None:
    """Refuse a signature that does not name who signed for the company, in what capacity and
    on what evidence: the model lets it through only for the signatures recorded before these
    were asked (their histories replay); the journey takes none such now. (An authorised
    agent's without a power of attorney the model itself refuses, built or decoded.)"""
    if None in (signature.signatory, signature.capacity, signature.evidence):
        raise DecisionRefused(
            "a signature names who signed for the company (signatory), in what capacity "
            "(legal_representative, or authorised_agent with the power of attorney's "
            "reference) and its evidence (the e-sign platform's certificate serial or signing "
            "record id, or the wet-ink contract's branch and witness): sign again with them")


def refuse_signatory(signature: Signature, licence: BusinessLicense | None) -> None:
    """Refuse a legal representative's signature whose name is not the licence's legal
    representative as read; an authorised agent signs under a power of attorney (the model
    requires its reference) and is not checked against the licence.

    The refusal names no one: it travels in plain text with codec keys set and is kept in the
    refusals table (starter/codec.py), so neither the licence's legal representative nor the
    signatory typed is in it; whoever signs reads the name on the licence itself."""
    if signature.capacity is not Capacity.LEGAL_REPRESENTATIVE or signature.signatory is None:
        return
    agent = ("; someone else signs as authorised_agent with the power of attorney's "
             "reference")
    named = licence.legal_representative if licence is not None else None
    if named is None:
        raise DecisionRefused(
            "the borrower's business licence names no legal representative as read, so the "
            "signatory cannot be checked as the legal representative: send a legible "
            "licence" + agent)
    if not same_person(named, signature.signatory):
        raise DecisionRefused(
            "the signatory is not the legal representative (法定代表人) the borrower's "
            "business licence names, as read: the legal representative signs under the name "
            "the licence prints" + agent)
