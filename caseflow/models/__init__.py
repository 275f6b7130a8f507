"""Tables, one module per aggregate."""

from caseflow.models.event import EventLog, OutboxMessage, SimulatedClock
from caseflow.models.process import ProcessInstance, ProcessVersion
from caseflow.models.task import HumanTask

__all__ = ["EventLog", "HumanTask", "OutboxMessage", "ProcessInstance", "ProcessVersion", "SimulatedClock"]
