#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""check_includes.py SRCDIR MODE: architecture checks from the #include lines.

MODE door:  the public C API is the one door (issue 9). A file of src/script,
            tools/ or examples/ includes only system headers, <tcesim/...>
            and the script module's own headers ("script/..."). Never another
            module's "*_internal.h", nor the core "internal.h".
MODE graph: the module graph written atop CMakeLists.txt holds. A file of
            src/<mod>/ (and the public header of <mod>) includes only the
            headers of <mod> and of the modules <mod> depends on, quoted
            ("ops/phb_internal.h", "internal.h" = core) or public
            (<tcesim/phb.h>). And no include cycle between the headers of
            one folder, and every src/ folder with sources is in the graph.
Prints one line per violation (FILE:LINE: what) and exits 1 if there is any.
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')

# Files still allowed to reach into internals, each with its reason.
DOOR_ALLOW = {
}

# Public header -> owning module (the rest are named after their module).
PUBLIC_OWNER = {
    'types.h': 'core', 'world.h': 'core', 'version.h': 'core',
    'phb.h': 'ops', 'phb_inspect.h': 'ops', 'sva_inspect.h': 'sva',
    'phb_types.h': 'ops', 'phb_pe.h': 'ops', 'phb_owner.h': 'ops', 'phb_dev.h': 'ops',
    'phb_tce.h': 'ops',
    'replay.h': 'script', 'tcesim.h': 'script',
}


def includes(path):
    """Yields (lineno, kind, target) for every #include of a file."""
    with open(path, encoding='utf-8', errors='replace') as f:
        for n, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if m:
                yield n, m.group(1), m.group(2)


def sources(root, rel, exts=('.c', '.h')):
    base = os.path.join(root, rel)
    if not os.path.isdir(base):
        return
    for d, _, files in os.walk(base):
        for name in sorted(files):
            if name.endswith(exts):
                p = os.path.join(d, name)
                yield os.path.relpath(p, root), p


def check_door(root):
    bad = []
    for rel in ('src/script', 'tools', 'examples'):
        for relp, p in sources(root, rel):
            if relp in DOOR_ALLOW:
                continue
            for n, kind, tgt in includes(p):
                if kind == '<':
                    if tgt.endswith('internal.h'):
                        bad.append('%s:%d: includes <%s>: internal headers are not '
                                   'the API' % (relp, n, tgt))
                    continue
                if relp.startswith('src/script/') and (tgt.startswith('script/') or
                        ('/' not in tgt and
                         os.path.isfile(os.path.join(root, 'src/script', tgt)))):
                    continue        # the script module's own headers
                if relp.startswith('examples/') and '/' not in tgt and \
                        not tgt.endswith('internal.h'):
                    continue        # an example's own local header
                bad.append('%s:%d: includes "%s": only <tcesim/...> (and the script '
                           "module's own headers) may be used here" % (relp, n, tgt))
    return bad


def parse_graph(root):
    """Module -> set of modules it may include, from the CMakeLists.txt comment."""
    deps, order = {}, []
    with open(os.path.join(root, 'CMakeLists.txt'), encoding='utf-8') as f:
        text = f.read()
    head = text.split('cmake_minimum_required', 1)[0]
    top = []
    for line in head.splitlines():
        line = line.lstrip('#').strip()
        for chain in re.findall(r'\w+(?:\s*←\s*\w+)+', line):
            mods = [m.strip() for m in chain.split('←')]
            for i, m in enumerate(mods):
                deps.setdefault(m, set()).update(mods[:i])
                if m not in order:
                    order.append(m)
        m = re.match(r'(\w+)\b.*\bon top of all\b', line)
        if m:
            top.append(m.group(1))
    for t in top:
        deps[t] = set(order) - {t}
        order.append(t)
    # transitive closure
    changed = True
    while changed:
        changed = False
        for m, ds in deps.items():
            more = set().union(*(deps.get(d, set()) for d in ds)) - ds - {m}
            if more:
                ds.update(more)
                changed = True
    return deps


def module_of_include(kind, tgt, mods):
    if kind == '"':
        if tgt == 'internal.h':
            return 'core'
        first = tgt.split('/', 1)[0]
        return first if '/' in tgt and first in mods else None
    if tgt.startswith('tcesim/'):
        name = tgt[len('tcesim/'):]
        if name in PUBLIC_OWNER:
            return PUBLIC_OWNER[name]
        stem = name[:-2] if name.endswith('.h') else name
        return stem if stem in mods else None
    return None


def check_graph(root):
    deps = parse_graph(root)
    mods = set(deps)
    bad = []
    if not {'core', 'mem', 'table', 'ops', 'script'} <= mods:
        return ['CMakeLists.txt: cannot read the module graph atop it (found %s)'
                % sorted(mods)]
    # every module folder is in the graph (a new one must be declared)
    for d in sorted(os.listdir(os.path.join(root, 'src'))):
        if os.path.isdir(os.path.join(root, 'src', d)) and d not in mods and \
                any(n.endswith('.c') for n in os.listdir(os.path.join(root, 'src', d))):
            bad.append('src/%s: a module folder missing from the graph atop '
                       'CMakeLists.txt' % d)
    files = []
    for m in sorted(mods):
        files += [(m, relp, p) for relp, p in sources(root, 'src/' + m)]
    for relp, p in sources(root, 'include/tcesim', ('.h', '.h.in')):
        name = os.path.basename(relp).replace('.h.in', '.h')
        owner = PUBLIC_OWNER.get(name, name[:-2])
        if owner in mods:
            files.append((owner, relp, p))
    for m, relp, p in files:
        for n, kind, tgt in includes(p):
            dep = module_of_include(kind, tgt, mods)
            if dep is None or dep == m or dep in deps[m]:
                continue
            bad.append('%s:%d: module %s includes %s%s%s of module %s, which is not '
                       'below it in the graph atop CMakeLists.txt'
                       % (relp, n, m, kind, tgt, '>' if kind == '<' else '"', dep))
    # include cycles between the headers of one folder
    folders = {}
    for relp, p in sources(root, 'src', ('.h',)):
        folders.setdefault(os.path.dirname(relp), {})[relp] = p
    for folder, hdrs in sorted(folders.items()):
        edges = {}
        for relp, p in hdrs.items():
            edges[relp] = set()
            for _, kind, tgt in includes(p):
                if kind != '"':
                    continue
                cand = os.path.normpath(os.path.join('src', tgt))
                if cand in hdrs:
                    edges[relp].add(cand)
        state = {}

        def visit(h, stack):
            state[h] = 1
            for t in sorted(edges[h]):
                if state.get(t) == 1:
                    cyc = stack[stack.index(t):] + [t]
                    bad.append('%s: include cycle %s' % (folder, ' -> '.join(cyc)))
                elif not state.get(t):
                    visit(t, stack + [t])
            state[h] = 2
        for h in sorted(edges):
            if not state.get(h):
                visit(h, [h])
    return bad


def selftest():
    """Both checks catch a planted violation (so the real runs can fail)."""
    import tempfile
    with tempfile.TemporaryDirectory() as root:
        def put(rel, text):
            os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
            with open(os.path.join(root, rel), 'w', encoding='utf-8') as f:
                f.write(text)
        put('CMakeLists.txt', '# graph:\n#   core ← mem ← table ← ops\n'
            '#   script (interpreter) on top of all\ncmake_minimum_required()\n')
        put('src/script/cmd_x.c', '#include "script/script_internal.h"\n'
            '#include "ops/phb_internal.h"\n')
        put('src/script/script_internal.h', '#include "internal.h"\n')
        put('tools/tool.c', '#include <tcesim/tcesim.h>\n#include "mem/mem_internal.h"\n')
        put('src/mem/hostmem.c', '#include "ops/phb_internal.h"\n#include <tcesim/table.h>\n')
        put('src/ops/a.h', '#include "ops/b.h"\n')
        put('src/ops/b.h', '#include "ops/a.h"\n')
        put('src/newmod/x.c', '#include "internal.h"\n')
        door, graph = check_door(root), check_graph(root)
        want_door = ['src/script/cmd_x.c:2', 'src/script/script_internal.h:1', 'tools/tool.c:2']
        want_graph = ['src/mem/hostmem.c:1', 'src/mem/hostmem.c:2', 'include cycle',
                      'src/newmod: a module folder missing']
        ok = all(any(w in b for b in door) for w in want_door) and len(door) == 3
        ok = ok and all(any(w in b for b in graph) for w in want_graph)
        print('\n'.join(door + graph))
        print('selftest: %s' % ('ok' if ok else 'FAILED'))
        return 0 if ok else 1


def main():
    if len(sys.argv) == 2 and sys.argv[1] == 'selftest':
        return selftest()
    if len(sys.argv) != 3 or sys.argv[2] not in ('door', 'graph'):
        print('usage: check_includes.py SRCDIR door|graph | selftest', file=sys.stderr)
        return 2
    root = sys.argv[1]
    bad = check_door(root) if sys.argv[2] == 'door' else check_graph(root)
    for b in bad:
        print(b)
    if sys.argv[2] == 'door':
        for f, why in sorted(DOOR_ALLOW.items()):
            print('note: %s allowed for now: %s' % (f, why))
    print('%s: %d problem(s)' % (sys.argv[2], len(bad)))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
