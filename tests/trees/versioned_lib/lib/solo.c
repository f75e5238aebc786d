int solo(int n) { return n + 1; }
