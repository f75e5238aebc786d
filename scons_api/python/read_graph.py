#!/usr/bin/env python3
"""Run SCons._docons.read under CPython on a tree and print the JSON graph.

usage: read_graph.py [-C DIR] [-f FILE] [-o OUT.json] [targets] [KEY=VALUE] [--pretty]"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main(argv):
    top = os.getcwd()
    sconstruct = None
    targets, arguments = [], []
    pretty = False
    outfile = None
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == '-C':
            i += 1
            top = os.path.abspath(argv[i])
        elif a == '-f':
            i += 1
            sconstruct = argv[i]
        elif a == '-o':
            i += 1
            outfile = argv[i]
        elif a == '--pretty':
            pretty = True
        elif '=' in a and not a.startswith('-'):
            k, v = a.split('=', 1)
            arguments.append([k, v])
        else:
            targets.append(a)
        i += 1
    launch = os.getcwd()
    if sconstruct is None:
        sconstruct = os.path.join(top, 'SConstruct')
    else:
        sconstruct = os.path.abspath(os.path.join(top, sconstruct))
    request = {'top': top, 'sconstruct': sconstruct, 'launch_dir': launch,
               'arguments': arguments, 'targets': targets,
               'options': {'num_jobs': 1, 'directory': top}}
    import SCons._docons
    out = SCons._docons.read(request)
    if pretty:
        out = json.dumps(json.loads(out), indent=1)
    if outfile:
        with open(outfile, 'w') as f:
            f.write(out + '\n')
    else:
        print(out)


if __name__ == '__main__':
    main(sys.argv[1:])
