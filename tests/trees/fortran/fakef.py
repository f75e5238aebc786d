# A stand-in Fortran compiler: copies the source to -o, and writes NAME.mod for each
# "module NAME" line.
import re, sys
args = sys.argv[1:]
out = args[args.index('-o') + 1]
src = args[-1]
text = open(src).read()
open(out, 'w').write(' '.join(a for a in args if a.startswith('-D')) + '\n' + text)
for m in re.findall(r'(?im)^\s*module\s+(\w+)', text):
    open(m.lower() + '.mod', 'w').write(m + '\n')
