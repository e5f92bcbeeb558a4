#!/usr/bin/env python3
# Fails when two files of a crate import each other (a file-level import cycle).
# Usage: .ci/import_cycles.py harness/src
# File-level import cycles in a Rust crate's src: which file's `use super::X`/`use crate::a::b` names which file.
import os, re, sys
root = sys.argv[1]
files = {}
for d, _, fs in os.walk(root):
    for f in fs:
        if f.endswith('.rs'):
            files[os.path.relpath(os.path.join(d, f), root)] = open(os.path.join(d, f)).read()
def module_path(rel):
    parts = rel[:-3].split('/')
    if parts[-1] in ('mod', 'lib', 'main'): parts = parts[:-1]
    return parts
def file_of(mod):
    for cand in ['/'.join(mod) + '.rs', '/'.join(mod + ['mod']) + '.rs']:
        if cand in files: return cand
    return None
edges = set()
for rel, text in files.items():
    if '/bin/' in rel or rel.startswith('bin/'): continue
    me = module_path(rel)
    for m in re.finditer(r'^\s*(?:pub(?:\([^)]*\))?\s+)?use\s+([^;]+);', text, re.M):
        paths = m.group(1)
        head = re.match(r'(crate|super|self)((?:::\w+)*)', paths.replace(' ', ''))
        if not head: continue
        kind, rest = head.group(1), [p for p in head.group(2).split('::') if p]
        inner = re.findall(r'\{([^}]*)\}', paths)
        names = [rest]
        if inner:
            names = [rest + [n.strip().split('::')[0]] for n in inner[0].split(',') if n.strip() and n.strip() != 'self'] + [rest]
        for path in names:
            if kind == 'crate': base = []
            elif kind == 'super': base = me[:-1] if not rel.endswith('mod.rs') else me[:-1]
            else: base = me
            if kind == 'super' and not (rel.endswith('mod.rs') or rel.endswith('lib.rs')): base = me[:-1]
            full = base + path
            for k in range(len(full), 0, -1):
                target = file_of(full[:k])
                if target and target != rel and not target.endswith('mod.rs') and not target.endswith('lib.rs'):
                    edges.add((rel, target)); break
cycles = sorted({tuple(sorted((a, b))) for a, b in edges if (b, a) in edges})
for a, b in cycles: print('cycle:', a, '<->', b)
print(len(cycles), 'two-file cycles in', len(files), 'files')
sys.exit(1 if cycles else 0)
