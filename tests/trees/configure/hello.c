#include <stdio.h>
#include "config.h"
int main(void) { printf("answer %d\n", ANSWER); return 0; }
