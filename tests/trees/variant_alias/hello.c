#include <stdio.h>
#include "hello.h"
int main(void) { printf("%s\n", GREETING); return 0; }
