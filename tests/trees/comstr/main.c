#include <stdio.h>
int f(void);
int main(void) { printf("f=%d\n", f()); return 0; }
