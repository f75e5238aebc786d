#include <stdio.h>

int one(void);

int main(void)
{
    printf("one=%d\n", one());
    return 0;
}
