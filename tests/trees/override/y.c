#include <stdio.h>

int main(void)
{
#ifdef BASE
    printf("y: BASE defined\n");
#endif
#ifdef MODE
    printf("y: MODE=%d\n", MODE);
#endif
    return 0;
}
