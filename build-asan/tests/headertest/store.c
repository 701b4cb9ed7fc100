#include "plat/store.h"
int headertest_store(void);
int headertest_store(void) { return 0; }
