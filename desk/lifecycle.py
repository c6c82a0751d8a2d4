"""An application kind's lifecycle as data, and the questions every desk asks of it: what
may this actor do now, where does this action lead, does it need a note."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from contracts import refusals

APPLICANT = "applicant"  # the party of the person who applied (no staff role)


@dataclass(frozen=True)
class Action:
    name: str
    sources: frozenset[str]  # the states it may be taken from
    target: str
    party: str  # APPLICANT, or a party of the lifecycle's ``parties``
    note_required: bool = False  # a reason the applicant reads (revision, rejection)
    # the values the action carries, as manifest form fields (contracts.modules.FormField):
    # the module reads them in ``MallModule.on_step``; none for most actions
    form: tuple[dict, ...] = ()


class Refusal(Exception):
    """A step the lifecycle does not allow; ``code`` and ``params`` say which, for any
    language, and ``allowed`` what the actor could do instead."""

    code = "refused"

    def __init__(self, allowed: list[str], /, **params):
        super().__init__(refusals.text(self.code, params))
        self.allowed, self.params = allowed, params


class IllegalTransition(Refusal):
    code = "illegal_transition"

    def __init__(self, state: str, action: str, allowed: list[str]):
        if allowed:
            super().__init__(allowed, state=state, action=action, allowed=", ".join(allowed))
        else:
            self.code = "application_closed"
            super().__init__(allowed, state=state, action=action)
        self.state, self.action = state, action


@dataclass(frozen=True)
class Lifecycle:
    kind: str
    start: str  # the state a new application is in
    actions: tuple[Action, ...]
    # party -> the staff roles who act as it, within the application's agency
    parties: Mapping[str, frozenset[str]]
    clock_running: frozenset[str]  # states in which the mall, not the applicant, owes a step
    closed: str  # where the mall closes an open application by itself (a death)
    # state -> working days its step may take, on a clock of its own started on entering
    # it (none: one deadline for the whole application, set when it is submitted)
    service_levels: Mapping[str, int] = field(default_factory=dict)
    # state -> the action the mall takes by itself when the state's service level ends
    # (an unconfirmed answer closes); other states past their level are overdue instead
    timeouts: Mapping[str, str] = field(default_factory=dict)
    # working days past a step's service level after which the mall's managers are told
    # (the agency that owes the step is told when the level ends); both are on the record.
    # None: the agency is told, and no one after it.
    escalation_days: int | None = None
    _by_name: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_by_name", {a.name: a for a in self.actions})

    @property
    def states(self) -> frozenset[str]:
        named = {self.start, self.closed}
        for action in self.actions:
            named |= action.sources | {action.target}
        return frozenset(named)

    @property
    def staff_roles(self) -> frozenset[str]:
        """Every staff role that acts as one of the parties."""
        return frozenset().union(*self.parties.values())

    @property
    def open_states(self) -> tuple[str, ...]:
        return tuple(sorted(self.states - self.final_states))

    @property
    def final_states(self) -> frozenset[str]:
        """States no action leaves: the application is decided or closed."""
        return self.states - frozenset().union(*(a.sources for a in self.actions))

    def is_open(self, state: str) -> bool:
        return state not in self.final_states

    def action(self, name: str) -> Action | None:
        return self._by_name.get(name)

    def allowed(self, state: str, parties: Iterable[str] | None = None) -> list[str]:
        """The actions possible from ``state`` (for the given parties), in table order."""
        wanted = None if parties is None else set(parties)
        return [
            a.name
            for a in self.actions
            if state in a.sources and (wanted is None or a.party in wanted)
        ]

    def owing_party(self, state: str) -> str | None:
        """The staff party that owes the next step in ``state`` (the first the table
        names); None when no staff owe one: in a final state, where only the applicant
        acts, or in a state the mall leaves by itself (``timeouts``)."""
        if state in self.timeouts:
            return None
        for name in self.allowed(state):
            if (party := self._by_name[name].party) != APPLICANT:
                return party
        return None

    def next_state(self, state: str, action: str) -> str:
        """Where ``action`` leads from ``state``; IllegalTransition when it can't."""
        found = self._by_name.get(action)
        if found is None or state not in found.sources:
            raise IllegalTransition(state, action, self.allowed(state))
        return found.target

    def parties_of(self, role: str | None, is_applicant: bool, same_agency: bool) -> set[str]:
        """The parties an actor plays on one application."""
        played = {APPLICANT} if is_applicant else set()
        if same_agency:
            played |= {party for party, roles in self.parties.items() if role in roles}
        return played

    def problems(self) -> list[str]:
        """What is wrong with the table itself (empty when it is sound)."""
        found = []
        reachable, frontier = {self.start}, [self.start]
        while frontier:
            state = frontier.pop()
            for action in self.actions:
                if state in action.sources and action.target not in reachable:
                    reachable.add(action.target)
                    frontier.append(action.target)
        reachable.add(self.closed)  # reached by the mall itself
        for state in sorted(self.states - reachable):
            found.append(f"{self.kind}: state {state} is never reached")
        for action in self.actions:
            if action.party != APPLICANT and not self.parties.get(action.party):
                found.append(f"{self.kind}: {action.name} is taken by {action.party}, no roles")
        for state in sorted(self.clock_running - self.states):
            found.append(f"{self.kind}: the clock runs in unknown state {state}")
        if self.closed not in self.final_states:
            found.append(f"{self.kind}: {self.closed} is not final")
        for state in sorted(set(self.service_levels) - self.states):
            found.append(f"{self.kind}: a service level for unknown state {state}")
        for action in self.actions:
            for spec in action.form:
                if not isinstance(spec, dict) or not {"name", "type"} <= spec.keys():
                    found.append(f"{self.kind}: {action.name} has a form field without a name")
        if self.escalation_days is not None and self.escalation_days < 1:
            found.append(f"{self.kind}: escalation after {self.escalation_days} working days")
        for state, action in sorted(self.timeouts.items()):
            if state not in self.service_levels:
                found.append(f"{self.kind}: {state} times out without a service level")
            if action not in self.allowed(state):
                found.append(f"{self.kind}: {state} times out by {action}, not an action of it")
        return found
