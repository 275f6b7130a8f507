"""Who is acting, the region-scope rule every service applies, and which role works each BPMN lane."""

from dataclasses import dataclass, field

from caseflow.domain import labels
from caseflow.domain.enums import Role
from caseflow.domain.permissions import Permission, permissions_of

# BPMN lane name (its English line, as a designer writes it, any case) → the role whose members work its user tasks.
# Deploy refuses a user task in a lane missing here; the administration pages show this table.
LANES: dict[str, Role] = {
    "caseworker": Role.CASEWORKER,
    "mentor": Role.MENTOR,
    "supervisor": Role.SUPERVISOR,
    "analyst": Role.ANALYST,
    "designer": Role.DESIGNER,
    "admin": Role.ADMIN,
    "system": Role.SYSTEM,
}


@dataclass(frozen=True)
class Actor:
    """A user (or the system) acting within a region; region '' is the whole installation."""

    user_id: str
    roles: frozenset[Role] = field(default_factory=frozenset)
    region_code: str = ""

    def covers(self, region_code: str) -> bool:
        """Area codes nest by prefix: province 2 digits, city 4, county 6, street 9, community 12."""
        return (region_code or "").startswith(self.region_code)

    def may(self, permission: Permission) -> bool:
        """Whether one of the actor's roles grants this action (domain.permissions.GRANTS)."""
        return permission in permissions_of(self.roles)

    def may_work_lane(self, lane: str | None) -> bool:
        return Role.ADMIN in self.roles or lane_role(lane) in self.roles


def lane_role(lane: str | None) -> Role | None:
    """The role a BPMN lane name stands for ('Caseworker' or '就业服务专员\nCaseworker' -> Role.CASEWORKER)."""
    return LANES.get(labels.split(lane).key.lower())


SYSTEM = Actor("system", frozenset({Role.SYSTEM, Role.ADMIN}), "")
