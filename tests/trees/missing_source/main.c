#include <stdio.h>

int helper(void);

int main(void)
{
    printf("helper=%d\n", helper());
    return 0;
}
