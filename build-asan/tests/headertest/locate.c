#include "plat/locate.h"
int headertest_locate(void);
int headertest_locate(void) { return 0; }
