#include "foo.h"
int x;
