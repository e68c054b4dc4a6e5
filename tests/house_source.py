"""The project's source parsed once for tests/house.py: defs, imports, and names resolved.

A name resolves to "module:qualname" keys (a def; methods are "Class.method") or module names,
through imports (absolute, relative, re-exports), module-level and local assignments, ``for``
targets, nested defs and ``self.f``; a value's names are those argument_refs yields.
"""

from __future__ import annotations

import ast
import warnings
from functools import cache
from pathlib import Path

DEFS = ast.FunctionDef | ast.AsyncFunctionDef


class Module:
    """One parsed source file, indexed: its defs, imports, module-level names and parents."""

    def __init__(self, root: Path, file: Path) -> None:
        self.path = file.relative_to(root).as_posix()  # e.g. "handlers/agent.py"
        self.name = self.path.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
        self.package = self.name if file.name == "__init__.py" else self.name.rpartition(".")[0]
        self.text = file.read_text(encoding="utf-8")
        with warnings.catch_warnings():  # invalid escapes are ruff's business, not ours
            warnings.simplefilter("ignore")
            self.tree = ast.parse(self.text, filename=self.path)
        self.functions: dict[str, ast.AST] = {}  # qualname ("Class.method") -> def
        self.qualnames: dict[ast.AST, str] = {}
        self.imports: dict[str, str] = {}  # local name -> dotted target
        self.parents: dict[ast.AST, ast.AST] = {}
        for parent in ast.walk(self.tree):
            self.parents.update((child, parent) for child in ast.iter_child_nodes(parent))
            for a in parent.names if isinstance(parent, ast.Import) else []:
                top = a.name.split(".")[0]  # `import a.b` binds a; `import a.b as c` binds a.b
                self.imports[a.asname or top] = a.name if a.asname else top
            for a in parent.names if isinstance(parent, ast.ImportFrom) else []:
                self.imports[a.asname or a.name] = f"{source(parent, self.package)}.{a.name}"
        self.assigned = {  # module-level name -> value
            target.id: node.value
            for node in self.tree.body
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value
            for target in getattr(node, "targets", [getattr(node, "target", None)])
            if isinstance(target, ast.Name)
        }
        self._index(self.tree, "")

    def _index(self, parent: ast.AST, prefix: str) -> None:
        for node in ast.iter_child_nodes(parent):
            if isinstance(node, DEFS):
                self.functions[prefix + node.name], self.qualnames[node] = node, prefix + node.name
            named = isinstance(node, DEFS | ast.ClassDef)
            self._index(node, f"{prefix}{node.name}." if named else prefix)

    def scope(self, node: ast.AST) -> ast.AST | None:
        """Return the innermost def around node, None at module level."""
        while (node := self.parents.get(node)) is not None:
            if isinstance(node, DEFS):
                return node
        return None

    def where(self, node: ast.AST) -> str:
        return f"{self.path}:{node.lineno}"


def source(node: ast.ImportFrom, package: str) -> str:
    """Return the absolute module a ``from`` import reads from."""
    parts = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
    return ".".join(parts + ([node.module] if node.module else []))


def called(node: ast.AST) -> str:
    """Return the last name of what a call calls ("" for anything but a call)."""
    func = getattr(node, "func", None)
    return getattr(func, "id", None) or getattr(func, "attr", "")


def argument_refs(node: ast.AST):
    """Yield every Name/Attribute taken as an argument inside node (never a call's func)."""
    if isinstance(node, ast.Name | ast.Attribute):
        yield node
    elif isinstance(node, ast.Call):
        for arg in [*node.args, *(keyword.value for keyword in node.keywords)]:
            yield from argument_refs(arg)
    elif not isinstance(node, ast.Lambda):
        for child in ast.iter_child_nodes(node):
            yield from argument_refs(child)


def local_values(scope: ast.AST, name: str) -> list[ast.AST] | None:
    """Return what a def binds name to (a bare parameter: nothing), None when it does not."""
    return bindings(scope).get(name)


@cache
def bindings(scope: ast.AST) -> dict[str, list[ast.AST]]:
    """Map every name a def binds (parameters, assignments, ``for`` targets) to its values."""
    a = scope.args
    found = {p.arg: [] for p in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg] if p}
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.NamedExpr) and node.value:
            for target in getattr(node, "targets", [getattr(node, "target", None)]):
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, []).append(node.value)
        elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
            for target in (n for n in ast.walk(node.target) if isinstance(n, ast.Name)):
                found.setdefault(target.id, []).append(node.iter)
    return found


class Project:
    """Every source file; names resolve to "module:qualname" keys or module names."""

    def __init__(self, root: Path, files: list[Path]) -> None:
        self.modules = {m.name: m for m in (Module(root, f) for f in sorted(files) if f.exists())}

    def under(self, *areas: str) -> list[Module]:
        return [m for m in self.modules.values() if m.path.split("/")[0] in areas]

    def function(self, key: str) -> tuple[Module, ast.AST]:
        m = self.modules[key.partition(":")[0]]
        return m, m.functions[key.partition(":")[2]]

    def follow(self, dotted: str, depth: int) -> set[str]:
        module, _, attr = dotted.rpartition(".")
        if dotted in self.modules or module not in self.modules:
            return {dotted} if dotted in self.modules else set()
        return self.name(self.modules[module], attr, None, depth)

    def name(self, m: Module, name: str, scope: ast.AST | None, depth: int) -> set[str]:
        if depth > 12:
            return set()
        if scope is not None:
            if (nested := f"{m.qualnames[scope]}.{name}") in m.functions:
                return {f"{m.name}:{nested}"}
            if (values := local_values(scope, name)) is not None:
                return set().union(*(self.refs(m, v, scope, depth + 1) for v in values))
            return self.name(m, name, m.scope(scope), depth + 1)
        if name in m.functions:
            return {f"{m.name}:{name}"}
        if name in m.imports:
            return self.follow(m.imports[name], depth + 1)
        return self.refs(m, m.assigned[name], None, depth + 1) if name in m.assigned else set()

    def resolve(self, m: Module, node: ast.AST, scope: ast.AST | None, depth: int = 0) -> set[str]:
        """Resolve a Name or Attribute seen in m inside scope (a def, or None)."""
        if isinstance(node, ast.Name):
            return self.name(m, node.id, scope, depth + 1)
        if not isinstance(node, ast.Attribute) or depth > 12:
            return set()
        if getattr(node.value, "id", "") in ("self", "cls") and scope:
            method = f"{m.qualnames[scope].rpartition('.')[0]}.{node.attr}"
            return {f"{m.name}:{method}"} if method in m.functions else set()
        bases = [b for b in self.resolve(m, node.value, scope, depth + 1) if ":" not in b]
        return set().union(*(self.follow(f"{b}.{node.attr}", depth + 1) for b in bases))

    def refs(self, m: Module, node: ast.AST, scope: ast.AST | None, depth: int = 0) -> set[str]:
        return set().union(*(self.resolve(m, r, scope, depth + 1) for r in argument_refs(node)))


def dotted(m: Module, node: ast.AST | None) -> str:
    """Return the import path an expression names, e.g. "crm.models.Ticket" ("" for none)."""
    if isinstance(node, ast.Name):
        return m.imports.get(node.id, "")
    base = dotted(m, node.value) if isinstance(node, ast.Attribute) else ""
    return f"{base}.{node.attr}" if base else ""
