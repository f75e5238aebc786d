#define B_VALUE 1
