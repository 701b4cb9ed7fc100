#include "plat/import.h"
int headertest_import(void);
int headertest_import(void) { return 0; }
