"""Code lists: the industries and regions an application may name, each code with the other
names staff may write for it (房地产开发 for real_estate). Routing rules match codes, so a
loan written down under another name for a listed industry still reaches the committee.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class CodeList(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    what: str = Field(min_length=1)  # "industry", "region": as a refusal names it
    codes: dict[str, list[str]] = Field(min_length=1)  # code -> other names for it

    @model_validator(mode="after")
    def _each_name_once(self) -> CodeList:
        seen: dict[str, str] = {}
        for code, names in self.codes.items():
            for name in [code, *names]:
                key = name.casefold()
                if seen.setdefault(key, code) != code:
                    raise ValueError(f"{self.what} name {name!r} stands for both "
                                     f"{seen[key]!r} and {code!r}: keep it under one code")
        return self

    def code_of(self, name: str) -> str | None:
        """The code `name` stands for (any case), or None."""
        key = name.strip().casefold()
        return next((code for code, names in self.codes.items()
                     if key in {n.casefold() for n in [code, *names]}), None)

    def refusal(self, name: str) -> str | None:
        """Why `name` is no code of this list, or None."""
        if self.code_of(name) is not None:
            return None
        return (f"{self.what} {name!r} is not in the policy's list: use one of "
                f"{', '.join(self.codes)} (or a name the list gives for one)")

    def not_codes(self, names: list[str]) -> list[str]:
        """Those of `names` that are not codes of the list (rules name codes)."""
        codes = {c.casefold() for c in self.codes}
        return [n for n in names if n.casefold() not in codes]
