"""Who may do what: one table of role → permitted actions. Services refuse an action with NotAllowed unless one
of the actor's roles grants it, and templates show an action's button or form only when it does, so a page never
offers what would answer 403. Work on workflow tasks is granted by lane instead (domain.actor.LANES)."""

from enum import StrEnum

from caseflow.domain.enums import Role
from caseflow.errors import N_


class Permission(StrEnum):
    RECORD_ON_CASE = "record_on_case"  # notes, contact attempts, services, referral outcomes on the case file
    REVEAL_CASE_DATA = "reveal_case_data"  # the full ID number and phone, with a reason
    TRANSFER_CASE = "transfer_case"  # ask another county to take a case over
    READ_POSTINGS = "read_postings"
    EDIT_POSTINGS = "edit_postings"  # add, edit, close and import job postings
    SUPERVISION_CONSOLE = "supervision_console"  # stalled lists, workload, approvals, indicators, audit log
    REASSIGN_WORK = "reassign_work"  # move cases and tasks between caseworkers, record absences
    SEE_INCIDENTS = "see_incidents"
    RESOLVE_INCIDENTS = "resolve_incidents"  # retry or close a failed workflow step
    WORKFLOW_CONSOLE = "workflow_console"  # versions and instances
    DEPLOY = "deploy"
    DESIGN_PROCESSES = "design_processes"  # edit drafts in the designer, lint them, compare versions
    MIGRATE_INSTANCES = "migrate_instances"  # move running instances between versions of a process
    DELIVER_MESSAGES = "deliver_messages"  # the JSON API's messages from integrations
    MANAGE_ACCOUNTS = "manage_accounts"  # add, import, disable, enable, set roles, reset passwords
    SET_PROFILES = "set_profiles"  # a province's service-package profile
    IMPORT_LEDGER = "import_ledger"  # upload, preview, commit and discard real-name ledgers in the browser
    VIEW_CAMPAIGNS = "view_campaigns"  # the yearly campaign's calendar, milestones and report submissions
    OPEN_CAMPAIGN = "open_campaign"  # open a cohort's campaign in a province
    SUBMIT_REPORTS = "submit_reports"  # correct a submitted monthly report (new submission with its reason)


LABELS = {
    Permission.RECORD_ON_CASE: N_("Record notes, contacts, services and referral outcomes on a case"),
    Permission.REVEAL_CASE_DATA: N_("See a graduate's full ID number and phone, with a reason"),
    Permission.TRANSFER_CASE: N_("Transfer a case to another county"),
    Permission.READ_POSTINGS: N_("Read the job-posting register"),
    Permission.EDIT_POSTINGS: N_("Add, edit, close and import job postings"),
    Permission.SUPERVISION_CONSOLE: N_("Supervisor console: stalled cases, workload, approvals, indicators, audit log"),
    Permission.REASSIGN_WORK: N_("Reassign cases and tasks, record absences"),
    Permission.SEE_INCIDENTS: N_("See failed workflow steps"),
    Permission.RESOLVE_INCIDENTS: N_("Retry or close failed workflow steps"),
    Permission.WORKFLOW_CONSOLE: N_("Workflow console: versions and instances"),
    Permission.DEPLOY: N_("Deploy process versions"),
    Permission.DESIGN_PROCESSES: N_("Edit process drafts in the designer, lint them and compare versions"),
    Permission.MIGRATE_INSTANCES: N_("Move running instances between versions of a process"),
    Permission.DELIVER_MESSAGES: N_("Deliver messages from integrations (JSON API)"),
    Permission.MANAGE_ACCOUNTS: N_("Manage accounts"),
    Permission.SET_PROFILES: N_("Set a province's service-package profile"),
    Permission.IMPORT_LEDGER: N_("Upload, preview, commit and discard real-name ledgers for the region"),
    Permission.VIEW_CAMPAIGNS: N_("See the yearly campaign: milestones and monthly report submissions"),
    Permission.OPEN_CAMPAIGN: N_("Open a cohort's campaign in a province"),
    Permission.SUBMIT_REPORTS: N_("Correct a submitted monthly report"),
}

_CASEWORK = {Permission.RECORD_ON_CASE, Permission.REVEAL_CASE_DATA, Permission.TRANSFER_CASE,
             Permission.READ_POSTINGS, Permission.EDIT_POSTINGS}

GRANTS: dict[Role, frozenset[Permission]] = {
    Role.CASEWORKER: frozenset(_CASEWORK),
    Role.MENTOR: frozenset({Permission.RECORD_ON_CASE, Permission.READ_POSTINGS}),
    Role.SUPERVISOR: frozenset(_CASEWORK | {Permission.SUPERVISION_CONSOLE, Permission.REASSIGN_WORK,
                                            Permission.SEE_INCIDENTS, Permission.DELIVER_MESSAGES,
                                            Permission.IMPORT_LEDGER, Permission.VIEW_CAMPAIGNS,
                                            Permission.OPEN_CAMPAIGN, Permission.SUBMIT_REPORTS}),
    Role.ANALYST: frozenset({Permission.READ_POSTINGS, Permission.SUPERVISION_CONSOLE, Permission.VIEW_CAMPAIGNS}),
    Role.DESIGNER: frozenset({Permission.WORKFLOW_CONSOLE, Permission.DEPLOY, Permission.DESIGN_PROCESSES,
                              Permission.MIGRATE_INSTANCES, Permission.SEE_INCIDENTS}),
    Role.ADMIN: frozenset(Permission),
    Role.SYSTEM: frozenset({Permission.DELIVER_MESSAGES}),
}


def permissions_of(roles) -> frozenset[Permission]:
    """Everything any of these roles may do."""
    return frozenset().union(*(GRANTS.get(Role(role), frozenset()) for role in roles))


def roles_with(permission: Permission) -> frozenset[Role]:
    """The roles that grant this permission (what a service checks the actor's roles against)."""
    return frozenset(role for role, granted in GRANTS.items() if permission in granted)
