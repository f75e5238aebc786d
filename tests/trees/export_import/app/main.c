#include <stdio.h>
#include "util.h"

int main(void)
{
#ifdef FROM_TOP
    printf("answer=%d\n", util_answer());
#endif
    return 0;
}
