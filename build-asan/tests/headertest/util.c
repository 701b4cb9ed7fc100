#include "plat/util.h"
int headertest_util(void);
int headertest_util(void) { return 0; }
