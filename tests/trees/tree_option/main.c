#include "main.h"
int x;
