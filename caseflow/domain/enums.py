"""Statuses and roles, defined once; queries and templates use these, never bare strings."""

from enum import StrEnum


class InstanceStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    ERROR = "error"


class IncidentKind(StrEnum):
    """Which kind of workflow step failed."""

    TIMER = "timer"
    COMPLETION = "completion"
    MESSAGE = "message"


class HumanTaskState(StrEnum):
    READY = "ready"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Role(StrEnum):
    CASEWORKER = "caseworker"
    MENTOR = "mentor"
    SUPERVISOR = "supervisor"
    DESIGNER = "designer"
    ANALYST = "analyst"
    ADMIN = "admin"
    SYSTEM = "system"


class EventAction(StrEnum):
    INSTANCE_STARTED = "instance_started"
    TASK_COMPLETED = "task_completed"
    TIMER_FIRED = "timer_fired"
    MESSAGE_DELIVERED = "message_delivered"
    VERSION_DEPLOYED = "version_deployed"
    PROCESS_DRAFT_SAVED = "process_draft_saved"
    VERSION_PUBLISHED = "version_published"
    INSTANCE_MIGRATED = "instance_migrated"
    CASE_OPENED = "case_opened"
    CASE_ASSIGNED = "case_assigned"
    CASE_RECORDED = "case_recorded"
    TRANSFER_REQUESTED = "transfer_requested"
    LOGGED_IN = "logged_in"
    LOGIN_FAILED = "login_failed"
    LOGIN_ATTEMPT = "login_attempt"
    LOGIN_THROTTLED = "login_throttled"
    LOGGED_OUT = "logged_out"
    PASSWORD_CHANGED = "password_changed"
    CASE_VIEWED = "case_viewed"
    DATA_REVEALED = "data_revealed"
    TASK_CLAIMED = "task_claimed"
    TASK_RELEASED = "task_released"
    DRAFT_SAVED = "draft_saved"
    ACCESS_DENIED = "access_denied"
    EXPORTED = "exported"
    LEDGER_IMPORTED = "ledger_imported"
    LEDGER_UPLOADED = "ledger_uploaded"
    LEDGER_PREVIEWED = "ledger_previewed"
    LEDGER_COMMIT_REQUESTED = "ledger_commit_requested"
    LEDGER_DISCARDED = "ledger_discarded"
    LEDGER_RESUMED = "ledger_resumed"
    TASK_REASSIGNED = "task_reassigned"
    ABSENCE_SET = "absence_set"
    USER_ADDED = "user_added"
    USERS_IMPORTED = "users_imported"
    USER_UPDATED = "user_updated"
    USER_DISABLED = "user_disabled"
    USER_ENABLED = "user_enabled"
    PASSWORD_RESET = "password_reset"
    PROFILE_SET = "profile_set"
    CAMPAIGN_OPENED = "campaign_opened"
    REPORT_CORRECTED = "report_corrected"
    STEP_FAILED = "step_failed"
    INCIDENT_RETRIED = "incident_retried"
    INCIDENT_DISMISSED = "incident_dismissed"
    CLOCK_ADVANCED = "clock_advanced"
    JOBS_PUSHED = "jobs_pushed"
    POSTING_CREATED = "posting_created"
    POSTING_UPDATED = "posting_updated"
    POSTING_CLOSED = "posting_closed"
    POSTINGS_IMPORTED = "postings_imported"
    SUBSIDY_DECIDED = "subsidy_decided"
    TOKEN_ADDED = "token_added"
    TOKEN_REVOKED = "token_revoked"
    EMPLOYMENT_MATCHED = "employment_matched"
    TRAINING_SUBSIDY = "training_subsidy"  # the entrepreneurship training subsidy its course type gives


class RegionLevel(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    STREET = "street"
    COMMUNITY = "community"


class CaseStatus(StrEnum):
    PENDING_CONTACT = "pending_contact"
    SEEKING = "seeking"
    NO_INTENT = "no_intent"
    UNREACHABLE = "unreachable"
    PLACED = "placed"
    CLOSED = "closed"
    TRANSFERRED_OUT = "transferred_out"  # 已转出: only in the origin's ledger and reports, never on the case row


class Classified(StrEnum):
    """What a classification (or a monthly visit) records about the graduate."""

    EMPLOYED = "employed"
    SEEKING = "seeking"
    NO_INTENT = "no_intent"
    IN_TRAINING = "in_training"
    IN_INTERNSHIP = "in_internship"
    FURTHER_STUDY = "further_study"
    ENLISTED = "enlisted"


class NoIntentReason(StrEnum):
    EXAM_PREPARATION = "exam_preparation"
    FURTHER_STUDY = "further_study"
    HEALTH = "health"
    FAMILY = "family"
    OTHER = "other"


class HardshipKind(StrEnum):
    POVERTY_ALLEVIATED = "poverty_alleviated"  # 脱贫家庭
    MINIMUM_SUBSIDY = "minimum_subsidy"  # 低保
    ZERO_EMPLOYMENT = "zero_employment"  # 零就业家庭
    DISABLED = "disabled"  # 残疾
    SPECIAL_HARDSHIP = "special_hardship"  # 特困


class DifficultyStatus(StrEnum):
    NONE = "none"
    CANDIDATE = "candidate"
    DESIGNATED = "designated"
    ASSISTED = "assisted"  # designated and taken into employment assistance (就业援助)


class Degree(StrEnum):
    ASSOCIATE = "associate"  # 专科
    BACHELOR = "bachelor"  # 本科
    MASTER = "master"  # 硕士
    DOCTORATE = "doctorate"  # 博士


class ContactChannel(StrEnum):
    PHONE = "phone"
    SMS = "sms"
    WECHAT = "wechat"
    HOME_VISIT = "home_visit"
    WALK_IN = "walk_in"
    ONLINE = "online"


class ContactOutcome(StrEnum):
    REACHED = "reached"
    NO_ANSWER = "no_answer"
    WRONG_NUMBER = "wrong_number"
    REFUSED = "refused"
    RELAYED_BY_FAMILY = "relayed_by_family"


class ServiceKind(StrEnum):
    POLICY_BRIEFING = "policy_briefing"
    CAREER_GUIDANCE = "career_guidance"
    JOB_REFERRAL = "job_referral"
    TRAINING_OFFER = "training_offer"
    INTERNSHIP_OFFER = "internship_offer"
    STARTUP_TRAINING = "startup_training"
    LOAN_HELP = "loan_help"
    SUBSIDY_HELP = "subsidy_help"
    GRASSROOTS_INFO = "grassroots_info"
    COUNSELLING = "counselling"
    STARTUP_GUIDANCE = "startup_guidance"
    EMPLOYMENT_ASSISTANCE = "employment_assistance"


class SubsidyKind(StrEnum):
    """One-time subsidies a graduate may be offered besides the startup subsidy of the entrepreneurship path."""

    JOBSEEKING = "jobseeking"  # 一次性求职创业补贴 for hardship graduates (seed 004 §(九))
    TRAINING = "training"  # 创业培训补贴 by course type (seed 004 §(三)), granted on completing the course


class SubsidyResponse(StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"
    RECEIVED_BEFORE = "received_before"  # already paid through the school


class PackageComponent(StrEnum):
    GUIDANCE = "guidance"
    REFERRAL = "referral"
    TRAINING = "training"
    INTERNSHIP = "internship"


class ServiceResponse(StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"
    PENDING = "pending"


class ReferralOutcome(StrEnum):
    PENDING = "pending"
    INTERVIEWED = "interviewed"
    HIRED = "hired"
    REJECTED = "rejected"
    NO_SHOW = "no_show"
    DECLINED = "declined"


class PlacementKind(StrEnum):
    """Every way a graduate leaves the service placed (seed 000 §6, seed 001 §(五)(六), DOMAIN.md Exit)."""

    CONTRACT_JOB = "contract_job"
    FLEXIBLE_WORK = "flexible_work"
    SELF_EMPLOYMENT = "self_employment"
    GRASSROOTS_PROGRAMME = "grassroots_programme"  # another grassroots or community post
    THREE_SUPPORTS = "three_supports"  # 三支一扶
    WESTERN_PROGRAMME = "western_programme"  # 西部计划
    SPECIAL_POST_TEACHER = "special_post_teacher"  # 特岗教师
    SELECTED_GRADUATE = "selected_graduate"  # 选调生
    CIVIL_SERVICE = "civil_service"  # civil service or public institution recruitment
    INTERNSHIP_RETENTION = "internship_retention"  # kept on by the internship host
    PUBLIC_WELFARE_POST = "public_welfare_post"
    FURTHER_STUDY = "further_study"
    ENLISTMENT = "enlistment"


class VerifiedHow(StrEnum):
    """How a placement was verified."""

    SOCIAL_INSURANCE = "social_insurance"
    LABOUR_CONTRACT = "labour_contract"
    BUSINESS_LICENCE = "business_licence"
    APPOINTMENT_NOTICE = "appointment_notice"
    ADMISSION_LETTER = "admission_letter"
    ENLISTMENT_NOTICE = "enlistment_notice"
    EMPLOYER_CONFIRMATION = "employer_confirmation"
    FLEXIBLE_WORK_RECORD = "flexible_work_record"


class EnrolmentKind(StrEnum):
    TRAINING = "training"
    INTERNSHIP = "internship"


class TransferStatus(StrEnum):
    REQUESTED = "requested"  # waiting for the origin supervisor's approval
    APPROVED = "approved"  # approved by the origin, waiting for the receiving county
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class ImportStatus(StrEnum):
    QUEUED = "queued"  # uploaded in the browser, waiting for the background preview (see services.ledger_upload)
    FAILED = "failed"  # the background preview refused the whole file (columns, encoding, damage)
    PREVIEWED = "previewed"
    COMMITTED = "committed"
    DISCARDED = "discarded"


class PostingState(StrEnum):
    """Whether a job posting can still be pushed or referred (closed: by hand, or its closing date passed)."""

    OPEN = "open"
    CLOSED = "closed"


class PushShortfall(StrEnum):
    """Why job matching pushed fewer postings than the minimum (seed 000 §7: 3 to 5)."""

    NO_OPEN_POSTING = "no_open_posting"  # too few open postings in the graduate's area
    NO_FIT = "no_fit"  # too few of them fit the graduate's major or degree
    ALL_OFFERED = "all_offered"  # the others that fit were already offered


class AssignmentRule(StrEnum):
    """How a new handover picks its caseworker (CASEFLOW_ASSIGNMENT_RULE)."""

    BALANCED = "balanced"  # the county's least open caseload
    STREET = "street"  # a caseworker of the graduate's street or community, else balanced


class StalledRule(StrEnum):
    """Why a case is on a supervisor's stalled or at-risk list."""

    OVERDUE_TASKS = "overdue_tasks"
    NO_ACTIVITY = "no_activity"
    FIRST_CONTACT_OVERDUE = "first_contact_overdue"
    PACKAGE_OVERDUE = "package_overdue"
    FOLLOW_UP_MISSED = "follow_up_missed"
    HARDSHIP_WITHOUT_PLAN = "hardship_without_plan"
    NEARING_TWO_YEARS = "nearing_two_years"
    ESCALATED = "escalated"
