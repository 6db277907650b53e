"""The handoff's rules, assembled: kept so existing callers keep one import while they move.

The rules live along their seams:

- ``flows/case_rules.py`` — cases opened, raised, closed and reopened by the person's events;
- ``flows/worker_actions.py`` — what workers do (take, reply, note, give back, close, reopen,
  read, priority, ready replies, resource cards), with confirmation before ending a case
  that was just flagged;
- ``flows/staff_view.py`` — what workers read; ``flows/signature.py`` — how they sign;
- ``flows/realert.py`` — urgent cases raised again until taken;
- ``flows/desk_resources.py`` — resource cards sent from the desk.

New code should build those parts in the composition root and inject them (``StaffView``,
``Signature``…); ``HandoffRules`` only bundles them for the callers that still expect it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from flows.case_rules import CaseRules, priority_for
from flows.cases import Case, Worker, WorkerAction
from flows.catalogue import Catalogue
from flows.directory import ResourceCard
from flows.domain import Conversation, Language, Priority
from flows.ports import Clock
from flows.signature import Signature
from flows.staff_view import StaffView
from flows.worker_actions import WorkerActions, WorkerDecision

__all__ = ["HandoffConfig", "HandoffRules", "WorkerDecision", "priority_for"]


def _utc() -> ZoneInfo:
    return ZoneInfo("UTC")


@dataclass(frozen=True, slots=True)
class HandoffConfig:
    """Deployment choices for the handoff: staff language, signature, time zone."""

    staff_language: Language = Language.FR
    organisation: str = "Passerelle"
    signature: str = "{name} — {organisation}"
    zone: ZoneInfo = field(default_factory=_utc)
    # Off until the composition root passes ``CRISIS_CONFIRM_MINUTES``: asking before closing
    # a flagged case needs a desk that can show the question and its yes / no buttons.
    confirm_within: timedelta = timedelta(0)


class HandoffRules:
    """The case rules, the worker actions, the staff view and the signature, together."""

    def __init__(
        self,
        *,
        catalogue: Catalogue,
        clock: Clock,
        config: HandoffConfig | None = None,
    ) -> None:
        self.config = config or HandoffConfig()
        self.view = StaffView(catalogue, self.config.staff_language, self.config.zone)
        self.signer = Signature(catalogue, self.config.organisation, self.config.signature)
        self.cases = CaseRules(clock=clock)
        self.workers = WorkerActions(
            catalogue=catalogue,
            clock=clock,
            view=self.view,
            signature=self.signer,
            confirm_within=self.config.confirm_within,
        )
        self.open_case = self.cases.open_case
        self.raise_case = self.cases.raise_case
        self.close_for_person = self.cases.close_for_person

    def signature(self, worker_name: str | None, language: Language) -> str:
        """« Prénom — Organisation », never the worker's account."""
        return self.signer.sign(worker_name, language)

    def decide(
        self,
        case: Case,
        conv: Conversation | None,
        action: WorkerAction,
        worker: Worker,
        *,
        text: str = "",
        takeover: bool = False,
        reachable: bool = True,
        holder_name: str | None = None,
        other_open: Case | None = None,
        confirmed: bool = False,
        priority: Priority | None = None,
        ready_reply: str | None = None,
        resource: ResourceCard | None = None,
    ) -> WorkerDecision:
        """What one worker action does: see ``WorkerActions.decide``."""
        return self.workers.decide(
            case,
            conv,
            action,
            worker,
            text=text,
            takeover=takeover,
            reachable=reachable,
            holder_name=holder_name,
            other_open=other_open,
            confirmed=confirmed,
            priority=priority,
            ready_reply=ready_reply,
            resource=resource,
        )
