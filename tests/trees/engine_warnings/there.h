#include <nowhere.h>
