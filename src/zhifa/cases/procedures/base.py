"""The declared stage graphs. Each procedure is data: its stages and transitions, and the guard
functions that refuse a transition with a Chinese reason citing the law. The UI and the API
render any action from these declarations without knowing the procedure.

Interface (relied on by the case pages, the API, the records and review apps):

* ``Stage(code, label, terminal=False)``
* ``FieldSpec(name, label, kind, required=True, choices=(), help="")``: what an action asks
  for. ``kind`` is one of ``text``, ``textarea``, ``date``, ``datetime``, ``decimal``, ``int``,
  ``choice``, ``bool``, ``officers`` (a list of officer ids), ``multichoice``.
* ``Transition(action, label, sources, target, roles, guards, apply, form_fields)``: the
  action named ``action`` moves a case in one of ``sources`` to ``target``; ``roles`` may do
  it (``officer``, ``unit_head``, ``body_head``); each guard is ``guard(ctx) -> str | None``
  (None = allowed, a string = the refusal); ``apply(ctx)`` writes the consequences (fields of
  the case, deadlines) inside the transition's transaction.
* ``Procedure(code, label, category, stages, transitions)`` and ``PROCEDURES``: code → Procedure.
* ``Context``: what guards and apply see (case, actor, role, cleaned data, today, now).

Guards that read the form's data must not assume it was given: ``allowed_actions`` evaluates
them with ``ctx.data == {}`` to tell the case page whether an action is possible now; a guard
that needs the data returns None when it is missing (the form check refuses it afterwards).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "APPROVERS",
    "HANDLERS",
    "PROCEDURES",
    "Context",
    "FieldSpec",
    "Guard",
    "Procedure",
    "Stage",
    "Transition",
    "register",
]

# Roles as in zhifa.core.models.Role (strings, so this module imports no models).
HANDLERS = ("officer", "unit_head", "body_head")
APPROVERS = ("unit_head", "body_head")

FIELD_KINDS = frozenset(
    {
        "text",
        "textarea",
        "date",
        "datetime",
        "decimal",
        "int",
        "choice",
        "bool",
        "officers",
        "multichoice",
    }
)


@dataclass(frozen=True)
class Stage:
    code: str
    label: str
    terminal: bool = False


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str = "text"
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""

    def __post_init__(self) -> None:
        if self.kind not in FIELD_KINDS:
            raise ValueError(f"unknown field kind {self.kind!r}")


@dataclass
class Context:
    case: Any
    actor: Any
    role: str
    data: dict[str, Any]
    today: datetime.date
    now: datetime.datetime
    transition: Transition | None = None
    # What apply() adds to the Step and ledger payload besides the cleaned form data.
    extra: dict[str, Any] = field(default_factory=dict)


Guard = Callable[[Context], "str | None"]


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str | None  # None: stay in the stage (a recorded step such as 陈述申辩)
    roles: tuple[str, ...] = HANDLERS
    guards: tuple[Guard, ...] = ()
    apply: Callable[[Context], None] | None = None
    form_fields: tuple[FieldSpec, ...] = ()
    help: str = ""
    # A decide transition: the registered decision gates (gates.py) are evaluated after the
    # guards, and the after-decision hooks run inside the transaction once it is written.
    decides: bool = False


@dataclass(frozen=True)
class Procedure:
    code: str
    label: str
    category: str
    stages: tuple[Stage, ...]
    transitions: tuple[Transition, ...]
    # Categories of power-list matters a case of this procedure may refer to.
    matter_categories: tuple[str, ...] = ()
    # on_register(case, today): procedure-specific set-up when a case is registered (deadlines).
    on_register: Callable[[Any, datetime.date], None] | None = None

    def __post_init__(self) -> None:
        codes = {s.code for s in self.stages}
        seen: set[tuple[str, str]] = set()
        for t in self.transitions:
            for source in t.sources:
                if source not in codes:
                    raise ValueError(f"{self.code}.{t.action}: unknown source {source}")
                if (source, t.action) in seen:
                    raise ValueError(f"{self.code}: {t.action} twice from {source}")
                seen.add((source, t.action))
            if t.target is not None and t.target not in codes:
                raise ValueError(f"{self.code}.{t.action}: unknown target {t.target}")

    @property
    def first_stage(self) -> Stage:
        return self.stages[0]

    def stage(self, code: str) -> Stage:
        for s in self.stages:
            if s.code == code:
                return s
        raise KeyError(code)

    def stage_label(self, code: str) -> str:
        try:
            return self.stage(code).label
        except KeyError:
            return code

    def transitions_from(self, stage: str) -> list[Transition]:
        return [t for t in self.transitions if stage in t.sources]

    def transition(self, stage: str, action: str) -> Transition | None:
        for t in self.transitions:
            if t.action == action and stage in t.sources:
                return t
        return None

    def has_action(self, action: str) -> bool:
        return any(t.action == action for t in self.transitions)


PROCEDURES: dict[str, Procedure] = {}


def register(procedure: Procedure) -> Procedure:
    PROCEDURES[procedure.code] = procedure
    return procedure
