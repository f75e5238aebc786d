#ifndef MATHLIB_H
#define MATHLIB_H

namespace mathlib {
int add(int a, int b);
int mul(int a, int b);
}

#endif
