#include <stdio.h>
int main(void) { puts("I am b"); return 0; }
