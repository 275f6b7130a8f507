"""Statuses and roles, defined once; queries and templates use these, never bare strings."""

from enum import StrEnum


class InstanceStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    ERROR = "error"


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
