#include "sub/other.h"
