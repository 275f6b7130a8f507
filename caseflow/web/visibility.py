"""What templates may show: an action only to users the service would let take it (one table,
domain.permissions.GRANTS, and the lane → role table for workflow tasks), and area codes as region names."""

from flask import Flask
from flask_login import current_user

from caseflow.domain.enums import HumanTaskState
from caseflow.domain.permissions import Permission
from caseflow.errors import CaseflowError
from caseflow.services import instances
from caseflow.services.region_names import region_name, region_path
from caseflow.web.session import current_actor

ANYONE = "anyone signed in"
LANE = "the task's lane"  # the role its lane names works the task (domain.actor.LANES), administrators any task

# Every action a page may offer (a POST endpoint) → what grants it. Templates show the action by the same rule;
# tests/web/test_role_visibility.py signs in as each role and checks every form it is offered against this table.
ENDPOINT_PERMISSIONS: dict[str, Permission | str] = {
    "auth.login": ANYONE, "auth.logout": ANYONE, "auth.change_password": ANYONE,
    "tasks.claim": LANE, "tasks.complete": LANE, "tasks.save_draft": LANE, "api.complete_task": LANE,
    "tasks.release": ANYONE,  # whoever holds the task
    "cases.reveal": Permission.REVEAL_CASE_DATA, "cases.record": Permission.RECORD_ON_CASE,
    "cases.transfer": Permission.TRANSFER_CASE,
    "postings.create": Permission.EDIT_POSTINGS, "postings.update": Permission.EDIT_POSTINGS,
    "postings.close": Permission.EDIT_POSTINGS, "postings.import_file": Permission.EDIT_POSTINGS,
    "supervision.reassign": Permission.REASSIGN_WORK, "supervision.reassign_task": Permission.REASSIGN_WORK,
    "supervision.absence": Permission.REASSIGN_WORK,
    "home.retry_incident": Permission.RESOLVE_INCIDENTS, "home.dismiss_incident": Permission.RESOLVE_INCIDENTS,
    "api.deliver_message": Permission.DELIVER_MESSAGES,
    "admin.add_user": Permission.MANAGE_ACCOUNTS, "admin.import_file": Permission.MANAGE_ACCOUNTS,
    "admin.update_user": Permission.MANAGE_ACCOUNTS, "admin.set_active": Permission.MANAGE_ACCOUNTS,
    "admin.reset_password": Permission.MANAGE_ACCOUNTS, "admin.set_profile": Permission.SET_PROFILES,
    "ledger.upload": Permission.IMPORT_LEDGER, "ledger.commit": Permission.IMPORT_LEDGER,
    "ledger.discard": Permission.IMPORT_LEDGER, "ledger.resume": Permission.IMPORT_LEDGER,
    "designer.save_draft": Permission.DESIGN_PROCESSES, "designer.discard": Permission.DESIGN_PROCESSES,
    "designer.publish": Permission.DEPLOY, "designer.migrate": Permission.MIGRATE_INSTANCES,
    "designer.preview_form": Permission.DESIGN_PROCESSES, "designer.save_form": Permission.DESIGN_PROCESSES,
    "designer.simulate": Permission.DESIGN_PROCESSES, "designer.simulation_retry": Permission.DESIGN_PROCESSES,
    "admin.add_token": Permission.MANAGE_ACCOUNTS, "admin.revoke_token": Permission.MANAGE_ACCOUNTS,
    # the integration API (/api/v1): offered on no page, checked by the same services
    "api_v1.claim_task": LANE, "api_v1.complete_task": LANE, "api_v1.release_task": ANYONE,
    "api_v1.PostingsView": Permission.EDIT_POSTINGS, "api_v1.close_posting": Permission.EDIT_POSTINGS,
    "api_v1.import_postings": Permission.EDIT_POSTINGS, "api_v1.contact_details": Permission.DELIVER_MESSAGES,
    "api_v1.employment_match": Permission.DELIVER_MESSAGES,
    "api_v1.LedgerBatchesView": Permission.IMPORT_LEDGER, "api_v1.commit_ledger": Permission.IMPORT_LEDGER,
    "api_v1.discard_ledger": Permission.IMPORT_LEDGER,
    "campaign.open_campaign": Permission.OPEN_CAMPAIGN,
}


def may(permission: str) -> bool:
    """The signed-in user's roles grant this action."""
    return current_user.is_authenticated and current_user.may(permission)


def may_claim(task) -> bool:
    """The task waits in a team queue whose lane one of the user's roles works."""
    return (current_user.is_authenticated and not task.assignee and task.state == HumanTaskState.READY
            and current_actor().may_work_lane(task.lane))


def may_complete(task) -> bool:
    """The user could complete (or save a draft of) this task now, as the service decides."""
    if not current_user.is_authenticated:
        return False
    try:
        instances.check_may_complete(task, current_actor())
    except CaseflowError:
        return False
    return True


def register(app: Flask) -> None:
    app.add_template_global(may)
    app.add_template_global(may_claim)
    app.add_template_global(may_complete)
    app.add_template_filter(region_name, "region")
    app.add_template_filter(region_path, "region_path")
