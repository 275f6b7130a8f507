"""Check, step by step, that a restored instance behaves exactly as the live one.

Production never keeps a workflow in memory between steps: a web worker, the sweeper or the CLI restores it
from the database, often in another process than the one that ran the previous step. While checking is on
(the test suite turns it on), every engine step runs three ways and the three results must be identical:

- **stored**: the state restored with this process's parsed specs (what production does; its result is used);
  in cold mode the specs are forgotten first, so this run is also what a freshly started process does;
- **fresh** (warm mode only): the state restored with specs parsed anew from the version's files;
- **live**: the workflow object the previous step left in memory, never serialized, when there is one.

The three runs share one instant of the clock, one sequence of new task ids (random per step) and the service
handlers' results (the stored run calls the handlers; the other two replay what they returned), so any
difference comes from the engine's restore alone. A difference raises `RestoreMismatch` naming it.
"""

import difflib
import hashlib
import json
import os
import random
import threading
import uuid
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass

import SpiffWorkflow.task as spiff_task

from caseflow.engine import clockpatch, runtime
from caseflow.engine.canonical import shape
from caseflow.engine.serializer import decode
from caseflow.engine.specs import cached_files, forget_specs, parse_specs

LIVE_LIMIT = 5000


class RestoreMismatch(AssertionError):
    """A step gave a different result on a restored workflow than on the live one."""


@dataclass
class _Run:
    workflow: object = None
    snapshot: runtime.Snapshot | None = None
    error: BaseException | None = None


_live: "OrderedDict[bytes, object]" = OrderedDict()
_lock = threading.RLock()
_settings = {"cold": False}


def _digest(state: bytes) -> bytes:
    return hashlib.blake2b(state, digest_size=16).digest()


@contextmanager
def _seeded_ids(seed: bytes):
    """Draw SpiffWorkflow's new task ids from a sequence seeded by the step, so equal runs create equal ids."""
    generator = random.Random(seed)
    original = spiff_task.uuid4
    spiff_task.uuid4 = lambda: uuid.UUID(int=generator.getrandbits(128), version=4)
    try:
        yield
    finally:
        spiff_task.uuid4 = original


class _Recorder(dict):
    """Service operations that call the real handlers and remember what each call returned or raised."""

    def __init__(self, operations):
        super().__init__({name: self._recording(name, handler) for name, handler in operations.items()})
        self.calls: list[tuple] = []

    def _recording(self, name, handler):
        def call(params, context):
            try:
                result = handler(params, context)
            except Exception as exc:
                self.calls.append((name, params, context.task_name, None, exc))
                raise
            self.calls.append((name, params, context.task_name, result, None))
            return result
        return call


class _Replayer(dict):
    """Service operations that answer from a recording instead of calling the handlers again."""

    def __init__(self, recorder: _Recorder):
        super().__init__({name: self._replaying(name) for name in recorder})
        self.pending = list(recorder.calls)

    def _replaying(self, name):
        def call(params, context):
            if not self.pending:
                raise RestoreMismatch(f"service operation {name} called only on the restored run")
            recorded_name, recorded_params, task_name, result, error = self.pending.pop(0)
            if (recorded_name, recorded_params, task_name) != (name, params, context.task_name):
                raise RestoreMismatch(f"service call differs: {name}{params} at {context.task_name}, "
                                      f"recorded {recorded_name}{recorded_params} at {task_name}")
            if error is not None:
                raise error
            return result
        return call


@contextmanager
def _operations(operations):
    environment = runtime.script_engine().environment
    original = environment.operations
    environment.operations = operations
    try:
        yield
    finally:
        environment.operations = original


def _run(restore, action, seed: bytes) -> _Run:
    """Restore (a new instance creates its first tasks here) and advance, drawing ids from the seed."""
    run = _Run()
    try:
        with _seeded_ids(seed):
            run.workflow = restore()
            run.snapshot = runtime.advance(run.workflow, action)
    except Exception as exc:  # compared across the runs, then raised again
        run.error = exc
    return run


def _describe(run: _Run) -> str:
    if run.error is not None:
        return f"raised {type(run.error).__name__}: {run.error}"
    snapshot = run.snapshot
    return json.dumps({
        "state": json.loads(shape(decode(snapshot.state))), "completed": snapshot.completed,
        "next_due": snapshot.next_due.isoformat() if snapshot.next_due else None,
        "ready_before": sorted(snapshot.ready_before), "awaiting": sorted(snapshot.awaiting),
        "ready": [[t.task_id, t.info.bpmn_id, t.process_id, t.region, t.info.lane] for t in snapshot.ready_tasks],
        "messages": [[m.name, m.payload] for m in snapshot.messages], "data": snapshot.data,
    }, indent=1, sort_keys=True, default=str)


def _compare(key: tuple, reference: str, name: str, other: str) -> None:
    if reference != other:
        diff = "\n".join(list(difflib.unified_diff(reference.splitlines(), other.splitlines(), "stored", name,
                                                   lineterm="", n=2))[:60])
        raise RestoreMismatch(f"step {key[0]} gave a different result on the {name} workflow:\n{diff}")


def execute(sha: str, process_id: str, files: dict | None, state: bytes, action, key: tuple) -> runtime.Snapshot:
    """Run one step stored, fresh and live; raise RestoreMismatch unless they all agree."""
    seed = os.urandom(16)  # one sequence of new task ids, shared by the runs of this step
    with _lock, clockpatch.pinned():
        files = files or cached_files(sha)  # under the lock: another thread's step may forget the specs meanwhile
        live = _live.pop(_digest(state), None) if state else None
        if _settings["cold"]:
            forget_specs()  # the stored run parses the specs anew, as a restarted process does
        recorder = _Recorder(runtime.script_engine().environment.operations)
        with _operations(recorder):
            stored = _run(lambda: runtime.restore(sha, process_id, files, state), action, seed)
        others = {} if _settings["cold"] else {"fresh": lambda: runtime.restore_with(*parse_specs(process_id, files),
                                                                                     state)}
        if live is not None:
            others["live"] = lambda: live
        reference, continued = _describe(stored), stored.workflow
        for name, restore in others.items():
            with _operations(_Replayer(recorder)):
                other = _run(restore, action, seed)
            _compare(key, reference, name, _describe(other))
            if name == "live":
                continued = other.workflow
        if stored.error is not None:
            raise stored.error
        _live[_digest(stored.snapshot.state)] = continued  # the live workflow goes on in memory
        while len(_live) > LIVE_LIMIT:
            _live.popitem(last=False)
        return stored.snapshot


def enable(*, cold: bool = True) -> None:
    """Check every engine step of this process from now on; `cold` forgets every parsed spec before each step,
    so the stored run is the one a freshly started process would make (else a separate fresh run is added)."""
    _settings["cold"] = cold
    runtime.executor = execute


def disable() -> None:
    runtime.executor = runtime.execute
    _live.clear()


def enabled() -> bool:
    return runtime.executor is execute
