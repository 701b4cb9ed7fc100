#include "plat/plat.h"
int headertest_plat(void);
int headertest_plat(void) { return 0; }
