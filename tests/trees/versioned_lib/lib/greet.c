#include <stdio.h>
#include "greet.h"
void greet(void) { printf("Hello from libgreet\n"); }
