#include <iostream>
#include "mathlib.h"

int main()
{
#ifdef USE_MATHLIB
    std::cout << "calc v" << CALC_VERSION << ": 2+3=" << mathlib::add(2, 3)
              << " 4*5=" << mathlib::mul(4, 5) << std::endl;
#endif
    return 0;
}
