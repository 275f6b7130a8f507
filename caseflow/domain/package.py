"""Service-package accounting: per component, what was delivered, offered and declined, and what is owed."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from caseflow.domain.enums import PackageComponent, ServiceKind, ServiceResponse

COMPONENT_OF_SERVICE = {
    ServiceKind.CAREER_GUIDANCE: PackageComponent.GUIDANCE,
    ServiceKind.JOB_REFERRAL: PackageComponent.REFERRAL,
    ServiceKind.TRAINING_OFFER: PackageComponent.TRAINING,
    ServiceKind.INTERNSHIP_OFFER: PackageComponent.INTERNSHIP,
}
# Requirement keys as the package_requirements decision table names them.
REQUIREMENT_KEYS = {
    PackageComponent.GUIDANCE: "required_guidance",
    PackageComponent.REFERRAL: "required_referrals",
    PackageComponent.TRAINING: "required_training",
    PackageComponent.INTERNSHIP: "required_internship",
}
EITHER_KEY = "required_training_or_internship"


def after_boundary(requirement: Mapping[str, int]) -> dict[str, int]:
    """The package of a graduate past the two-year boundary: internships are no longer offered, so none is owed
    (a 'training or internship' requirement stays, now met by training; seed 001 §(十四))."""
    return {**requirement, REQUIREMENT_KEYS[PackageComponent.INTERNSHIP]: 0}


@dataclass(frozen=True)
class ComponentStatus:
    component: str
    required: int
    delivered: int
    declined: int

    @property
    def owed(self) -> int:
        return max(0, self.required - self.delivered - self.declined)


@dataclass(frozen=True)
class PackageStatus:
    components: tuple[ComponentStatus, ...]
    either_required: int  # "1 training or internship" (Hubei)
    either_done: int

    @property
    def either_owed(self) -> int:
        return max(0, self.either_required - self.either_done)

    @property
    def complete(self) -> bool:
        return all(c.owed == 0 for c in self.components) and self.either_owed == 0

    def owed(self) -> dict[str, int]:
        owed = {c.component: c.owed for c in self.components if c.owed}
        if self.either_owed:
            owed["training_or_internship"] = self.either_owed
        return owed


def account(requirement: Mapping[str, int], services: Iterable[tuple[str | None, str]]) -> PackageStatus:
    """Count services (component, response) against a requirement; a component counts when the service was
    delivered (accepted) or offered and declined, as recorded — a pending offer does not count yet."""
    delivered = dict.fromkeys(PackageComponent, 0)
    declined = dict.fromkeys(PackageComponent, 0)
    for component, response in services:
        if component is None:
            continue
        if response == ServiceResponse.ACCEPTED:
            delivered[PackageComponent(component)] += 1
        elif response == ServiceResponse.DECLINED:
            declined[PackageComponent(component)] += 1
    components = tuple(ComponentStatus(c.value, int(requirement.get(key, 0)), delivered[c], declined[c])
                       for c, key in REQUIREMENT_KEYS.items())
    either_done = sum(delivered[c] + declined[c] for c in (PackageComponent.TRAINING, PackageComponent.INTERNSHIP))
    return PackageStatus(components, int(requirement.get(EITHER_KEY, 0)), either_done)
