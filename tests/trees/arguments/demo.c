#include <stdio.h>

int main(void)
{
#ifdef DEBUG
    printf("demo (debug)\n");
#else
    printf("demo\n");
#endif
    return 0;
}
