#include <stdio.h>
int main(void) { puts("I am a"); return 0; }
