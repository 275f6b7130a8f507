"""The only package that imports SpiffWorkflow. JSON and plain values in, snapshots out."""

from caseflow.engine.bulk import start_many
from caseflow.engine.runtime import (
    EngineError,
    Message,
    ReadyTask,
    ServiceContext,
    Snapshot,
    active_elements,
    complete_task,
    configure,
    deliver_message,
    inspect,
    start,
    wake,
)
from caseflow.engine.specs import (
    FORMS_DIR,
    Bundle,
    TaskSpecInfo,
    build_bundle,
    content_hash,
    forget_specs,
    get_specs,
    is_cached,
)

__all__ = [
    "FORMS_DIR", "active_elements", "Bundle", "EngineError", "Message", "ReadyTask", "ServiceContext", "Snapshot",
    "TaskSpecInfo",
    "build_bundle", "complete_task", "configure", "content_hash", "deliver_message", "forget_specs", "get_specs",
    "inspect", "is_cached", "start", "start_many", "wake",
]
