#include <stdio.h>

int main(void)
{
#ifdef BASE
    printf("x: BASE defined\n");
#endif
#ifdef MODE
    printf("x: MODE=%d\n", MODE);
#endif
    return 0;
}
