#include "a.h"

int a_value(void)
{
    return A_BASE + B_VALUE;
}
