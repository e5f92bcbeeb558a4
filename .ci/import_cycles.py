#!/usr/bin/env python3
"""Fails when files of a crate depend on each other in a circle (a file-level import cycle).

Usage: .ci/import_cycles.py harness/src

A file depends on another when it names it by path: a `use` line (nested braces included) or a
path written inline in code (`super::expect::Expectations`, `crate::check::settled(..)`),
resolved from the module the path stands in (an inline `mod tests { .. }` included). Comments,
doc comments and string literals do not count. A path to a `mod.rs` or `lib.rs` (a re-export)
is not a dependency on the files behind it. Every strongly connected group of two files or more
is a cycle, whatever its length; each is printed with one circle through it.
"""
import itertools
import os
import re
import sys

IDENT = r'[A-Za-z_][A-Za-z0-9_]*'


def strip(text):
    """The text with comments, strings and char literals blanked (newlines kept)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        elif text.startswith('/*', i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith('/*', j):
                    depth, j = depth + 1, j + 2
                elif text.startswith('*/', j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(''.join(ch if ch == '\n' else ' ' for ch in text[i:j]))
            i = j
        elif re.match(r'b?r#*"', text[i:i + 8]) and (i == 0 or not re.match(r'\w', text[i - 1])):
            m = re.match(r'b?r(#*)"', text[i:])
            end = '"' + m.group(1)
            j = text.find(end, i + m.end())
            j = n if j < 0 else j + len(end)
            out.append(''.join(ch if ch == '\n' else ' ' for ch in text[i:j]))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == '\\' else 1
            j += 1
            out.append(''.join(ch if ch == '\n' else ' ' for ch in text[i:j]))
            i = j
        elif c == "'":
            m = re.match(r"'(\\.[^']*|[^'\\])'", text[i:])
            if m:
                out.append(' ' * m.end())
                i += m.end()
            else:  # a lifetime
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def module_path(rel):
    parts = rel[:-3].split('/')
    if parts[-1] in ('mod', 'lib', 'main'):
        parts = parts[:-1]
    return parts


def expand(tree):
    """`a::{b, c::{d, e}}` as the paths it names: [[a, b], [a, c, d], [a, c, e]]."""
    tree = tree.replace(' ', '').replace('\n', '')
    depth, start = 0, None
    for k, ch in enumerate(tree):
        if ch == '{':
            if depth == 0:
                start = k
            depth += 1
        elif ch == '}':
            depth -= 1
            if depth == 0:
                head = [p for p in tree[:start].split('::') if p]
                inner, parts, d, last = tree[start + 1:k], [], 0, 0
                for m, c2 in enumerate(inner):
                    d += c2 == '{'
                    d -= c2 == '}'
                    if c2 == ',' and d == 0:
                        parts.append(inner[last:m])
                        last = m + 1
                parts.append(inner[last:])
                paths = []
                for part in parts:
                    if part and part != 'self':
                        paths += [head + sub for sub in expand(part)]
                return paths + [head]
    return [[p.split(' as ')[0] for p in tree.split('::') if p]]


def scopes(code, me):
    """The module path at each offset of `code`, following inline `mod name { .. }` blocks."""
    marks, stack, depth = [], [], 0
    for m in re.finditer(r'\bmod\s+(' + IDENT + r')\s*\{|[{}]', code):
        if m.group(1):
            stack.append((m.group(1), depth))
            depth += 1
            marks.append((m.start(), me + [name for name, _ in stack]))
        elif m.group(0) == '{':
            depth += 1
        else:
            depth -= 1
            if stack and stack[-1][1] == depth:
                stack.pop()
                marks.append((m.end(), me + [name for name, _ in stack]))
    return marks


def module_at(marks, offset, me):
    current = me
    for at, path in marks:
        if at > offset:
            break
        current = path
    return current


def main():
    root = sys.argv[1]
    files = {}
    for d, _, fs in os.walk(root):
        for f in fs:
            if f.endswith('.rs'):
                rel = os.path.relpath(os.path.join(d, f), root)
                with open(os.path.join(d, f)) as handle:
                    files[rel] = handle.read()
    by_module = {}
    for rel in files:
        by_module.setdefault(tuple(module_path(rel)), rel)

    def file_of(mod):
        return by_module.get(tuple(mod))

    edges = {}
    for rel, text in files.items():
        if '/bin/' in rel or rel.startswith('bin/'):
            continue
        me = module_path(rel)
        code = strip(text)
        marks = scopes(code, me)
        paths = []
        for m in re.finditer(r'\buse\s+((?:crate|super|self)\s*::[^;]*);', code):
            paths += [(m.start(), p) for p in expand(m.group(1))]
        for m in re.finditer(r'(?<![\w:])((?:crate|super|self)(?:\s*::\s*' + IDENT + r')+)', code):
            before = code[max(0, m.start() - 40):m.start()]
            if re.search(r'\buse\s+[^;]*$', before) or re.search(r'\bpub\s*\(\s*(in\s+)?$', before):
                continue
            paths.append((m.start(), [p.strip() for p in m.group(1).split('::')]))
        for offset, path in paths:
            scope = module_at(marks, offset, me)
            kind, rest = path[0], path[1:]
            if kind == 'crate':
                base = []
            elif kind == 'self':
                base = list(scope)
            else:
                ups = len(path) - len(list(itertools.dropwhile(lambda p: p == 'super', path)))
                base, rest = list(scope)[:len(scope) - ups], path[ups:]
            full = base + rest
            for k in range(len(full), 0, -1):
                target = file_of(full[:k])
                if target:
                    if target != rel and not target.endswith(('mod.rs', 'lib.rs')):
                        edges.setdefault(rel, set()).add(target)
                    break

    # Tarjan's strongly connected components.
    index, low, on, stack, groups, counter = {}, {}, set(), [], [], [0]

    def connect(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    sys.setrecursionlimit(10000)
    for v in sorted(files):
        if v not in index:
            connect(v)

    def circle(group):
        members = set(group)
        start = group[0]
        paths = {start: [start]}
        queue = [start]
        while queue:
            v = queue.pop(0)
            for w in sorted(edges.get(v, ())):
                if w == start:
                    return paths[v] + [start]
                if w in members and w not in paths:
                    paths[w] = paths[v] + [w]
                    queue.append(w)
        return group

    for group in sorted(groups):
        print('cycle:', ' -> '.join(circle(group)), f'({len(group)} files)')
    print(len(groups), 'cycles in', len(files), 'files')
    sys.exit(1 if groups else 0)


main()
