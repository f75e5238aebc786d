#include "mathlib.h"

int mathlib::mul(int a, int b) { return a * b; }
