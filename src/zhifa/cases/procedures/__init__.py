"""The procedures' stage graphs; importing this package registers them in PROCEDURES."""

from . import coercion, inspection, licensing, penalty_ordinary, penalty_simplified  # noqa: F401
from .base import PROCEDURES, Procedure, Stage, Transition

__all__ = ["PROCEDURES", "Procedure", "Stage", "Transition"]
