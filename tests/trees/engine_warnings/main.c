#include "missing.h"
#include "there.h"
