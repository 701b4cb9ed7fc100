/* plat/plat.h - the whole public API of plat, a spatial ledger of public works. */
#ifndef PLAT_H
#define PLAT_H
#include "common.h"
#include "util.h"
#include "gis.h"
#include "units.h"
#include "store.h"
#include "locate.h"
#include "coverage.h"
#include "progress.h"
#include "query.h"
#include "import.h"
#include "export.h"
#include "report.h"
#endif
