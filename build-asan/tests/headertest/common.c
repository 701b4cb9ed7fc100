#include "plat/common.h"
int headertest_common(void);
int headertest_common(void) { return 0; }
