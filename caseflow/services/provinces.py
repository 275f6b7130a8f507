"""Provinces and their service-package profiles: which profile each province's new cases get (Region.profile, else
CASEFLOW_DEFAULT_PROFILE), which rule of the package-requirement decision table that selects, and setting it."""

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from caseflow.domain.actor import Actor
from caseflow.domain.decision_table import DecisionTable, Rule, profiles_named, read_decision
from caseflow.domain.enums import EventAction, RegionLevel
from caseflow.domain.package import EITHER_KEY, REQUIREMENT_KEYS
from caseflow.domain.permissions import Permission
from caseflow.errors import N_, InvalidInput, NotAllowed, NotFound
from caseflow.extensions import db
from caseflow.models import ProcessVersion, Region
from caseflow.services.clock import now as clock_now
from caseflow.services.deployment import workflows_dir
from caseflow.services.scope import region_clause
from caseflow.services.workflow import committing, log_event

DECISION = "package_requirements"
DMN_FILE = f"{DECISION}.dmn"
COMPONENT_OF_OUTPUT = {**{key: component.value for component, key in REQUIREMENT_KEYS.items()},
                       EITHER_KEY: "training_or_internship"}


@dataclass(frozen=True)
class Requirements:
    """The decision table new cases use, and where it was read from."""

    table: DecisionTable
    source: str  # 'deployed <sha>' or the workflows directory's file


@dataclass(frozen=True)
class ProvinceProfile:
    region: Region
    profile: str  # the profile new cases of the province get
    is_default: bool  # no profile set: CASEFLOW_DEFAULT_PROFILE applies
    rule: Rule | None
    requirement: dict[str, int]  # component → how many, as the rule's outputs say


def load_requirements() -> Requirements:
    """The package-requirement table of the newest deployed version that carries it, else the workflows
    directory's copy (before anything is deployed)."""
    for files, sha in db.session.execute(select(ProcessVersion.files, ProcessVersion.sha256)
                                         .order_by(ProcessVersion.id.desc())):
        if DMN_FILE in files and (table := read_decision(files[DMN_FILE], DECISION)):
            return Requirements(table, f"{DMN_FILE} · {sha[:12]}")
    path = workflows_dir() / "dmn" / DMN_FILE
    table = read_decision(path.read_text(encoding="utf-8"), DECISION) if path.exists() else None
    if table is None:
        raise NotFound(N_("no decision table %(decision)s is deployed"), decision=DECISION)
    return Requirements(table, str(path.name))


def _requirement(rule: Rule | None) -> dict[str, int]:
    if rule is None:
        return {}
    shown = {}
    for name, text in rule.outputs.items():
        try:
            shown[COMPONENT_OF_OUTPUT.get(name, name)] = int(text)
        except ValueError:
            continue
    return {component: count for component, count in shown.items() if count}


def _check(actor: Actor) -> None:
    if not actor.may(Permission.SET_PROFILES):
        raise NotAllowed(N_("only administrators may set a province's profile"))


def list_profiles(actor: Actor, requirements: Requirements | None = None) -> list[ProvinceProfile]:
    """Every province of the administrator's region (or containing it), its profile and the rule that applies."""
    _check(actor)
    requirements = requirements or load_requirements()
    default = current_app.config["CASEFLOW_DEFAULT_PROFILE"]
    provinces = db.session.scalars(select(Region).where(Region.level == RegionLevel.PROVINCE,
                                                        region_clause(Region.code, actor.region_code[:2]))
                                   .order_by(Region.code)).all()
    rows = []
    for region in provinces:
        profile = region.profile or default
        rule = requirements.table.first_match({requirements.table.inputs[0][1]: profile})
        rows.append(ProvinceProfile(region, profile, not region.profile, rule, _requirement(rule)))
    return rows


def set_profile(code: str, profile: str | None, *, actor: Actor) -> Region:
    """Give a province the service-package profile its new cases get ('' or None: the installation's default);
    cases opened before keep theirs. Only profiles the decision table names are accepted."""
    _check(actor)
    region = db.session.get(Region, (code or "").strip())
    if region is None or region.level != RegionLevel.PROVINCE:
        raise InvalidInput(N_("%(code)s is not a province's area code"), code=(code or "")[:12])
    if not actor.covers(region.code):
        raise InvalidInput(N_("the region %(region)s lies outside yours"), region=region.code)
    profile = (profile or "").strip() or None
    known = profiles_named(load_requirements().table)
    if profile is not None and profile not in known:
        raise InvalidInput(N_("the decision table names no profile %(profile)s; known: %(known)s"),
                           profile=profile[:30], known=", ".join(known))
    if region.profile != profile:
        with committing():
            log_event(actor=actor, action=EventAction.PROFILE_SET, now=clock_now(), region=region.code,
                      profile=profile, before=region.profile)
            region.profile = profile
    return region
