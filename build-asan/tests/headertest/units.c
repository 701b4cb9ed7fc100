#include "plat/units.h"
int headertest_units(void);
int headertest_units(void) { return 0; }
