#include <stdio.h>
int main(void) { puts("good"); return 0; }
