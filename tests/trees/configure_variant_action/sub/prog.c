#include <stdio.h>
#include "local_header.h"
int main(void) { puts(GREETING); return 0; }
