"""The two refusals of the policy rules.

`PolicyError` is a policy file that cannot be used; `DecisionRefused` is an actor whom the
rules do not let act. Both are ValueErrors so that a Temporal update validator that raises
them refuses the update; their messages say what to do instead.
"""

from __future__ import annotations


class PolicyError(ValueError):
    """The policy file is not valid; the message names the field and what to fix."""


class DecisionRefused(ValueError):
    """The rules refuse this actor this decision; the message says who may make it."""


class NotOpenYet(DecisionRefused):
    """The journey has not pinned its policy yet (no worker has run its first task since it
    began): an act is refused for now only; sent again once it has, it is taken."""
