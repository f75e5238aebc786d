int f(void) { return 7; }
