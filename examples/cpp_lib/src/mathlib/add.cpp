#include "mathlib.h"

int mathlib::add(int a, int b) { return a + b; }
