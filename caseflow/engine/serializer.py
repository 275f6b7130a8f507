"""Serialize instance state without its spec: specs are stored once per version and cached.

The state JSON is zlib-compressed: SpiffWorkflow serializes predicted (not yet reached) branches of the task
tree too, so a journey's JSON is 15–35 KB, which compresses about 6:1 at a cost of ~0.1 ms.
"""

import json
import zlib
from uuid import UUID

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG


class _StateOnlyConverter(BpmnWorkflowConverter):
    """Writes the task tree, subprocess state and pending events; takes the specs from the caller."""

    def to_dict(self, workflow):
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_config = dict(SPIFF_CONFIG)
_config[BpmnWorkflow] = _StateOnlyConverter
_serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(_config))
_VERSION_KEY = _serializer.VERSION_KEY


def dumps(workflow: BpmnWorkflow) -> bytes:
    """Compressed state-only JSON of a workflow, tagged with the serializer format version."""
    dct = _serializer.to_dict(workflow)
    dct[_VERSION_KEY] = _serializer.VERSION
    return zlib.compress(json.dumps(dct, separators=(",", ":")).encode(), 1)


def decode(state: bytes) -> dict:
    """The stored state as a dictionary (for inspection and tests)."""
    return json.loads(zlib.decompress(state))


def loads(state: bytes, spec, subprocess_specs) -> BpmnWorkflow:
    """Rebuild a workflow from compressed state-only JSON and its (cached) specs."""
    dct = decode(state)
    version = dct.pop(_VERSION_KEY, None)
    if version != _serializer.VERSION:
        raise ValueError(f"unsupported serializer format {version!r}; expected {_serializer.VERSION}")
    return _serializer.from_dict(dct, spec=spec, subprocess_specs=subprocess_specs)
