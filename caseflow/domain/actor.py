"""Who is acting, and the region-scope rule every service applies."""

from dataclasses import dataclass, field

from caseflow.domain.enums import Role


@dataclass(frozen=True)
class Actor:
    """A user (or the system) acting within a region; region '' is the whole installation."""

    user_id: str
    roles: frozenset[Role] = field(default_factory=frozenset)
    region_code: str = ""

    def covers(self, region_code: str) -> bool:
        """Area codes nest by prefix: province 2 digits, city 4, county 6, street 9, community 12."""
        return (region_code or "").startswith(self.region_code)

    def may_work_lane(self, lane: str | None) -> bool:
        return Role.ADMIN in self.roles or lane_role(lane) in self.roles


def lane_role(lane: str | None) -> Role | None:
    """The role a BPMN lane name stands for ('Caseworker' -> Role.CASEWORKER)."""
    try:
        return Role((lane or "").strip().lower())
    except ValueError:
        return None


SYSTEM = Actor("system", frozenset({Role.SYSTEM, Role.ADMIN}), "")
