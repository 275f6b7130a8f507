"""The sandbox for workflow code: every script and expression the engine runs passes one whitelist check first.

Designers' code (script tasks, pre/post scripts, gateway and loop conditions, timer, message and DMN
expressions) runs inside the server, so a builtins whitelist alone is not enough: `().__class__.__base__
.__subclasses__()` reaches `os` through attributes. The check parses the code and admits only a small set of
syntax nodes; attribute names are always written out in Python source, so with `getattr`, `str.format`, `match`
class patterns and the like refused, no code that passes can name a dunder, frame, code or traceback attribute.
What passes is compiled once per source string and evaluated against a globals dict that holds only the safe
builtins, `datetime`, `timedelta` and the task data.
"""

import ast
import builtins
import copy
from datetime import timedelta
from functools import lru_cache

from SpiffWorkflow.bpmn.script_engine import TaskDataEnvironment

from caseflow.engine.clockpatch import ClockDatetime
from caseflow.errors import N_, CaseflowError

SAFE_BUILTINS = {
    name: getattr(builtins, name)
    for name in ("abs", "all", "any", "bool", "dict", "enumerate", "filter", "float", "int", "isinstance",
                 "len", "list", "map", "max", "min", "range", "round", "set", "sorted", "str", "sum",
                 "tuple", "zip", "True", "False", "None")
}
GLOBALS = {"__builtins__": SAFE_BUILTINS, "datetime": ClockDatetime, "timedelta": timedelta}
_LAMBDA_NAMES = frozenset(SAFE_BUILTINS) | {"datetime", "timedelta"}

# Builtins that reach attributes by string, code objects or the interpreter: refused by name even though the
# globals do not hold them, so the designer reads why at deploy instead of a NameError at run time.
FORBIDDEN_NAMES = frozenset({
    "getattr", "setattr", "delattr", "hasattr", "eval", "exec", "compile", "open", "globals", "locals", "vars",
    "dir", "type", "breakpoint",
})
# str.format/format_map read attributes named in the format string; mro() lists base classes; the rest are
# generator, frame, code, coroutine, async-generator and traceback attributes, and closure cells.
FORBIDDEN_ATTRIBUTES = frozenset({"format", "format_map", "mro", "cell_contents"})
FORBIDDEN_ATTRIBUTE_PREFIXES = ("_", "gi_", "f_", "co_", "cr_", "ag_", "tb_")

_ALLOWED_NODES = (
    ast.Module, ast.Expression, ast.Expr, ast.Assign, ast.AugAssign, ast.Delete, ast.If, ast.For, ast.While,
    ast.Break, ast.Continue, ast.Pass,
    ast.BoolOp, ast.BinOp, ast.UnaryOp, ast.IfExp, ast.Compare, ast.Call, ast.keyword, ast.Constant,
    ast.JoinedStr, ast.FormattedValue, ast.Name, ast.Attribute, ast.Subscript, ast.Slice, ast.Starred,
    ast.List, ast.Tuple, ast.Dict, ast.Set, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp,
    ast.comprehension, ast.Lambda, ast.arguments, ast.arg,
    ast.boolop, ast.operator, ast.unaryop, ast.cmpop, ast.expr_context,
)
_CONSTRUCT_NAMES = {
    ast.Import: "import", ast.ImportFrom: "import", ast.FunctionDef: "def", ast.AsyncFunctionDef: "async def",
    ast.ClassDef: "class", ast.Global: "global", ast.Nonlocal: "nonlocal", ast.Yield: "yield",
    ast.YieldFrom: "yield from", ast.Await: "await", ast.Match: "match", ast.With: "with", ast.Try: "try",
    ast.Raise: "raise", ast.Assert: "assert", ast.Return: "return", ast.NamedExpr: ":=",
    ast.AnnAssign: "annotated assignment", ast.AsyncFor: "async for", ast.AsyncWith: "async with",
}
_CACHE_SIZE = 4096


class UnsafeCode(CaseflowError):
    """Workflow code outside what the sandbox allows; it was refused before it could run."""

    http_status = 500


def _excerpt(source: str, node: ast.AST) -> str:
    segment = ast.get_source_segment(source, node) or source
    segment = " ".join(segment.split())
    return segment if len(segment) <= 80 else segment[:77] + "..."


def _refuse(message: str, source: str, node: ast.AST, **params) -> UnsafeCode:
    return UnsafeCode(message, code=_excerpt(source, node), **params)


def _check_name(name: str, source: str, node: ast.AST) -> None:
    if name.startswith("_"):
        raise _refuse(N_("name %(name)s is not allowed in workflow code: %(code)s"), source, node, name=name)
    if name in FORBIDDEN_NAMES:
        raise _refuse(N_("%(name)s is not available to workflow code: %(code)s"), source, node, name=name)


def _check_attribute(name: str, source: str, node: ast.AST) -> None:
    if name in FORBIDDEN_ATTRIBUTES or name.startswith(FORBIDDEN_ATTRIBUTE_PREFIXES):
        raise _refuse(N_("attribute %(name)s is not allowed in workflow code: %(code)s"), source, node, name=name)


def _lambda_body(node: ast.Lambda):
    """The nodes of a lambda's body, without those of lambdas nested in it (each is checked on its own)."""
    pending = [node.body]
    while pending:
        current = pending.pop()
        yield current
        if not isinstance(current, ast.Lambda):
            pending.extend(ast.iter_child_nodes(current))


def _check_lambda(node: ast.Lambda, source: str) -> None:
    """A lambda may use its own parameters, names it binds itself, the safe builtins, `datetime` and
    `timedelta`: nothing it could capture from the task data or an enclosing lambda (no globals, no closures)."""
    arguments = node.args
    if arguments.posonlyargs or arguments.vararg or arguments.kwonlyargs or arguments.kwarg or arguments.defaults:
        raise _refuse(N_("%(construct)s is not allowed in workflow code: %(code)s"), source, node,
                      construct="lambda with default or star parameters")
    body = [inner for inner in _lambda_body(node) if isinstance(inner, ast.Name)]
    own = {arg.arg for arg in arguments.args} | {name.id for name in body if isinstance(name.ctx, ast.Store)}
    for name in body:
        if name.id not in own and name.id not in _LAMBDA_NAMES:
            raise _refuse(N_("a lambda may use only its own parameters, not %(name)s: %(code)s"), source, name,
                          name=name.id)


def _check_node(node: ast.AST, source: str) -> None:
    if not isinstance(node, _ALLOWED_NODES):
        construct = _CONSTRUCT_NAMES.get(type(node), type(node).__name__)
        raise _refuse(N_("%(construct)s is not allowed in workflow code: %(code)s"), source, node,
                      construct=construct)
    if isinstance(node, ast.Name):
        _check_name(node.id, source, node)
    elif isinstance(node, ast.arg):
        _check_name(node.arg, source, node)
    elif isinstance(node, ast.Attribute):
        _check_attribute(node.attr, source, node)
    elif isinstance(node, ast.comprehension) and node.is_async:
        raise _refuse(N_("%(construct)s is not allowed in workflow code: %(code)s"), source, node,
                      construct="async for")
    elif isinstance(node, ast.Lambda):
        _check_lambda(node, source)


def _invalid(source: str, exc: SyntaxError) -> UnsafeCode:
    return UnsafeCode(N_("workflow code is not valid Python: %(reason)s: %(code)s"), reason=exc.msg,
                      code=" ".join(source.split())[:80])


def check(source: str, mode: str = "exec") -> ast.AST:
    """Parse workflow code (`exec` for scripts, `eval` for expressions) and refuse what the sandbox forbids."""
    if not isinstance(source, str):
        raise UnsafeCode(N_("workflow code must be text, not %(kind)s"), kind=type(source).__name__)
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as exc:
        raise _invalid(source, exc) from None
    for node in ast.walk(tree):
        _check_node(node, source)
    return tree


@lru_cache(maxsize=_CACHE_SIZE)
def compile_checked(source: str, mode: str):
    """Code object for workflow code that passed the check; compiled once per source string."""
    tree = check(source, mode)
    try:
        return compile(tree, "<string>", mode)
    except SyntaxError as exc:  # what only the compiler sees, e.g. `break` outside a loop
        raise _invalid(source, exc) from None


class SandboxEnvironment(TaskDataEnvironment):
    """SpiffWorkflow's task-data environment that evaluates and executes only checked code."""

    def __init__(self):
        super().__init__(dict(GLOBALS))

    def evaluate(self, expression, context, external_context=None):
        code = compile_checked(expression, "eval")
        scope = copy.copy(self.globals)
        scope.update(external_context or {})
        scope.update(context)
        scope["__builtins__"] = SAFE_BUILTINS  # data never replaces the builtins
        return eval(code, scope)  # noqa: S307 (checked code, restricted globals)

    def execute(self, script, context, external_context=None):
        code = compile_checked(script, "exec")
        self.check_for_overwrite(context, external_context or {})
        scope = copy.copy(self.globals)
        scope.update(external_context or {})
        context.update(scope)
        context["__builtins__"] = SAFE_BUILTINS  # data never replaces the builtins
        try:
            exec(code, context)  # noqa: S102 (checked code, restricted globals)
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)
        return True
