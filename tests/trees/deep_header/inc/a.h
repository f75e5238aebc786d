#ifndef A_H
#define A_H
#include "b.h"
#define A_BASE 100
#endif
