"""The package's shape: no module imports one that imports it back, and the built wheel carries
only what the assistant runs (the synthetic test speakers stay out)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "voicecare"


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, name: str, modules: set[str]) -> set[str]:
    """voicecare modules that ``path`` imports, at its top or inside a function alike."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                stem = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(stem + ([node.module] if node.module else []))
            for alias in node.names:
                whole = f"{base}.{alias.name}"
                if whole in modules:
                    found.add(whole)
                elif base in modules:
                    found.add(base)
    found.discard(name)
    return found


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Each voicecare module and the voicecare modules it names in an import."""
    files = {_module_name(p, package.parent): p for p in sorted(package.rglob("*.py"))}
    modules = set(files)
    return {name: _imports(path, name, modules) for name, path in files.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every group of modules that import each other, directly or round a loop (Tarjan's components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_voicecare_module_imports_one_that_imports_it_back():
    graph = import_graph()
    assert len(graph) > 100 and "voicecare.doctor.running" in graph["voicecare.doctor"]
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_loop_through_three_modules(tmp_path):
    package = tmp_path / "voicecare"
    (package / "inner").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "inner" / "__init__.py").write_text("")
    (package / "a.py").write_text("from voicecare.inner import b\n")
    (package / "inner" / "b.py").write_text("def later():\n    from voicecare import c\n")
    (package / "c.py").write_text("from . import a\n")
    (package / "d.py").write_text("import voicecare.a\n")
    graph = import_graph(package)
    assert graph["voicecare.d"] == {"voicecare.a"}
    assert cycles(graph) == [["voicecare.a", "voicecare.c", "voicecare.inner.b"]]


def _defined(path: Path) -> set[str]:
    """The names a module defines or imports at any depth (enough to tell a stale import from a live one)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            found.update(t.id for target in targets for t in ast.walk(target) if isinstance(t, ast.Name))
        elif isinstance(node, ast.ImportFrom):
            found.update(alias.asname or alias.name for alias in node.names)
    return found


def unresolved_imports(folders: list[Path], package: Path = PACKAGE) -> list[str]:
    """``from voicecare.X import y`` anywhere in ``folders`` where neither X nor X.y is a voicecare module
    or a name X defines: the imports a move of a module left behind (most sit inside functions, so
    nothing fails until that code runs)."""
    files = {_module_name(p, package.parent): p for p in sorted(package.rglob("*.py"))}
    names = {module: _defined(path) for module, path in files.items()}
    missing = []
    for folder in folders:
        for path in sorted(folder.rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
                if not (isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
                        and node.module.split(".")[0] == package.name):
                    continue
                for alias in node.names:
                    if node.module not in files:
                        missing.append(f"{path.name}: {node.module}")
                    elif f"{node.module}.{alias.name}" not in files and alias.name not in names[node.module]:
                        missing.append(f"{path.name}: {node.module}.{alias.name}")
    return missing


def test_every_voicecare_import_in_the_project_names_something_that_exists():
    folders = [PACKAGE, ROOT / "benchmarks", ROOT / "scripts", ROOT / "tests"]
    assert unresolved_imports([f for f in folders if f.is_dir()]) == []


def test_an_import_left_behind_by_a_move_is_found(tmp_path):
    package = tmp_path / "voicecare"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "config.py").write_text("class AudioConfig:\n    pass\n")
    user = tmp_path / "bench"
    user.mkdir()
    (user / "b.py").write_text("def f():\n    from voicecare.config_sections import AudioConfig\n"
                               "    from voicecare.config import AudioConfig, Gone\n")
    assert unresolved_imports([user], package) == ["b.py: voicecare.config_sections", "b.py: voicecare.config.Gone"]


def test_the_top_level_holds_the_face_the_cli_and_modules_with_one_job():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert top == ["__init__.py", "__main__.py", "cli.py", "errors.py", "messages.py", "render.py",
                   "service.py", "textfiles.py"]


def test_the_wheel_leaves_out_the_test_speakers(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(PACKAGE, source / "voicecare", ignore=shutil.ignore_patterns("__pycache__"))
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(source), "-w",
                           str(tmp_path / "wheel")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    (wheel,) = (tmp_path / "wheel").glob("voicecare-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "voicecare/cli.py" in names and "voicecare/doctor/running.py" in names
    assert "voicecare/config/reading.py" in names
    assert not [n for n in names if n.startswith("voicecare/testing")]
    assert (PACKAGE / "testing" / "voices.py").is_file()  # still there for the tests and benchmarks
