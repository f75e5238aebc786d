#include <stdio.h>

int a_value(void);

int main(void)
{
    printf("value=%d\n", a_value());
    return 0;
}
