"""The apps' import graph, drawn from the code (module-level imports, every file) as a Mermaid diagram in
docs/ARCHITECTURE.md between its GRAPH markers.

    .venv/bin/python scripts/app_graph.py          # rewrite the diagram
    .venv/bin/python scripts/app_graph.py --check  # exit 1 if the diagram is not the code's (the tests run it)
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "ARCHITECTURE.md"
START, END = "<!-- GRAPH START (scripts/app_graph.py) -->", "<!-- GRAPH END -->"
GLUE = {"settings", "urls", "api_urls", "wsgi", "asgi", "celery", "__init__"}


def package_of(path: Path) -> str | None:
    """``annotate.<app>`` or ``workers.<package>`` for a file inside one, else None (project glue)."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    if len(parts) < 3 or parts[1] in GLUE or "migrations" in parts:
        return None
    return f"{parts[0]}.{parts[1]}"


def edges() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for path in sorted([*ROOT.glob("annotate/**/*.py"), *ROOT.glob("workers/**/*.py")]):
        source = package_of(path)
        if source is None:
            continue
        graph[source]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            for module in modules:
                parts = module.split(".")
                if parts[0] in ("annotate", "workers") and len(parts) > 1:
                    target = f"{parts[0]}.{parts[1]}"
                    if target != source and parts[1] not in GLUE:
                        graph[source].add(target)
    return graph


def mermaid() -> str:
    graph = edges()
    short = {
        name: name.split(".")[1] if name.startswith("annotate.") else name.replace(".", "_") for name in graph
    }
    lines = ["```mermaid", "flowchart BT"]
    for source in sorted(graph):
        for target in sorted(graph[source]):
            lines.append(f"    {short[source]} --> {short.get(target, target.replace('.', '_'))}")
    lines.append("```")
    return "\n".join(lines)


def main() -> int:
    text = DOC.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{START}\n{mermaid()}\n{END}{tail}"
    if "--check" in sys.argv:
        if new != text:
            print(
                "docs/ARCHITECTURE.md: the import graph is out of date; run scripts/app_graph.py",
                file=sys.stderr,
            )
            return 1
        return 0
    DOC.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
