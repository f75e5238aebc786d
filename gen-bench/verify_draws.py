#!/usr/bin/env python3
"""Reference for gen-bench's random draws: Python 2.7's `random` rebuilt in pure Python 3.

Python 2.7 is not available here, so this script re-implements, from CPython 2.7's
sources (Modules/_randommodule.c and Lib/random.py):

  * MT19937 with `init_by_array` (the seeding `Random(0)` does: an int seed is
    replaced by its absolute value and split into 32-bit words, low word first;
    0 gives no word, and the C code then uses the key [0]);
  * `random()`: a = genrand >> 5, b = genrand >> 6, (a*67108864 + b) / 2**53;
  * `sample(population, k)`: partial Fisher-Yates on a list copy when
    n <= setsize (21, plus 4**ceil(log(3k, 4)) when k > 5), otherwise set-based
    rejection, both drawing indexes as int(random() * m);
  * `choice(seq)`: seq[int(random() * len(seq))].

The pure MT and `random()` are checked against Python 3's C implementation
(`random.Random(0)`: Python 3 seeds an int through init_by_array of the absolute
value's 32-bit words as well, and its `random()` uses the same 53-bit formula;
its `sample`/`choice` use `_randbelow` and differ, which is why they are rebuilt
here on top of `random()`).

Usage:
  verify_draws.py                 self-check, then print the values the Rust unit
                                  tests compare against
  verify_draws.py --check-tree DIR LIBS CLASSES INTERNAL EXTERNAL
                                  compare every lib_N/class_K.{hpp,cpp} under DIR
                                  with what the original gen-bench would write
"""

import math
import os
import random as py3random
import sys

MASK32 = 0xFFFFFFFF


class MT19937:
    N = 624
    M = 397

    def __init__(self):
        self.mt = [0] * self.N
        self.mti = self.N + 1

    def init_genrand(self, s):
        mt = self.mt
        mt[0] = s & MASK32
        for i in range(1, self.N):
            mt[i] = (1812433253 * (mt[i - 1] ^ (mt[i - 1] >> 30)) + i) & MASK32
        self.mti = self.N

    def init_by_array(self, key):
        N = self.N
        mt = self.mt
        self.init_genrand(19650218)
        i, j = 1, 0
        k = max(N, len(key))
        while k:
            mt[i] = ((mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525)) + key[j] + j) & MASK32
            i += 1
            j += 1
            if i >= N:
                mt[0] = mt[N - 1]
                i = 1
            if j >= len(key):
                j = 0
            k -= 1
        k = N - 1
        while k:
            mt[i] = ((mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941)) - i) & MASK32
            i += 1
            if i >= N:
                mt[0] = mt[N - 1]
                i = 1
            k -= 1
        mt[0] = 0x80000000

    def genrand_int32(self):
        N, M = self.N, self.M
        mt = self.mt
        if self.mti >= N:
            for kk in range(N):
                y = (mt[kk] & 0x80000000) | (mt[(kk + 1) % N] & 0x7FFFFFFF)
                mt[kk] = mt[(kk + M) % N] ^ (y >> 1) ^ (0x9908B0DF if y & 1 else 0)
            self.mti = 0
        y = mt[self.mti]
        self.mti += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C5680
        y ^= (y << 15) & 0xEFC60000
        y ^= y >> 18
        return y & MASK32


class Py27Random:
    """The parts of Python 2.7's random.Random that gen-bench uses."""

    def __init__(self, seed):
        n = abs(seed)
        key = []
        while n:
            key.append(n & MASK32)
            n >>= 32
        if not key:
            key = [0]
        self.mt = MT19937()
        self.mt.init_by_array(key)

    def genrand_int32(self):
        return self.mt.genrand_int32()

    def random(self):
        a = self.mt.genrand_int32() >> 5
        b = self.mt.genrand_int32() >> 6
        return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0)

    def sample(self, population, k):
        n = len(population)
        if not 0 <= k <= n:
            raise ValueError("sample larger than population")
        random = self.random
        result = [None] * k
        setsize = 21
        if k > 5:
            setsize += 4 ** math.ceil(math.log(k * 3, 4))
        if n <= setsize:
            pool = list(population)
            for i in range(k):
                j = int(random() * (n - i))
                result[i] = pool[j]
                pool[j] = pool[n - i - 1]
        else:
            selected = set()
            for i in range(k):
                j = int(random() * n)
                while j in selected:
                    j = int(random() * n)
                selected.add(j)
                result[i] = population[j]
        return result

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]


def self_check():
    # MT outputs against CPython 3's C MT seeded the same way.
    ours = Py27Random(0)
    ref = py3random.Random(0)
    for _ in range(2000):
        a, b = ours.genrand_int32(), ref.getrandbits(32)
        assert a == b, (a, b)
    # random() against CPython 3's random().
    ours = Py27Random(0)
    ref = py3random.Random(0)
    for _ in range(2000):
        a, b = ours.random(), ref.random()
        assert a == b, (a, b)
    # Known Python 2.7 value: random.seed(0); random.random() == 0.8444218515250481
    assert Py27Random(0).random() == 0.8444218515250481
    # Both branches of sample must give permutation-free, in-range results.
    r = Py27Random(0)
    for n, k in ((10, 3), (100, 15), (100, 5), (20, 20), (5, 0)):
        s = r.sample(range(n), k)
        assert len(set(s)) == k and all(0 <= x < n for x in s)


def cpp_text(rng, lib, cls, classes, internal, external):
    name = "class_%d" % cls
    out = ['#include "%s.hpp"\n' % name]
    for i in rng.sample(range(classes), internal):
        out.append('#include "class_%d.hpp"\n' % i)
    if lib > 0:
        includes = rng.sample(range(classes), external)
        lib_list = range(lib)
        for i in includes:
            out.append("#include <lib_%d/class_%d.hpp>\n" % (rng.choice(lib_list), i))
    out.append("\n")
    out.append("namespace lib_%d {\n\t%s::%s() {}\n\t%s::~%s() {}\n}\n" % (lib, name, name, name, name))
    return "".join(out)


def hpp_text(lib, cls):
    name = "class_%d" % cls
    guard = "lib_%d__%s__included" % (lib, name)
    return (
        "#ifndef %s\n#define %s\n//#include <boost/spirit.hpp>\nnamespace lib_%d {\n"
        "\tclass %s {\n\t\tpublic:\n\t\t\t%s();\n\t\t\t~%s();\n\t};\n}\n#endif\n"
        % (guard, guard, lib, name, name, name)
    )


def check_tree(root, libs, classes, internal, external):
    rng = Py27Random(0)
    bad = 0
    for lib in range(libs):
        for cls in range(classes):
            for ext, want in (
                ("hpp", hpp_text(lib, cls)),
                ("cpp", cpp_text(rng, lib, cls, classes, internal, external)),
            ):
                path = os.path.join(root, "lib_%d" % lib, "class_%d.%s" % (cls, ext))
                with open(path) as f:
                    got = f.read()
                if got != want:
                    bad += 1
                    if bad <= 5:
                        print("MISMATCH %s" % path)
    total = libs * classes * 2
    print("%d files checked, %d mismatches" % (total, bad))
    return bad == 0


def print_test_values():
    r = Py27Random(0)
    print("first 10 genrand_int32 for seed 0:")
    print([r.genrand_int32() for _ in range(10)])
    r = Py27Random(0)
    print("first 5 random() for seed 0:")
    print([repr(r.random()) for _ in range(5)])
    # The first draws of the canonical 50 100 15 5 tree (lib_0 then lib_1).
    r = Py27Random(0)
    print("lib_0/class_0 internal: sample(range(100), 15):", r.sample(range(100), 15))
    print("lib_0/class_1 internal: sample(range(100), 15):", r.sample(range(100), 15))
    r = Py27Random(0)
    for _ in range(100):
        r.sample(range(100), 15)
    print("lib_1/class_0 internal:", r.sample(range(100), 15))
    ext = r.sample(range(100), 5)
    print("lib_1/class_0 external:", ext, "libs:", [r.choice(range(1)) for _ in ext])
    # Fisher-Yates branch (n <= setsize) and choice over several libs.
    r = Py27Random(0)
    print("sample(range(10), 3) x3:", [r.sample(range(10), 3) for _ in range(3)])
    print("sample(range(20), 20):", r.sample(range(20), 20))
    print("choice(range(7)) x10:", [r.choice(range(7)) for _ in range(10)])
    # setsize boundary: k=6 -> 21 + 4**ceil(log(18,4)) = 21 + 64 = 85.
    r = Py27Random(0)
    print("sample(range(85), 6):", r.sample(range(85), 6))
    print("sample(range(86), 6):", r.sample(range(86), 6))
    # The small tree used in the README/tests: 3 5 2 2.
    r = Py27Random(0)
    print("tree 3 5 2 2, lib_2/class_4.cpp:")
    for lib in range(3):
        for cls in range(5):
            text = cpp_text(r, lib, cls, 5, 2, 2)
    print(text, end="")


def main(argv):
    self_check()
    if len(argv) >= 2 and argv[1] == "--check-tree":
        root = argv[2]
        libs, classes, internal, external = (int(x) for x in argv[3:7])
        sys.exit(0 if check_tree(root, libs, classes, internal, external) else 1)
    print("self-check passed (pure MT19937 and random() match CPython's for seed 0)")
    print_test_values()


if __name__ == "__main__":
    main(sys.argv)
