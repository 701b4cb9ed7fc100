#include "plat/gis.h"
int headertest_gis(void);
int headertest_gis(void) { return 0; }
